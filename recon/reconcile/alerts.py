"""Report-level alerts of a reconciliation (``ReconciliationReport.alerts``), messages in French.

Codes:

- ``A101`` (high): the patient identities written in the usual-treatment documents and in the hospital
  prescription disagree (name, birth date, sex or INS). The message names the items only, never the
  patient's name or dates (messages may end up in logs).
- ``A201`` (high; info when the line is stopped): a medication of either list falls under an allergy
  or intolerance written in the documents; the line concerned is flagged for review with the reason.
- ``A301`` (medium): the hospital prescription is an admission or a stay prescription, not a discharge
  one: a letter built from it does not give the discharge treatment.
- ``A401`` (medium): one substance on several lines of one list (lines marked ``duplicate`` by the
  engine): a duplication to check.
"""

from __future__ import annotations

from collections.abc import Callable

from recon.models import Alert, Allergy, Medication, MedicationList, PatientFacts, ReconciliationLine
from recon.reconcile.identity import same_drug
from recon.reference import fold

A101 = "A101"
A201 = "A201"
A301 = "A301"
A401 = "A401"
ALERT_CODES = {
    A101: "identités du patient différentes entre les documents",
    A201: "médicament couvert par une allergie ou une intolérance notée",
    A301: "prescription hospitalière d'admission ou de séjour, pas de sortie",
    A401: "même substance sur plusieurs lignes d'une liste (doublon ?)",
}

_BEFORE = "du traitement habituel"
_AFTER = "de la prescription hospitalière"
_WHERE = {_BEFORE: "traitement habituel", _AFTER: "prescription hospitalière"}
_NAME_NOISE = frozenset({"epouse", "ep", "nee", "ne", "veuve", "vve", "dite", "mme", "m", "mr", "madame", "monsieur"})


# -- identity -------------------------------------------------------------------------------------------

def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in fold(name).split() if w not in _NAME_NOISE)


def _same_name(a: str, b: str) -> bool:
    """Same words once folded, in any order; a name written with fewer words (a first name left out)
    agrees with the longer one."""
    wa, wb = _name_words(a), _name_words(b)
    if not wa or not wb:
        return True
    return wa <= wb or wb <= wa


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def patient_conflicts(patients: list[PatientFacts]) -> list[str]:
    """The French names of the identity items that disagree between the given identities ('nom',
    'date de naissance', 'sexe', 'INS'), an item written on one side only being no disagreement;
    [] when they agree."""
    items: list[tuple[str, Callable[[PatientFacts], str | None]]] = [
        ("nom", lambda p: p.name),
        ("date de naissance", lambda p: p.birth_date),
        ("sexe", lambda p: p.sex),
        ("INS", lambda p: _digits(p.ins) if p.ins else None),
    ]
    out: list[str] = []
    present = [p for p in patients if p is not None]
    for label, get in items:
        values = [v for v in (get(p) for p in present) if v]
        if len(values) < 2:
            continue
        if label == "nom":
            differ = any(not _same_name(values[0], v) for v in values[1:])
        else:
            differ = any(v != values[0] for v in values[1:])
        if differ:
            out.append(label)
    return out


def _identity_alert(before: MedicationList, after: MedicationList) -> Alert | None:
    pb = before.facts.patient if before.facts else None
    pa = after.facts.patient if after.facts else None
    if pb is None or pa is None:
        return None
    differ = patient_conflicts([pb, pa])
    if not differ:
        return None
    return Alert(code=A101, severity="high", lines=[],
                 message=(f"identité du patient différente entre le traitement habituel et la prescription "
                          f"hospitalière ({', '.join(differ)}) : vérifier que les documents concernent le "
                          "même patient"))


# -- allergies ------------------------------------------------------------------------------------------

def _key(text: str) -> str:
    key = fold(text)
    return key[:-1] if key.endswith("s") and len(key) > 4 else key


def allergy_covers(allergy: Allergy, med: Medication) -> bool:
    """True when the medication falls under the allergy: one of its ATC codes (the medication's or a
    substance's) starts with a code or prefix the allergy covers, or one of its substances, or its name
    as written, is the allergen."""
    codes = [c for c in [med.atc, *(s.atc for s in med.substances)] if c]
    if any(code.startswith(prefix) for code in codes for prefix in allergy.atc if prefix):
        return True
    allergen = _key(allergy.substance)
    if len(allergen) < 3:
        return False
    if any(_key(s.name) == allergen for s in med.substances):
        return True
    written = f" {fold(med.drug_text)} "
    return f" {allergen} " in written or f" {fold(allergy.substance)} " in written


