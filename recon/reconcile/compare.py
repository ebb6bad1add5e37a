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
from recon.reconcile.identity import full_atc, substance_keys
from recon.reconcile.patterns import (
    CONCENTRATION,
    IMMEDIATE_RELEASE_NAMES,
    RATE_DAILY,
    RATE_HOURLY,
    RELEASE_PROFILES,
    UNITS_PER_ML,
)
from recon.reference import fold

MASS = {"ng": 1e-6, "µg": 1e-3, "mcg": 1e-3, "ug": 1e-3, "mg": 1.0, "g": 1000.0}
VOLUME = {"ml": 1.0, "l": 1000.0}
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
SAME_DAILY_DOSE_NOTE = "même dose quotidienne, autre schéma de prise"


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


def unit_written(q: Quantity | None) -> bool:
    """The dose's unit was written on the line (extraction marks a deduced unit with a ``text`` that has no
    letters: "1-0-0" of a line that names no form)."""
    return q is not None and (q.text is None or any(c.isalpha() for c in q.text))


def strength_kind(q: Quantity | None) -> str | None:
    """'mass' (mg, UI…), 'concentration' (mg/ml, %), 'rate' (µg/h, mg/24h), or None (unknown, other)."""
    if q is None:
        return None
    unit = unit_of(q) or ""
    if unit in RATE_HOURLY or unit in RATE_DAILY:
        return "rate"
    if unit in CONCENTRATION or unit in UNITS_PER_ML:
        return "concentration"
    base = to_base(q)
    if base is not None and base[1] in ("mg", "UI", "mmol", "mEq"):
        return "mass"
    return None


def _concentration(med: Medication) -> tuple[float, str] | None:
    """The strength as an amount per ml: (mg per ml, 'mg') or (UI per ml, 'UI')."""
    q = med.strength
    unit = unit_of(q) or ""
    if q is None:
        return None
    if unit in CONCENTRATION:
        return q.value * CONCENTRATION[unit], "mg"
    if unit in UNITS_PER_ML:
        return q.value * UNITS_PER_ML[unit], "UI"
    return None


def amount_per_intake(med: Medication, dose: Quantity | None = None) -> tuple[float, str] | None:
    """What one intake contains, or None when it cannot be known for sure: '1 cp' of '40 mg' → 40 mg; '5 ml' of
    '100 mg/ml' → 500 mg; a dose written as a mass ('1 g') as such. A volume of a drug whose strength is not a
    concentration, or a count of a concentration ('1 ampoule' of '10 mg/ml'), is unknown: never a guess."""
    dose_q = dose if dose is not None else med.dose
    d = to_base(dose_q)
    if d is None:
        return None
    kind = strength_kind(med.strength)
    if d[1] in ("mg", "UI", "mmol", "mEq"):
        return d
    if d[1] == "ml":
        conc = _concentration(med)
        if conc is not None:
            return d[0] * conc[0], conc[1]
        return d if med.strength is None else None  # a volume of an unknown strength: as written
    if _countable(dose_q):
        if kind == "mass":
            s = to_base(med.strength)
            if s is not None:
                return d[0] * s[0], s[1]
        if kind in ("concentration", "rate"):
            return None
        return d if med.strength is None else None
    return None


def _amount(med: Medication, dose: Quantity | None) -> tuple[float, str] | None:
    return amount_per_intake(med, dose)


def _rate_daily(med: Medication) -> Quantity | None:
    """A continuous delivery (a patch of '25 µg/h', '21 mg/24h'): the amount a day is the rate × 24 h × the
    number of patches worn at once, whatever the days between two changes."""
    q = med.strength
    unit = unit_of(q) or ""
    if q is None:
        return None
    if med.dose is not None and (not _countable(med.dose) or unit_of(med.dose) not in ("patch", "dose", "unité")):
        return None
    worn = med.dose.value if med.dose is not None else 1.0
    if unit in RATE_HOURLY:
        return Quantity(value=round(q.value * RATE_HOURLY[unit] * 24 * worn, 4), unit="mg")
    if unit in RATE_DAILY:
        return Quantity(value=round(q.value * RATE_DAILY[unit] * worn, 4), unit="mg")
    return None


