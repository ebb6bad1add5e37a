"""Field-level comparison of two lines of the same drug, with daily doses.

The rule throughout: a field changes only when it is known on both sides and the two values
differ once written the same way ("1 g" = "1000 mg", "1 cp" of a 40 mg tablet = "40 mg",
"gélule" = "capsule", "100 µg" = "100 µg/dose"). A value missing on one side is unknown,
not changed — with one exception a pharmacist reads the same way: a course length (duration)
that appears in AFTER limits a treatment that had none.
"""

from __future__ import annotations

import re

from recon.models import Change, Medication, Quantity
from recon.reference import fold

MASS = {"ng": 1e-6, "µg": 1e-3, "mcg": 1e-3, "ug": 1e-3, "mg": 1.0, "g": 1000.0}
VOLUME = {"ml": 1.0, "l": 1000.0}
# concentrations in mg/ml ("0,005 %" = "50 µg/ml")
# ("%" of a cream is w/w: mg/g is compared as mg/ml)
CONCENTRATION = {"%": 10.0, "mg/ml": 1.0, "µg/ml": 1e-3, "g/l": 1.0, "mg/l": 1e-3, "g/ml": 1000.0, "g/100 ml": 10.0,
                 "mg/g": 1.0, "µg/g": 1e-3}
# units written differently for the same thing
_UNIT_ALIASES = {
    "unité": "UI", "unités": "UI", "u": "UI", "ui": "UI", "capsule": "gélule", "cp": "comprimé", "gél": "gélule",
    "μg": "µg", "mcg": "µg", "ug": "µg", "cuillère-mesure": "dose",
}
# a per-dose or per-hour strength is compared with a plain one: "100 µg/dose" = "100 µg", "25 µg/h" = "25 µg"
_RATE_SUFFIX = re.compile(r"/(?:dose|h|24\s*h|jour|j|pulvérisation|bouffée|inhalation)$")
# countable units of administration that name the pharmaceutical form
_FORM_UNITS = {
    "comprimé": "comprimé", "gélule": "gélule", "sachet": "sachet", "suppositoire": "suppositoire",
    "ovule": "ovule", "patch": "patch", "ampoule": "ampoule", "stylo": "injectable", "seringue": "injectable",
    "bouffée": "inhalateur",
}
# a form named by a dose unit ("2 bouffées") against a written form family: which ones agree
_UNIT_FORM_AGREES = {
    "comprimé": {"comprimé"}, "gélule": {"gélule", "poudre pour inhalation"},
    "sachet": {"sachet", "buvable"}, "ampoule": {"ampoule", "buvable", "injectable"},
    "injectable": {"injectable"}, "inhalateur": {"aérosol", "poudre pour inhalation", "spray nasal"},
    "patch": {"patch"}, "suppositoire": {"suppositoire"}, "ovule": {"ovule"},
}
COUNTABLE = frozenset({
    "comprimé", "gélule", "capsule", "sachet", "ampoule", "flacon", "goutte", "bouffée", "dose", "application",
    "suppositoire", "ovule", "patch", "stylo", "seringue", "cuillère à café", "cuillère à soupe", "cuillère-mesure",
    "pipette", "unité",
})
# forms that are the same for the patient
_FORM_FAMILY = {
    "comprimé effervescent": "comprimé", "comprimé orodispersible": "comprimé",
    "comprimé à libération prolongée": "comprimé", "capsule": "gélule", "poudre": "sachet", "granulés": "sachet",
    "solution buvable": "buvable", "sirop": "buvable", "suspension buvable": "buvable", "gouttes buvables": "buvable",
    "solution injectable": "injectable", "suspension injectable": "injectable", "stylo injectable": "injectable",
}
_AS_NEEDED_CUE = re.compile(
    r"\bsi\b|\ben\s+cas\s+d|\bbesoin\b|\bà\s+la\s+demande\b|\bselon\b|\bsb\b|\bprn\b|\bmax(?:imum)?\b", re.IGNORECASE)
SAME_DAILY_DOSE_NOTE = "même dose journalière, autre schéma de prise"


def unit_of(q: Quantity | None) -> str | None:
    if q is None:
        return None
    unit = q.unit.strip()
    unit = _UNIT_ALIASES.get(unit, _UNIT_ALIASES.get(unit.lower(), unit))
    return unit