def _allergies(before: MedicationList, after: MedicationList) -> list[Allergy]:
    out: list[Allergy] = []
    seen: set[str] = set()
    for allergy in [*(before.allergies or []), *(after.allergies or [])]:
        key = _key(allergy.substance)
        if key not in seen:
            seen.add(key)
            out.append(allergy)
    return out


def _add_reason(line: ReconciliationLine, reason: str) -> None:
    if reason not in line.review_reasons:
        line.review_reasons.append(reason)
    line.needs_review = True


def _allergy_alerts(before: MedicationList, after: MedicationList,
                    lines: list[ReconciliationLine]) -> list[Alert]:
    allergies = _allergies(before, after)
    if not allergies:
        return []
    alerts: list[Alert] = []
    by_before = {m.id: m for m in before.medications}
    by_after = {m.id: m for m in after.medications}
    covered_ids: set[tuple[str, str, str]] = set()
    for allergy in allergies:
        word = "intolérance" if allergy.kind == "intolérance" else "allergie"
        for line in lines:
            meds = [(m, _AFTER) for m in [by_after.get(line.after or "")] if m is not None]
            meds += [(m, _BEFORE) for m in [by_before.get(line.before or "")] if m is not None]
            hit = next(((m, side) for m, side in meds if allergy_covers(allergy, m)), None)
            if hit is None:
                continue
            med, side = hit
            covered_ids.update((allergy.substance, s, m.id) for m, s in meds)
            reason = (f"{word} à {allergy.substance} notée dans les documents : {med.drug_text} prescrit "
                      f"({_WHERE[side]})")
            stopped = line.status == "stopped" or (med.status == "stopped" and side == _AFTER)
            if not stopped:
                _add_reason(line, reason)
            alerts.append(Alert(code=A201, message=reason, lines=[line.id], severity="info" if stopped else "high"))
        for meds, side in ((after.medications, _AFTER), (before.medications, _BEFORE)):  # lines not in the report
            for med in meds:
                if (allergy.substance, side, med.id) in covered_ids or not allergy_covers(allergy, med):
                    continue
                if any(line.after == med.id if side == _AFTER else line.before == med.id for line in lines):
                    continue
                alerts.append(Alert(code=A201, severity="high", lines=[],
                                    message=f"{word} à {allergy.substance} notée dans les documents : "
                                            f"{med.drug_text} prescrit ({_WHERE[side]})"))
    return alerts


# -- kind, duplicates -----------------------------------------------------------------------------------

_NOT_DISCHARGE = {"admission": "une prescription d'admission", "stay": "une prescription en cours de séjour"}


def _kind_alert(after: MedicationList) -> Alert | None:
    kind = after.facts.kind if after.facts else None
    if kind not in _NOT_DISCHARGE:
        return None
    return Alert(code=A301, severity="medium", lines=[],
                 message=(f"la prescription hospitalière est {_NOT_DISCHARGE[kind]}, pas de sortie : le "
                          "traitement de sortie est à confirmer avant la lettre de liaison"))


def _substance_label(med: Medication) -> str:
    names = [s.name for s in med.substances if s.name]
    return " + ".join(names) if names else med.drug_text


def _duplicate_alerts(before: MedicationList, after: MedicationList,
                      lines: list[ReconciliationLine]) -> list[Alert]:
    by_before = {m.id: m for m in before.medications}
    by_after = {m.id: m for m in after.medications}
    groups: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for line in lines:
        if not line.duplicate:
            continue
        sides = [(table[med_id], table, side) for med_id, table, side in
                 ((line.after, by_after, _AFTER), (line.before, by_before, _BEFORE)) if med_id in table]
        twinned = [(med, side) for med, table, side in sides
                   if any(m.id != med.id and same_drug(m, med) for m in table.values())]
        for med, side in twinned or [(med, side) for med, _, side in sides[:1]]:
            label = _substance_label(med)
            entry = groups.setdefault((side, fold(label)), (label, []))
            if line.id not in entry[1]:
                entry[1].append(line.id)
    return [Alert(code=A401, severity="medium", lines=ids,
                  message=f"{label} prescrite sur plusieurs lignes {side} : doublon ?")
            for (side, _), (label, ids) in groups.items()]


def report_alerts(before: MedicationList, after: MedicationList,
                  lines: list[ReconciliationLine]) -> list[Alert]:
    """The report's alerts (see the module doc); flags the lines an allergy concerns for review."""
    alerts: list[Alert] = []
    identity = _identity_alert(before, after)
    if identity is not None:
        alerts.append(identity)
    alerts += _allergy_alerts(before, after, lines)
    kind = _kind_alert(after)
    if kind is not None:
        alerts.append(kind)
    alerts += _duplicate_alerts(before, after, lines)
    return alerts


__all__ = ["A101", "A201", "A301", "A401", "ALERT_CODES", "allergy_covers", "patient_conflicts", "report_alerts"]