def daily_dose(med: Medication, dose: Quantity | None = None) -> Quantity | None:
    """The amount a day (mass, units, or a count when no strength is known), or None when the arithmetic is
    not sure. Rates are rates; a weekly drug's daily dose is its weekly dose / 7 (``per_day`` = 1/7); an
    as-needed line with a written maximum gives the maximum a day."""
    if strength_kind(med.strength) == "rate":
        return _rate_daily(med) if dose is None else None
    freq = med.frequency
    per = amount_per_intake(med, dose)
    if freq is not None and freq.max_dose is not None and (med.as_needed or not freq.per_day):
        cap = to_base(freq.max_dose)
        if cap is not None and cap[1] in ("mg", "UI", "mmol", "mEq"):
            return Quantity(value=round(cap[0], 4), unit=cap[1])
        if cap is not None and _countable(freq.max_dose) and per is not None and med.dose is not None \
                and unit_of(med.dose) == unit_of(freq.max_dose) and med.dose.value:
            return Quantity(value=round(per[0] * cap[0] / med.dose.value, 4), unit=per[1])
    if per is None or not freq or not freq.per_day:
        return None
    value = round(per[0] * freq.per_day, 4)
    return Quantity(value=value, unit=per[1])


def release_profile(med: Medication) -> str | None:
    """'libération prolongée', 'biphasique', 'immédiate' (a product known to be immediate-release), or None
    when the line does not say (read in the name, the product and the form, not in free comments)."""
    name_part = re.split(r"[:|]", med.text or "", maxsplit=1)[0]
    text = " ".join(t for t in (med.drug_text, med.product.name if med.product else None, med.form, name_part) if t)
    for profile, rx in RELEASE_PROFILES.items():
        if rx.search(text):
            return profile
    if IMMEDIATE_RELEASE_NAMES.search(text):
        return "immédiate"
    return None


def product_differs(before: Medication, after: Medication) -> str | None:
    """Same substances, another product for the patient: another release profile (SKENAN LP → ACTISKENAN),
    or another full ATC code of the same substance set (NOVORAPID A10AB05 → NOVOMIX A10AD05). The French
    description of the difference, or None."""
    rb, ra = release_profile(before), release_profile(after)
    if rb != ra and (rb is not None or ra is not None):
        if (rb in (None, "immédiate") and ra in (None, "immédiate")):
            return None
        return f"{rb or 'libération non précisée'} → {ra or 'libération non précisée'}"
    cb, ca = full_atc(before), full_atc(after)
    # within one therapeutic subgroup only (A10AB → A10AD): a DCI's own code may belong to another anatomy
    # than the product's (timolol C07AA06 / TIMOPTOL eye drops S01ED01)
    if cb and ca and cb != ca and cb[:4] == ca[:4] and substance_keys(before) == substance_keys(after):
        return f"ATC {cb} → {ca}"
    return None


def has_posology(med: Medication) -> bool:
    return med.dose is not None or bool(med.frequency and med.frequency.per_day) or med.duration is not None