def to_base(q: Quantity | None) -> tuple[float, str] | None:
    """A quantity in a comparable base: mass in mg, volume in ml, anything else as written."""
    if q is None:
        return None
    unit = unit_of(q) or ""
    plain = _RATE_SUFFIX.sub("", unit)
    if plain in MASS:
        return q.value * MASS[plain], "mg"
    if plain in VOLUME:
        return q.value * VOLUME[plain], "ml"
    if plain == "UI":
        return q.value, "UI"
    if unit in CONCENTRATION:
        return q.value * CONCENTRATION[unit], "mg/ml"
    return q.value, unit


def _close(x: float, y: float) -> bool:
    return abs(x - y) <= 1e-3 * max(1.0, abs(x), abs(y)) or abs(x - y) <= 1e-6


def quantities_differ(a: Quantity | None, b: Quantity | None) -> bool | None:
    """True/False when both are known and comparable, None otherwise."""
    ba, bb = to_base(a), to_base(b)
    if ba is None or bb is None or ba[1] != bb[1]:
        return None
    return not _close(ba[0], bb[0])


def strengths_differ(a: Quantity | None, b: Quantity | None) -> bool:
    """Two written strengths differ: known on both sides and not equal (units that cannot be compared,
    such as "100 µg/dose" and "5 mg/2,5 ml", are two different presentations)."""
    if a is None or b is None:
        return False
    diff = quantities_differ(a, b)
    if diff is not None:
        return diff
    return True


def _countable(q: Quantity | None) -> bool:
    return q is not None and (unit_of(q) in COUNTABLE or q.unit in COUNTABLE)


def amount_per_intake(med: Medication, dose: Quantity | None = None) -> tuple[float, str] | None:
    """What one intake contains: '1 cp' of '40 mg' → 40 mg; a dose written in mg as such."""
    dose_q = dose if dose is not None else med.dose
    d = to_base(dose_q)
    if d is None:
        return None
    if d[1] in ("mg", "UI", "ml", "mmol", "mEq"):
        return d
    s = to_base(med.strength)
    if _countable(dose_q) and s is not None and s[1] in ("mg", "UI", "mmol", "mEq"):
        return d[0] * s[0], s[1]
    return d


def _amount(med: Medication, dose: Quantity | None) -> tuple[float, str] | None:
    """Like ``amount_per_intake``, and a volume of a solution in mg: '0,25 ml' of '1 mg/ml' → 0.25 mg."""
    d = to_base(dose)
    s = to_base(med.strength)
    if d is not None and d[1] == "ml" and s is not None and s[1] == "mg/ml":
        return d[0] * s[0], "mg"
    return amount_per_intake(med, dose)


def daily_dose(med: Medication, dose: Quantity | None = None) -> Quantity | None:
    per = amount_per_intake(med, dose)
    if per is None or not med.frequency or not med.frequency.per_day:
        return None
    value = round(per[0] * med.frequency.per_day, 4)
    return Quantity(value=value, unit=per[1])


def has_posology(med: Medication) -> bool:
    return med.dose is not None or bool(med.frequency and med.frequency.per_day) or med.duration is not None


def _unit_form(med: Medication) -> str | None:
    unit = unit_of(med.dose)
    return _FORM_UNITS.get(unit) if unit else None


def _field_form(med: Medication) -> str | None:
    return _FORM_FAMILY.get(med.form, med.form) if med.form else None


def forms_differ(before: Medication, after: Medication) -> bool:
    """The pharmaceutical form changed: by the units of the doses when both name a form ("1 gél" → "1 cp"),
    otherwise by the written forms, as families (a comprimé LP is a comprimé, a capsule a gélule)."""
    ub, ua = _unit_form(before), _unit_form(after)
    if ub and ua:
        return ub != ua
    fb, fa = _field_form(before), _field_form(after)
    if fb and fa:
        if fb == fa:
            return False
        # a written form against a dose that names the same form on the other side: no change
        return not ((ub and fa in _UNIT_FORM_AGREES.get(ub, {ub})) or (ua and fb in _UNIT_FORM_AGREES.get(ua, {ua})))
    if ub and fa and not fb:
        return fa not in _UNIT_FORM_AGREES.get(ub, {ub})
    if ua and fb and not fa:
        return fb not in _UNIT_FORM_AGREES.get(ua, {ua})
    return False


def _forms_known_same(before: Medication, after: Medication) -> bool:
    ub, ua = _unit_form(before), _unit_form(after)
    if ub and ua:
        return ub == ua
    fb, fa = _field_form(before), _field_form(after)
    return bool(fb and fa and fb == fa)


def as_needed_cue(med: Medication) -> bool:
    """The line reads as 'if needed' (its flag, or words such as 'si', 'en cas de', 'selon')."""
    if med.as_needed:
        return True
    text = " ".join(t for t in (med.comment, med.as_needed_reason, med.frequency.text if med.frequency else None,
                                med.text) if t)
    return bool(_AS_NEEDED_CUE.search(text))


