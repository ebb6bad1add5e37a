"""Field-level comparison of two lines of the same drug, with daily doses."""

from __future__ import annotations

from recon.models import Change, Medication, Quantity
from recon.reference import fold

MASS = {"ng": 1e-6, "µg": 1e-3, "mg": 1.0, "g": 1000.0}
VOLUME = {"ml": 1.0, "l": 1000.0}


def to_base(q: Quantity | None) -> tuple[float, str] | None:
    """A quantity in a comparable base: mass in mg, volume in ml, anything else as written."""
    if q is None:
        return None
    if q.unit in MASS:
        return q.value * MASS[q.unit], "mg"
    if q.unit in VOLUME:
        return q.value * VOLUME[q.unit], "ml"
    return q.value, q.unit


def quantities_differ(a: Quantity | None, b: Quantity | None) -> bool | None:
    """True/False when both are known and comparable, None otherwise."""
    ba, bb = to_base(a), to_base(b)
    if ba is None or bb is None or ba[1] != bb[1]:
        return None
    return abs(ba[0] - bb[0]) > 1e-6 * max(1.0, abs(ba[0]))


def amount_per_intake(med: Medication) -> tuple[float, str] | None:
    """What one intake contains: '1 cp' of '40 mg' → 40 mg; a dose written in mg as such."""
    dose = to_base(med.dose)
    strength = to_base(med.strength)
    if dose is not None and dose[1] in ("mg", "UI", "ml", "µg"):
        return dose
    if dose is not None and strength is not None and strength[1] in ("mg", "UI", "µg/h", "µg", "%"):
        return dose[0] * strength[0], strength[1]
    if dose is None and strength is not None and med.frequency and med.frequency.per_day:
        return None
    return None


def daily_dose(med: Medication) -> Quantity | None:
    per = amount_per_intake(med)
    if per is None or not med.frequency or not med.frequency.per_day:
        return None
    value = round(per[0] * med.frequency.per_day, 4)
    return Quantity(value=value, unit=per[1])


def compare(before: Medication, after: Medication) -> list[Change]:
    """The fields that changed from ``before`` to ``after`` (only fields known on both sides)."""
    changes: list[Change] = []
    dd_b, dd_a = daily_dose(before), daily_dose(after)

    def add(field: str, b: object, a: object) -> None:
        changes.append(Change(field=field, before=b, after=a,  # type: ignore[arg-type]
                              daily_dose_before=dd_b, daily_dose_after=dd_a))

    if quantities_differ(before.strength, after.strength):
        add("strength", _q(before.strength), _q(after.strength))
    dose_diff = quantities_differ(before.dose, after.dose)
    if dose_diff is None and before.dose and after.dose:
        pb, pa = amount_per_intake(before), amount_per_intake(after)
        if pb and pa and pb[1] == pa[1]:
            dose_diff = abs(pb[0] - pa[0]) > 1e-6 * max(1.0, pb[0])
    if dose_diff and not any(c.field == "strength" for c in changes):
        add("dose", _q(before.dose), _q(after.dose))
    elif dose_diff and before.dose and after.dose and to_base(before.dose) != to_base(after.dose):
        add("dose", _q(before.dose), _q(after.dose))
    fb = before.frequency.per_day if before.frequency else None
    fa = after.frequency.per_day if after.frequency else None
    if fb is not None and fa is not None and abs(fb - fa) > 1e-3 and not (before.as_needed and after.as_needed):
        add("frequency", before.frequency.model_dump() if before.frequency else None,
            after.frequency.model_dump() if after.frequency else None)
    elif before.as_needed and after.as_needed and fb and fa and abs(fb - fa) > 1e-3:
        add("frequency", before.frequency.model_dump() if before.frequency else None,
            after.frequency.model_dump() if after.frequency else None)
    if before.route and after.route and before.route != after.route:
        add("route", before.route, after.route)
    if before.form and after.form and _form_family(before.form) != _form_family(after.form):
        add("form", before.form, after.form)
    db = before.duration.days if before.duration else None
    da = after.duration.days if after.duration else None
    if db is not None and da is not None and abs(db - da) > 1e-6:
        add("duration", db, da)
    if before.as_needed != after.as_needed:
        add("as_needed", before.as_needed, after.as_needed)
    return changes


def _form_family(form: str) -> str:
    """Forms that are the same for the patient: a 'sachet' of powder is a 'poudre' for oral use."""
    return {"poudre": "sachet", "granulés": "sachet", "capsule": "gélule"}.get(form, form)


def _q(q: Quantity | None) -> dict[str, object] | None:
    return None if q is None else q.model_dump(mode="json")


def same_schedule_note(changes: list[Change]) -> str | None:
    """'same daily dose, other schedule' when the daily dose is unchanged but the schedule is not."""
    for c in changes:
        if c.daily_dose_before and c.daily_dose_after and c.field in ("dose", "frequency", "strength"):
            b, a = to_base(c.daily_dose_before), to_base(c.daily_dose_after)
            if b and a and b[1] == a[1] and abs(b[0] - a[0]) < 1e-6 * max(1.0, b[0]):
                return "même dose journalière, autre schéma de prise"
    return None


def is_brand_switch(before: Medication, after: Medication) -> bool:
    return fold(before.drug_text) != fold(after.drug_text)
