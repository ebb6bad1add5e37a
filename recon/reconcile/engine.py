"""Compare BEFORE (usual treatment) with AFTER (hospital prescription) into a ReconciliationReport.

Steps:

1. Read each AFTER line's real status: a regimen that ends ("2 cp pendant 5 jours puis arrêt")
   is prescribed, not stopped; a line with no posology that says "suspendu", "non repris" or
   "arrêt" is a suspension or a stop even when extraction left it active.
2. Pair BEFORE and AFTER lines by score, best first: the same drug (substance set) before the
   same class (ATC level 4, a substitution); among several candidates, the one whose strength,
   dose and schedule agree; an AFTER line that names the BEFORE drug it replaces ("remplace
   INEXIUM", "équivalence livret") is paired with it.
3. Lines left over that only repeat a drug already on a line (a second dispensing, a name
   restated in a paragraph, the replaced drug named in a justification) join that line; the
   others are stopped (BEFORE) or added (AFTER).
4. Each pair gets its status and field-level changes; alerts (duplicated class, unknown drug,
   ambiguous pairing) set ``needs_review`` with reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recon.messages import DRUG_NOT_IN_REFERENCE, POSOLOGY_NOT_FOUND, POSSIBLE_OMISSION
from recon.models import (
    LINE_STATUSES,
    Change,
    Medication,
    MedicationList,
    Quantity,
    ReconciliationLine,
    ReconciliationReport,
)
from recon.reconcile.alerts import report_alerts
from recon.reconcile.compare import (
    compare,
    daily_dose,
    daily_dose_note,
    has_posology,
    is_brand_switch,
    quantities_differ,
    same_schedule_note,
    strengths_differ,
)
from recon.reconcile.identity import class_atc, mentions, same_class, same_combination, same_drug, substance_keys
from recon.reconcile.reasons import change_cue, justification, reason_for, substitution_cue

_TAPER = re.compile(r"\bpuis\s+(?:arr[êe]t|stop|interruption)", re.IGNORECASE)
_NEGATED_STOP = re.compile(
    r"\b(?:ne\s+(?:pas|jamais|plus\s+jamais)|sans|pas\s+d['’]?|jamais)\s+(?:l['’]?\s*)?(?:arr[êe]t|interromp|suspend|stopp)",
    re.IGNORECASE)
_SUSPEND_CUE = re.compile(
    r"suspen|en\s+pause|[àa]\s+reprendre|r[ée]introdu|fen[êe]tre\s+th[ée]rapeutique|reprise\s+(?:selon|[àa]|apr[èe]s)",
    re.IGNORECASE)
_STOP_CUE = re.compile(
    r"\barr[êe]t(?:é|ée|er)?\b|non\s+repris|\bstopp|interrompu|ne\s+plus\s+prendre|supprim[ée]|retir[ée]|\bstop\b",
    re.IGNORECASE)

_CONTINUE_CUE = re.compile(r"poursui|inchang|\bidem\b|maintenu|continu|\bidentique", re.IGNORECASE)

SAME, CLASS = "same", "class"
BEFORE_FR, AFTER_FR = "le traitement habituel", "la prescription hospitalière"
_STOP_NOT_BEFORE = "arrêté ou suspendu dans la prescription hospitalière mais absent du traitement habituel"
# a posology missing from a line is told on the report line by the comparison, not repeated from extraction
_POSOLOGY_ONLY = frozenset({POSOLOGY_NOT_FOUND, "posology not found"})
BRAND_NOTE = "changement de nom commercial / DCI, mêmes substances"


@dataclass
class _Pair:
    before: Medication
    after: Medication
    kind: str
    score: float
    ambiguous: bool = False
    merged_before: list[Medication] = field(default_factory=list)
    merged_after: list[Medication] = field(default_factory=list)


def reconcile(before: MedicationList, after: MedicationList, *,
              during: MedicationList | None = None) -> ReconciliationReport:
    """Reconcile BEFORE with AFTER. ``during`` (optional): the hospital's last treatment during the stay; when
    given, a change already made during the stay and kept at discharge is noted on its line, and the stay's
    drugs missing from AFTER are listed for review (see ``_apply_during``). Without it, nothing changes."""
    b_meds, a_meds = list(before.medications), list(after.medications)
    status = {id(a): _after_status(a) for a in a_meds}
    status.update({id(b): b.status for b in b_meds})
    pairs, lone_b, lone_a = _pair(b_meds, a_meds, status)
    # in a hospital list that gives posologies, a drug only named (no strength, no posology) is a mention
    # (a history paragraph, a justification), not a prescription
    mostly_full = sum(_full(a) for a in a_meds) >= 0.6 * len(a_meds) if a_meds else False
    for p in pairs:
        if (mostly_full and p.kind == SAME and _bare(p.after) and _real(p.before)
                and status[id(p.after)] == "active" and not _CONTINUE_CUE.search(_text(p.after))):
            status[id(p.after)] = "mention"
    lone_b, lone_a = _absorb_repeats(pairs, lone_b, lone_a, status)
    merged = {id(m) for p in pairs for m in p.merged_before + p.merged_after}
    dup_b = _class_duplicates([m for m in b_meds if id(m) not in merged])
    dup_a = _class_duplicates([m for m in a_meds if id(m) not in merged])

    lines: list[ReconciliationLine] = []
    for p in pairs:
        main = _paired_line(p, status[id(p.after)], dup_b, dup_a)
        lines.append(main)
        # a repeated line keeps a line of its own (every medication is on exactly one line), right after the
        # line it repeats, 'unchanged' since it adds nothing to reconcile
        for m in p.merged_before:
            lines.append(_repeat_line(m, None, p))
        for m in p.merged_after:
            lines.append(_repeat_line(None, m, p))
    for b in lone_b:
        review = _review(b) + _dup_review(b, dup_b, BEFORE_FR)
        line = _line("stopped", b, None, reason=_reason_stop(b, a_meds), review=review)
        lines.append(line)
    for a in lone_a:
        st = status[id(a)]
        review = _review(a) + _dup_review(a, dup_a, AFTER_FR)
        if st in ("stopped", "suspended"):
            # the hospital names a stop of a drug the usual treatment did not list
            lines.append(_line(st, None, a, reason=reason_for(a),
                               review=[*review, _STOP_NOT_BEFORE]))
        else:
            if not has_posology(a) and a.strength is None:
                review.append(f"{a.drug_text} : nommé sans posologie dans la prescription hospitalière "
                              "(mention ou prescription ?)")
            line = _line("added", None, a, reason=reason_for(a), review=review)
            lines.append(line)
    _reasons_written_elsewhere(lines, b_meds, a_meds)
    _flag_duplicates(lines, b_meds, a_meds, status, merged)
    _flag_omissions(lines, b_meds)
    for i, line in enumerate(lines, start=1):
        line.id = f"l{i}"
    if during is not None:
        _apply_during(lines, b_meds, a_meds, list(during.medications))
    for line in lines:
        line.documented = None if line.status == "unchanged" else bool(line.reason)
    report = ReconciliationReport(before=before, after=after, lines=lines, summary={})
    report.alerts = report_alerts(before, after, lines) or None
    summary = {s: sum(1 for ln in lines if ln.status == s) for s in LINE_STATUSES}
    summary["needs_review"] = sum(1 for ln in lines if ln.needs_review)
    report.summary = summary
    return report


# -- safety flags --------------------------------------------------------------------------------


def _flag_omissions(lines: list[ReconciliationLine], before: list[Medication]) -> None:
    """A usual drug absent from the hospital prescription with no written reason is the most frequent
    unintentional divergence: it stays 'stopped' (the contract's word) but is told apart as a possible
    omission, to be confirmed by the pharmacist."""
    by_b = {m.id: m for m in before}
    for line in lines:
        b = by_b.get(line.before or "")
        if (line.status != "stopped" or line.after is not None or line.reason or b is None
                or b.status in ("stopped", "suspended")):
            continue
        line.omission = True
        _add_review(line, f"{b.drug_text} : {POSSIBLE_OMISSION}")


def _flag_duplicates(lines: list[ReconciliationLine], before: list[Medication], after: list[Medication],
                     status: dict[int, str], merged: set[int]) -> None:
    """One substance prescribed on two lines of one list (not a restated line: those were joined as repeats)
    is two lines and a duplication alert, with the substance's total daily dose on each side."""
    for meds, side, key in ((before, BEFORE_FR, "before"), (after, AFTER_FR, "after")):
        active = [m for m in meds if id(m) not in merged and status.get(id(m), m.status) in ("active", "new")]
        groups: list[list[Medication]] = []
        for m in active:
            group = next((g for g in groups if same_drug(g[0], m)), None)
            if group is None:
                groups.append([m])
            else:
                group.append(m)
        for group in groups:
            if len(group) < 2:
                continue
            ids = {m.id for m in group}
            strengths = " / ".join(f"{m.drug_text} {_strength_text(m)}" for m in group)
            count = "deux" if len(group) == 2 else str(len(group))
            reason = f"{group[0].drug_text} : même substance sur {count} lignes dans {side} ({strengths}) : doublon ?"
            total = _total_note(group[0], before, after, status)
            for line in lines:
                if getattr(line, key) in ids:
                    line.duplicate = True
                    _add_review(line, reason)
                    if total:
                        _add_note(line, total)


# -- statuses ------------------------------------------------------------------------------------


def _text(med: Medication) -> str:
    return " ".join(t for t in (med.text, med.comment) if t)


def _after_status(med: Medication) -> str:
    """The status of an AFTER line as a pharmacist reads it."""
    text = _text(med)
    if med.status in ("stopped", "suspended"):
        if has_posology(med) and _TAPER.search(text):
            return "active"  # a regimen with an end: prescribed for a time
        return med.status
    if med.status == "active" and med.dose is None and not (med.frequency and med.frequency.per_day):
        cleaned = _NEGATED_STOP.sub(" ", text)
        if _SUSPEND_CUE.search(cleaned):
            return "suspended"
        if _STOP_CUE.search(cleaned):
            return "stopped"
    return med.status


def _bare(med: Medication) -> bool:
    return med.strength is None and med.dose is None and not (med.frequency and med.frequency.per_day)


def _real(med: Medication) -> bool:
    """A prescription rather than a name: it gives at least a strength or a dose."""
    return med.strength is not None or med.dose is not None


def _full(med: Medication) -> bool:
    """A line with a real posology (not a name quoted in a paragraph)."""
    return med.dose is not None or bool(med.frequency and med.frequency.per_day)


# -- pairing -------------------------------------------------------------------------------------


def _similarity(b: Medication, a: Medication) -> float:
    score = 0.0
    if b.strength is not None and a.strength is not None and not strengths_differ(b.strength, a.strength):
        score += 20
    if b.dose is not None and a.dose is not None and quantities_differ(b.dose, a.dose) is False:
        score += 8
    fb = b.frequency.per_day if b.frequency else None
    fa = a.frequency.per_day if a.frequency else None
    if fb is not None and fa is not None and abs(fb - fa) < 1e-3:
        score += 8
    ddb, dda = daily_dose(b), daily_dose(a)
    if ddb and dda and quantities_differ(ddb, dda) is False:
        score += 10
    if b.route and a.route and b.route == a.route:
        score += 4
    return score


def _pair_score(b: Medication, a: Medication, a_status: str) -> tuple[str, float] | None:
    if same_drug(b, a):
        base = 1000.0 if (_real(a) or a_status != "active") else 600.0
        return SAME, base + _similarity(b, a)
    if same_combination(b, a):
        return SAME, 800.0 + _similarity(b, a)
    if a_status in ("stopped", "suspended"):
        return None
    klass = same_class(b, a)
    if not klass and _has_class(b) and _has_class(a):
        return None  # two known classes that differ: only a written replacement could pair them, below
    cue = substitution_cue(a)
    named = bool(a.comment) and mentions(_text(a), b)
    if klass:
        base = 500.0
        if named and cue:
            base += 400
        elif named:
            base += 250
        elif cue:
            base += 150
        return CLASS, base + _similarity(b, a) / 10
    if named and cue:
        return CLASS, 450.0
    return None


def _has_class(med: Medication) -> bool:
    return class_atc(med) is not None


def _pair(before: list[Medication], after: list[Medication], status: dict[int, str]
          ) -> tuple[list[_Pair], list[Medication], list[Medication]]:
    cands: list[tuple[float, int, int, str]] = []
    for i, b in enumerate(before):
        for j, a in enumerate(after):
            found = _pair_score(b, a, status[id(a)])
            if found:
                cands.append((found[1], i, j, found[0]))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_b: set[int] = set()
    used_a: set[int] = set()
    pairs: list[tuple[int, _Pair]] = []
    for score, i, j, kind in cands:
        if i in used_b or j in used_a:
            continue
        rivals = [c for c in cands if c[0] == score and (c[1] == i) != (c[2] == j)
                  and c[1] not in used_b and c[2] not in used_a]
        used_b.add(i)
        used_a.add(j)
        pairs.append((i, _Pair(before[i], after[j], kind, score, ambiguous=bool(rivals))))
    pairs.sort(key=lambda p: p[0])
    lone_b = [b for i, b in enumerate(before) if i not in used_b]
    lone_a = [a for j, a in enumerate(after) if j not in used_a]
    return [p for _, p in pairs], lone_b, lone_a


def _absorb_repeats(pairs: list[_Pair], lone_b: list[Medication], lone_a: list[Medication],
                    status: dict[int, str]) -> tuple[list[Medication], list[Medication]]:
    """Lines left over that only repeat a drug already on a line join that line."""
    keep_b: list[Medication] = []
    for b in lone_b:
        target = next((p for p in pairs if same_drug(p.before, b) and _repeats(b, p.before)), None)
        if target is None:
            keep_b.append(b)
        else:
            target.merged_before.append(b)
    keep_a: list[Medication] = []
    for a in lone_a:
        target = None
        if status[id(a)] == "active":
            target = next((p for p in pairs if same_drug(p.after, a) and _repeats(a, p.after)), None)
            if target is None and not _real(a):
                # the replaced drug named in the hospital document ("remplace AZOPT", a history paragraph)
                target = next((p for p in pairs if p.kind == CLASS and same_drug(p.before, a)), None)
        if target is None:
            keep_a.append(a)
        else:
            target.merged_after.append(a)
    return keep_b, keep_a


def _repeats(extra: Medication, kept: Medication) -> bool:
    """``extra`` says nothing more than ``kept``: no posology of its own, or the same strength and posology."""
    if not _full(extra):
        return extra.strength is None or not strengths_differ(extra.strength, kept.strength)
    if strengths_differ(extra.strength, kept.strength):
        return False
    return not compare(kept, extra)


# -- lines ---------------------------------------------------------------------------------------


def _paired_line(p: _Pair, a_status: str, dup_b: dict[int, list[str]], dup_a: dict[int, list[str]]
                 ) -> ReconciliationLine:
    b, a = p.before, p.after
    review = _review(b) + _review(a) + _dup_review(b, dup_b, BEFORE_FR) + _dup_review(a, dup_a, AFTER_FR)
    if p.ambiguous:
        review.append(f"{b.drug_text} : appariement ambigu (plusieurs lignes candidates)")
    notes: list[str] = []
    for m in p.merged_before + p.merged_after:
        replaced = p.kind == CLASS and m in p.merged_after and same_drug(m, p.before)
        notes.append(f"{m.drug_text} ({m.id}) : " + ("nom du médicament remplacé" if replaced else "même médicament"))
    if a_status == "mention":
        review.append(f"{a.drug_text} : seulement nommé dans la prescription hospitalière, sans dosage ni "
                      "posologie : considéré arrêté")
        line = _line("stopped", b, a, reason=reason_for(a), review=review)
    elif a_status == "stopped":
        line = _line("stopped", b, a, reason=reason_for(a), review=review)
    elif a_status == "suspended":
        line = _line("suspended", b, a, reason=reason_for(a), review=review)
    elif p.kind == CLASS:
        line = _line("substituted", b, a, reason=reason_for(a), review=review)
        line.changes = [Change(field="substance", before=sorted(substance_keys(b)), after=sorted(substance_keys(a)),
                               daily_dose_before=daily_dose(b), daily_dose_after=daily_dose(a))]
        if not same_class(b, a):
            review.append(f"{b.drug_text} → {a.drug_text}: remplacement écrit, classes ATC différentes")
    else:
        changes = compare(b, a)
        if not changes and change_cue(a):
            changes = [_cue_change(b, a)]
            review.append(f"{a.drug_text} : modification écrite dans la prescription hospitalière mais non "
                          "retrouvée dans la posologie")
        if not changes:
            review += _one_sided(b, a)
            line = _line("unchanged", b, a, reason=None, review=review)
            if is_brand_switch(b, a):
                notes.insert(0, BRAND_NOTE)
        else:
            line = _line("modified", b, a, reason=reason_for(a), review=review)
            line.changes = changes
            schedule = same_schedule_note(changes)
            notes.insert(0, schedule or daily_dose_note(changes) or "")
            if is_brand_switch(b, a):
                notes.append(BRAND_NOTE)
    line.review_reasons = review
    line.needs_review = bool(review)
    notes = [n for n in notes if n]
    line.note = " ; ".join(notes) if notes else None
    return line


def _one_sided(b: Medication, a: Medication) -> list[str]:
    """'Unchanged' holds only for what both lines write: a dose, a rhythm or a strength written on one side of
    two prescriptions ("2 cp le soir" → "le soir") is unknown on the other, not equal."""
    if not (_full(b) and _full(a)):
        return []  # a name without posology on one side is handled as a mention or a continuation
    missing: list[str] = []
    if (b.dose is None) != (a.dose is None):
        missing.append("dose")
    fb = bool(b.frequency and b.frequency.per_day)
    fa = bool(a.frequency and a.frequency.per_day)
    if fb != fa:
        missing.append("fréquence")
    if (b.strength is None) != (a.strength is None):
        missing.append("dosage")
    if not missing:
        return []
    where = {True: "le traitement habituel", False: "la prescription hospitalière"}
    out = []
    for what in missing:
        known_before = {"dose": b.dose is not None, "fréquence": fb, "dosage": b.strength is not None}[what]
        out.append(f"{a.drug_text} : {what} écrite dans {where[known_before]} seulement : "
                   "inchangé non vérifiable")
    return out


def _repeat_line(b: Medication | None, a: Medication | None, p: _Pair) -> ReconciliationLine:
    med = b or a
    assert med is not None
    side, main = (BEFORE_FR, p.before) if b is not None else (AFTER_FR, p.after)
    if a is not None and p.kind == CLASS and same_drug(a, p.before):
        what = f"nom du médicament remplacé par {p.after.drug_text} ({p.after.id})"
    elif not _real(med):
        what = f"nommé sans posologie, rattaché à {main.drug_text} ({main.id})"
    else:
        what = f"ligne répétée (même médicament, même posologie que {main.drug_text} ({main.id}))"
    line = _line("unchanged", b, a, reason=None, review=[f"{med.drug_text}: {what} dans {side}"])
    line.note = f"{what} : rien à concilier sur cette ligne"
    return line


def _cue_change(b: Medication, a: Medication) -> Change:
    field_name = "strength" if (b.strength is None) != (a.strength is None) else "dose"
    bq: Quantity | None = b.strength if field_name == "strength" else b.dose
    aq: Quantity | None = a.strength if field_name == "strength" else a.dose
    return Change(field=field_name,  # type: ignore[arg-type]
                  before=None if bq is None else bq.model_dump(mode="json"),
                  after=None if aq is None else aq.model_dump(mode="json"),
                  daily_dose_before=daily_dose(b), daily_dose_after=daily_dose(a))


def _class_duplicates(meds: list[Medication]) -> dict[int, list[str]]:
    """Lines of one list that share an ATC level-4 class with another line of a different substance."""
    out: dict[int, list[str]] = {}
    for i, m in enumerate(meds):
        ca = class_atc(m)
        if not ca or m.status in ("stopped", "suspended"):
            continue
        for j, n in enumerate(meds):
            if i != j and class_atc(n) == ca and not same_drug(m, n) and n.status not in ("stopped", "suspended"):
                out.setdefault(id(m), []).append(n.drug_text)
    return out


def _dup_review(med: Medication, dups: dict[int, list[str]], side: str) -> list[str]:
    others = dups.get(id(med))
    if not others:
        return []
    return [f"{med.drug_text} : même classe ATC ({class_atc(med)}) que {', '.join(others)} dans {side} (doublon ?)"]


def _total_note(med: Medication, before: list[Medication], after: list[Medication], status: dict[int, str]
                ) -> str | None:
    """One substance on several lines: its total daily dose before and after, as one drug."""
    totals = []
    for meds in (before, after):
        doses = [daily_dose(m) for m in meds if same_drug(m, med) and status.get(id(m), "active") == "active"]
        if not doses or any(d is None for d in doses) or len({d.unit for d in doses if d}) != 1:
            return None
        known = [d for d in doses if d is not None]
        totals.append(Quantity(value=round(sum(d.value for d in known), 4), unit=known[0].unit))
    b, a = totals
    same = quantities_differ(b, a) is False
    verdict = "inchangée" if same else "modifiée"
    return f"dose quotidienne totale de la substance {b.value:g} {b.unit} → {a.value:g} {a.unit} ({verdict})"


def _strength_text(med: Medication) -> str:
    return f"{med.strength.value:g} {med.strength.unit}" if med.strength else "?"


def _reason_stop(b: Medication, after: list[Medication]) -> str | None:
    """A stopped line's own justification, when the usual treatment's line says why."""
    return reason_for(b) if b.comment and _STOP_CUE.search(b.comment) else None


_ELSEWHERE_CUE = re.compile(r"baisse|hausse|diminu|augment|r[ée]duc|r[ée]dui|major|minor|doubl", re.IGNORECASE)


def _reasons_written_elsewhere(lines: list[ReconciliationLine], before: list[Medication],
                               after: list[Medication]) -> None:
    """A discrepancy with no justification on its own lines takes the one of an AFTER line that names the drug
    with a cue ("baisse du Coaprovel ; arrêt du Lercan (hypotension orthostatique)", "remplace INEXIUM")."""
    by_b = {m.id: m for m in before}
    by_a = {m.id: m for m in after}
    for line in lines:
        if line.reason or line.status == "unchanged":
            continue
        meds = [m for m in (by_b.get(line.before or ""), by_a.get(line.after or "")) if m is not None]
        for other in after:
            if any(other is m for m in meds):
                continue
            text = _text(other)
            if not any(mentions(text, m) for m in meds):
                continue
            if not (_STOP_CUE.search(text) or _SUSPEND_CUE.search(text) or substitution_cue(other)
                    or change_cue(other) or _ELSEWHERE_CUE.search(text)):
                continue
            if (line.status == "added" and _after_status(other) in ("stopped", "suspended")
                    and not substitution_cue(other)):
                continue  # a stop or a suspension explains its own line, not a drug it names in passing
            found = justification(other.comment or text, None)
            if found:
                line.reason = found
                break


def _review(med: Medication) -> list[str]:
    reasons = [f"{med.drug_text} : {r}" for r in med.review_reasons if r not in _POSOLOGY_ONLY]
    if med.link.method == "none" and not any("reference" in r or "référen" in r for r in med.review_reasons):
        reasons.append(f"{med.drug_text} : {DRUG_NOT_IN_REFERENCE}")
    return reasons


def _line(status: str, b: Medication | None, a: Medication | None, *, reason: str | None,
          review: list[str]) -> ReconciliationLine:
    conf = min([m.confidence for m in (b, a) if m is not None] or [1.0])
    return ReconciliationLine(
        id="l0", status=status,  # type: ignore[arg-type]
        before=b.id if b else None, after=a.id if a else None,
        changes=[], reason=reason, needs_review=bool(review), confidence=round(conf, 4),
        review_reasons=review,
    )


# -- the treatment during the stay ---------------------------------------------------------------

DURING_KEPT_NOTE = "modification faite pendant le séjour et poursuivie à la sortie"
DURING_STARTED_NOTE = "traitement débuté pendant le séjour et poursuivi à la sortie"


def _same_as(during: Medication, after: Medication) -> bool:
    """The AFTER line prescribes exactly the DURING one: same drug, strength and posology."""
    return (same_drug(during, after) and not strengths_differ(during.strength, after.strength)
            and not compare(during, after))


def _add_note(line: ReconciliationLine, note: str) -> None:
    if line.note and note in line.note:
        return
    line.note = f"{line.note} ; {note}" if line.note else note


def _add_review(line: ReconciliationLine, reason: str) -> None:
    if reason not in line.review_reasons:
        line.review_reasons.append(reason)
    line.needs_review = True


def _apply_during(lines: list[ReconciliationLine], before: list[Medication], after: list[Medication],
                  during: list[Medication]) -> None:
    """Compare the lines with the hospital's treatment during the stay (DURING).

    * a modified / substituted line whose AFTER is exactly a DURING line of the same drug gets the note
      ``DURING_KEPT_NOTE`` (an added line: ``DURING_STARTED_NOTE``); a written reason is kept as it is;
    * a stopped line whose BEFORE drug is still given in DURING (and absent from AFTER) is flagged for review;
    * a DURING drug found neither in AFTER nor in BEFORE is flagged on the line of the same ATC class when
      there is one, else on the first line (the report has no report-level field for it).
    """
    active = [d for d in during if d.status not in ("stopped", "suspended")]
    if not active or not lines:
        return
    by_b = {m.id: m for m in before}
    by_a = {m.id: m for m in after}
    for line in lines:
        a = by_a.get(line.after or "")
        b = by_b.get(line.before or "")
        if a is not None and line.status in ("modified", "substituted", "added"):
            if any(_same_as(d, a) for d in active):
                _add_note(line, DURING_STARTED_NOTE if line.status == "added" else DURING_KEPT_NOTE)
        elif b is not None and line.status == "stopped" and a is None:
            given = next((d for d in active if same_drug(d, b)), None)
            if given is not None and not any(same_drug(given, m) for m in after):
                _add_review(line, f"{b.drug_text}: donné pendant le séjour ({given.drug_text}) mais absent de "
                                  "la sortie : arrêt à confirmer")
    for d in active:
        if any(same_drug(d, m) for m in after) or any(same_drug(d, m) for m in before):
            continue
        target = None
        for line in lines:
            meds = [m for m in (by_b.get(line.before or ""), by_a.get(line.after or "")) if m is not None]
            if any(same_class(d, m) for m in meds):
                target = line
                break
        _add_review(target or lines[0],
                    f"{d.drug_text} : donné pendant le séjour, ni dans le traitement habituel ni dans la "
                    "prescription de sortie "
                    "(arrêté avant la sortie ou oublié ?)")