def compare(before: Medication, after: Medication) -> list[Change]:
    """The fields that changed from ``before`` to ``after`` (only fields known on both sides)."""
    changes: list[Change] = []
    dose_b, dose_a = before.dose, after.dose
    dd_b, dd_a = daily_dose(before), daily_dose(after)

    def add(field: str, b: object, a: object) -> None:
        changes.append(Change(field=field, before=b, after=a,  # type: ignore[arg-type]
                              daily_dose_before=dd_b, daily_dose_after=dd_a))

    strength_changed = strengths_differ(before.strength, after.strength)
    if strength_changed:
        add("strength", _q(before.strength), _q(after.strength))
    if _dose_differs(before, after, dose_b, dose_a, strength_changed):
        add("dose", _q(before.dose), _q(after.dose))
    fb = before.frequency.per_day if before.frequency else None
    fa = after.frequency.per_day if after.frequency else None
    if fb is not None and fa is not None and not _close(fb, fa):
        add("frequency", _freq(before), _freq(after))
    route_changed = bool(before.route and after.route and before.route != after.route)
    if route_changed:
        add("route", before.route, after.route)
    # a tablet given IV is another form: a change of route changes the form unless both forms are known the same
    if forms_differ(before, after) or (route_changed and not _forms_known_same(before, after)):
        add("form", before.form or unit_of(before.dose), after.form or unit_of(after.dose))
    db = before.duration.days if before.duration else None
    da = after.duration.days if after.duration else None
    if da is not None and (db is None or not _close(db, da)):
        add("duration", db, da)
    if (before.as_needed != after.as_needed and has_posology(before) and has_posology(after)
            and as_needed_cue(before) != as_needed_cue(after)):
        add("as_needed", before.as_needed, after.as_needed)
    return changes


def _dose_differs(before: Medication, after: Medication, dose_b: Quantity | None, dose_a: Quantity | None,
                  strength_changed: bool) -> bool:
    if dose_b is None or dose_a is None:
        return False
    ub, ua = to_base(dose_b), to_base(dose_a)
    if ub is not None and ua is not None and ub[1] == ua[1]:
        return not _close(ub[0], ua[0])
    # "1 gél" → "1 cp": a change of form, not of dose, unless the count changed too ("6 cp" → "1 seringue")
    if _countable(dose_b) and _countable(dose_a):
        return not _close(dose_b.value, dose_a.value)
    # a count against a mass: compare what one intake contains ("1 cp" of 40 mg = "40 mg")
    pb, pa = _amount(before, dose_b), _amount(after, dose_a)
    if pb and pa and pb[1] == pa[1]:
        return not _close(pb[0], pa[0])
    # a count against a mass with no strength to convert: unknown, unless the strength changed anyway
    return False


def _freq(med: Medication) -> dict[str, object] | None:
    return med.frequency.model_dump(mode="json") if med.frequency else None


def _q(q: Quantity | None) -> dict[str, object] | None:
    return None if q is None else q.model_dump(mode="json")


def same_schedule_note(changes: list[Change]) -> str | None:
    """'same daily dose, other schedule' when the daily dose is unchanged but the schedule is not."""
    for c in changes:
        if c.daily_dose_before and c.daily_dose_after and c.field in ("dose", "frequency", "strength"):
            b, a = to_base(c.daily_dose_before), to_base(c.daily_dose_after)
            if b and a and b[1] == a[1] and _close(b[0], a[0]):
                if any(x.field in ("dose", "frequency") for x in changes):
                    return SAME_DAILY_DOSE_NOTE
                return "même dose journalière"
    return None


def daily_dose_note(changes: list[Change]) -> str | None:
    """'dose journalière X → Y' for a modified line whose daily doses are known on both sides."""
    for c in changes:
        if c.daily_dose_before and c.daily_dose_after:
            b, a = c.daily_dose_before, c.daily_dose_after
            return f"dose journalière {_fmt(b)} → {_fmt(a)}"
    return None


def _fmt(q: Quantity) -> str:
    value = f"{q.value:g}".replace(".", ",")
    return f"{value} {q.unit}"


def is_brand_switch(before: Medication, after: Medication) -> bool:
    """The two lines name the drug differently (a brand and its DCI, or two brands)."""
    wb, wa = fold(before.drug_text).split(), fold(after.drug_text).split()
    return bool(wb and wa and wb[0] != wa[0])