def _unit_form(med: Medication) -> str | None:
    if not unit_written(med.dose):
        return None  # "1-0-0" with no form written names no form
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
    dd_b, dd_a = comparable_daily_doses(before, after)

    def add(field: str, b: object, a: object) -> None:
        changes.append(Change(field=field, before=b, after=a,  # type: ignore[arg-type]
                              daily_dose_before=dd_b, daily_dose_after=dd_a))

    kinds = {strength_kind(before.strength), strength_kind(after.strength)}
    presentation_changed = kinds == {"mass", "concentration"}  # "500 mg" tablet → "10 mg/ml" solution
    strength_changed = not presentation_changed and strengths_differ(before.strength, after.strength)
    if strength_changed:
        add("strength", _q(before.strength), _q(after.strength))
    if _dose_differs(before, after, dose_b, dose_a, strength_changed):
        add("dose", _q(before.dose), _q(after.dose))
    fb = before.frequency.per_day if before.frequency else None
    fa = after.frequency.per_day if after.frequency else None
    mb = before.frequency.max_per_day if before.frequency else None
    ma = after.frequency.max_per_day if after.frequency else None
    if (fb is not None and fa is not None and not _close(fb, fa)) or (
            mb is not None and ma is not None and not _close(mb, ma)):
        add("frequency", _freq(before), _freq(after))
    route_changed = bool(before.route and after.route and before.route != after.route)
    if route_changed:
        add("route", before.route, after.route)
    product = product_differs(before, after)
    # a tablet given IV is another form: a change of route changes the form unless both forms are known the same
    if (forms_differ(before, after) or presentation_changed or product
            or (route_changed and not _forms_known_same(before, after))):
        atc_changed = bool(product and product.startswith("ATC"))
        profile_changed = bool(product) and not atc_changed
        add("form", form_label(before, profile_changed, atc_changed), form_label(after, profile_changed,
                                                                               atc_changed))
    db = before.duration.days if before.duration else None
    da = after.duration.days if after.duration else None
    if da is not None and (db is None or not _close(db, da)):
        add("duration", db, da)
    if (before.as_needed != after.as_needed and has_posology(before) and has_posology(after)
            and as_needed_cue(before) != as_needed_cue(after)):
        add("as_needed", before.as_needed, after.as_needed)
    return changes


def comparable_daily_doses(before: Medication, after: Medication) -> tuple[Quantity | None, Quantity | None]:
    """The two daily doses when both are known in the same base (mg, UI…); when one side's is in another base
    (mg against ml), neither is given: a number that cannot be compared is not printed."""
    b, a = daily_dose(before), daily_dose(after)
    if b is not None and a is not None:
        bb, ba = to_base(b), to_base(a)
        if bb is None or ba is None or bb[1] != ba[1]:
            return None, None
    return b, a


def form_label(med: Medication, with_profile: bool = False, with_product: bool = False) -> str | None:
    """The form as a pharmacist names it: the written form, else the form a written dose unit names
    ("gélule"), never a unit of mass; with the release profile and the product when they are what changed."""
    label = med.form
    if label is None and unit_written(med.dose):
        unit = unit_of(med.dose)
        label = unit if unit in COUNTABLE else None
    if label is None and strength_kind(med.strength) == "concentration":
        label = "solution"
    extras: list[str] = []
    if with_profile:
        profile = release_profile(med) or "libération non précisée"
        if not label or profile not in label:
            extras.append(profile)
    if with_product:
        extras.append(f"{med.drug_text} {full_atc(med) or ''}".strip())
    if extras:
        label = f"{label} ({', '.join(extras)})" if label else ", ".join(extras)
    return label


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
    """'same daily dose, other schedule' when the daily dose is unchanged but the schedule is not (or 'même dose
    quotidienne' when only the strength, form or route changed)."""
    for c in changes:
        if c.daily_dose_before and c.daily_dose_after:
            b, a = to_base(c.daily_dose_before), to_base(c.daily_dose_after)
            if b and a and b[1] == a[1] and _close(b[0], a[0]):
                if any(x.field in ("dose", "frequency") for x in changes):
                    return SAME_DAILY_DOSE_NOTE
                return "même dose quotidienne"
    return None


def daily_dose_note(changes: list[Change]) -> str | None:
    """'dose quotidienne X → Y' for a modified line whose daily doses are known on both sides."""
    for c in changes:
        if c.daily_dose_before and c.daily_dose_after:
            b, a = c.daily_dose_before, c.daily_dose_after
            return f"dose quotidienne {_fmt(b)} → {_fmt(a)}"
    return None


def _fmt(q: Quantity) -> str:
    value = f"{q.value:g}".replace(".", ",")
    return f"{value} {q.unit}"


def is_brand_switch(before: Medication, after: Medication) -> bool:
    """The two lines name the drug differently (a brand and its DCI, or two brands)."""
    wb, wa = fold(before.drug_text).split(), fold(after.drug_text).split()
    return bool(wb and wa and wb[0] != wa[0])
