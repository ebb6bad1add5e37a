"""Compare BEFORE (usual treatment) with AFTER (hospital prescription) into a ReconciliationReport."""

from __future__ import annotations

from recon.models import LINE_STATUSES, Medication, MedicationList, ReconciliationLine, ReconciliationReport
from recon.reconcile.compare import compare, is_brand_switch, same_schedule_note
from recon.reconcile.identity import same_class, same_drug
from recon.reconcile.reasons import reason_for


def reconcile(before: MedicationList, after: MedicationList) -> ReconciliationReport:
    pairs, lone_before, lone_after = _pair(before.medications, after.medications)
    lines: list[ReconciliationLine] = []
    for b, a, kind in pairs:
        lines.append(_paired_line(b, a, kind))
    for b in lone_before:
        lines.append(_line("stopped", b, None, reason=None, review=_review(b)))
    for a in lone_after:
        if a.status in ("stopped", "suspended"):
            # the hospital names a stop of a drug the usual treatment did not list
            lines.append(_line("stopped" if a.status == "stopped" else "suspended", None, a,
                               reason=reason_for(a), review=[*_review(a),
                                                             "stopped in AFTER but absent from BEFORE"]))
        else:
            lines.append(_line("added", None, a, reason=reason_for(a), review=_review(a)))
    for i, line in enumerate(lines, start=1):
        line.id = f"l{i}"
    summary = {s: sum(1 for ln in lines if ln.status == s) for s in LINE_STATUSES}
    summary["needs_review"] = sum(1 for ln in lines if ln.needs_review)
    return ReconciliationReport(before=before, after=after, lines=lines, summary=summary)


def _pair(before: list[Medication], after: list[Medication]
          ) -> tuple[list[tuple[Medication, Medication, str]], list[Medication], list[Medication]]:
    free_a = list(after)
    pairs: list[tuple[Medication, Medication, str]] = []
    rest_b: list[Medication] = []
    # 1. same drug; with several candidates prefer the same strength
    for b in before:
        cands = [a for a in free_a if same_drug(b, a)]
        if not cands:
            rest_b.append(b)
            continue
        same_strength = [a for a in cands if a.strength == b.strength]
        a = (same_strength or cands)[0]
        free_a.remove(a)
        pairs.append((b, a, "same"))
    # 2. same class (ATC level 4): a substitution
    lone_b: list[Medication] = []
    for b in rest_b:
        cands = [a for a in free_a if same_class(b, a) and a.status not in ("stopped", "suspended")]
        if cands:
            free_a.remove(cands[0])
            pairs.append((b, cands[0], "class"))
        else:
            lone_b.append(b)
    return pairs, lone_b, free_a


def _paired_line(b: Medication, a: Medication, kind: str) -> ReconciliationLine:
    review = _review(b) + _review(a)
    if a.status == "stopped":
        return _line("stopped", b, a, reason=reason_for(a, b), review=review)
    if a.status == "suspended":
        return _line("suspended", b, a, reason=reason_for(a, b), review=review)
    if kind == "class":
        line = _line("substituted", b, a, reason=reason_for(a, b), review=review)
        line.changes = []
        return line
    changes = compare(b, a)
    if not changes:
        note = "changement de nom commercial / DCI, mêmes substances" if is_brand_switch(b, a) else None
        line = _line("unchanged", b, a, reason=None, review=review)
        line.note = note
        return line
    line = _line("modified", b, a, reason=reason_for(a, b), review=review)
    line.changes = changes
    line.note = same_schedule_note(changes)
    return line


def _review(med: Medication) -> list[str]:
    return [f"{med.drug_text}: {r}" for r in med.review_reasons if r != "posology not found"]


def _line(status: str, b: Medication | None, a: Medication | None, *, reason: str | None,
          review: list[str]) -> ReconciliationLine:
    conf = min([m.confidence for m in (b, a) if m is not None] or [1.0])
    return ReconciliationLine(
        id="l0", status=status,  # type: ignore[arg-type]
        before=b.id if b else None, after=a.id if a else None,
        changes=[], reason=reason, needs_review=bool(review), confidence=round(conf, 4),
        review_reasons=review,
    )
