"""Plain French descriptions of a medication line, for letters and sheets."""

from __future__ import annotations

from recon.models import Duration, Frequency, Medication, Quantity


def fmt_number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def fmt_quantity(q: Quantity | None) -> str:
    if q is None:
        return ""
    unit = q.unit
    if unit in ("comprimé", "gélule", "sachet", "goutte", "bouffée", "ampoule", "application", "capsule",
                "suppositoire", "seringue", "stylo", "patch", "flacon") and q.value > 1:
        unit += "s" if unit != "patch" else ""
    return f"{fmt_number(q.value)} {unit}"


def name(med: Medication) -> str:
    subs = ", ".join(s.name for s in med.substances)
    strength = fmt_quantity(med.strength)
    label = med.drug_text.upper() if not subs or med.drug_text.lower() != subs.lower() else subs[:1].upper() + subs[1:]
    text = f"{label} {strength}".strip()
    if subs and med.drug_text.lower() != subs.lower():
        text += f" ({subs})"
    return text


def posology(med: Medication) -> str:
    """'1 comprimé le matin, voie orale'; an as-needed line: '1 gélule si EVA > 4, au maximum 6 par jour'
    (its number a day is a ceiling, never a rhythm); a weekly one: '1 comprimé 1 fois par semaine'."""
    parts: list[str] = []
    dose = fmt_quantity(med.dose) if med.dose else ""
    freq = med.frequency
    if med.as_needed:
        when = med.as_needed_reason or "si besoin"
        parts.append(f"{dose} {when}".strip())
        if freq and freq.interval_hours:
            parts.append(f"toutes les {fmt_number(freq.interval_hours)} h au plus")
        ceiling = maximum(freq, as_needed=True)
        if ceiling:
            parts.append(ceiling)
    else:
        if dose:
            parts.append(dose)
        rhythm = frequency(freq, with_times=False) if freq else ""
        if freq and freq.times_of_day and (freq.per_day is None or freq.per_day >= 1):
            rhythm = times_of_day(freq.times_of_day)
        elif freq and freq.times_of_day and rhythm:
            rhythm += f" ({times_of_day(freq.times_of_day)})"
        if rhythm:
            parts.append(rhythm)
        ceiling = maximum(freq, as_needed=False)
        if ceiling:
            parts.append(ceiling)
    if med.route:
        parts.append(f"voie {med.route}")
    if med.duration:
        parts.append(f"pendant {duration(med.duration)}")
    return ", ".join(p for p in parts if p) or "posologie non précisée"


def maximum(f: Frequency | dict | None, *, as_needed: bool) -> str:
    """'au maximum 6 par jour', 'au maximum 3 g par jour' ('' when no maximum is written). On an as-needed
    line the number a day is the maximum even when it is not flagged as one."""
    if f is None:
        return ""
    data = f.model_dump() if isinstance(f, Frequency) else f
    parts = []
    most = data.get("max_per_day")
    per = data.get("per_day")
    if not isinstance(most, int | float) and as_needed and isinstance(per, int | float) and per >= 1 \
            and not data.get("interval_hours"):
        most = per
    if isinstance(most, int | float) and most > 0 and (as_needed or most != per):
        parts.append(f"{fmt_number(float(most))} par jour")
    dose = data.get("max_dose")
    if isinstance(dose, Quantity):
        dose = dose.model_dump()
    if isinstance(dose, dict) and isinstance(dose.get("value"), int | float):
        parts.append(f"{fmt_quantity(Quantity(value=float(dose['value']), unit=str(dose.get('unit') or '')))}"
                     " par jour")
    return ("au maximum " + " et ".join(parts)) if parts else ""


_ONE_TIME = {"matin": "le matin", "midi": "à midi", "soir": "le soir", "coucher": "au coucher", "nuit": "la nuit"}


def times_of_day(times: list[str]) -> str:
    """['soir'] → 'le soir'; ['matin', 'midi', 'soir'] → 'matin, midi et soir'."""
    if len(times) == 1:
        return _ONE_TIME.get(times[0], times[0])
    return ", ".join(times[:-1]) + " et " + times[-1] if times else ""


_DURATION_UNITS = {"day": ("jour", "jours"), "week": ("semaine", "semaines"), "month": ("mois", "mois")}


def duration(d: Duration | dict | None) -> str:
    """'10 jours', '2 semaines', '1 mois' ('' when there is none)."""
    if d is None:
        return ""
    value, unit = (d.value, d.unit) if isinstance(d, Duration) else (d.get("value"), d.get("unit"))
    if not isinstance(value, int | float):
        return ""
    one, many = _DURATION_UNITS.get(str(unit), ("jour", "jours"))
    return f"{fmt_number(float(value))} {one if value <= 1 else many}"


def period(per_day: float | None) -> tuple[float, int, str] | None:
    """The rhythm of a number of intakes a day below one: (intakes, days, words), e.g. 1/7 → (1, 7,
    '1 fois par semaine'), 0.5 → (1, 2, '1 jour sur 2'), 2/7 → (2, 7, '2 fois par semaine'); None when daily
    or unknown."""
    if not isinstance(per_day, int | float) or per_day <= 0 or per_day >= 1:
        return None
    weekly = per_day * 7
    if abs(weekly - round(weekly)) < 1e-3 and round(weekly) >= 1:
        n = round(weekly)
        return float(n), 7, f"{n} fois par semaine"
    every = 1 / per_day
    if abs(every - round(every)) < 1e-3:
        n = round(every)
        if n % 7 == 0:
            return 1.0, n, f"1 fois toutes les {n // 7} semaines"
        if n in (28, 30, 31):
            return 1.0, n, "1 fois par mois"
        return 1.0, n, f"1 jour sur {n}"
    monthly = per_day * 30
    if abs(monthly - round(monthly)) < 1e-2 and round(monthly) >= 1:
        return float(round(monthly)), 30, f"{round(monthly)} fois par mois"
    return None


def frequency(f: Frequency | dict | None, *, with_times: bool = True) -> str:
    """'2 fois par jour (matin et midi)', 'toutes les 8 h', '1 fois par semaine', '1 jour sur 2', '' when unknown."""
    if f is None:
        return ""
    data = f.model_dump() if isinstance(f, Frequency) else f
    per = data.get("per_day")
    times = (data.get("times_of_day") or []) if with_times else []
    interval = data.get("interval_hours")
    if interval:
        return f"toutes les {fmt_number(float(interval))} h"
    if isinstance(per, int | float) and per > 0:
        rhythm = period(per)
        if per >= 1:
            base = f"{fmt_number(float(per))} fois par jour"
        elif rhythm is not None:
            base = rhythm[2]
        else:
            base = data.get("text") or f"{fmt_number(float(per) * 7)} fois par semaine"
        return f"{base} ({' et '.join(times)})" if times else base
    return " et ".join(times) or (data.get("text") or "")


def amount(q: Quantity | dict | None, per_day: float | None = None) -> str:
    """A daily amount with its period: '10 mg par jour'; for a weekly drug (per_day 1/7) the week's amount,
    '70 mg par semaine'; for '1 jour sur 2', '10 mg tous les 2 jours'. '?' when unknown."""
    if q is None:
        return "?"
    value, unit = (q.value, q.unit) if isinstance(q, Quantity) else (q.get("value"), q.get("unit"))
    if not isinstance(value, int | float):
        return "?"
    rhythm = period(per_day)
    if rhythm is None:
        return f"{fmt_number(float(value))} {unit} par jour"
    _, days, _ = rhythm
    total = float(value) * days
    if days == 7:
        return f"{fmt_number(total)} {unit} par semaine"
    if days % 7 == 0:
        return f"{fmt_number(total)} {unit} toutes les {days // 7} semaines"
    if days == 30:
        return f"{fmt_number(total)} {unit} par mois"
    return f"{fmt_number(total)} {unit} tous les {days} jours"


def short_name(med: Medication) -> str:
    """The name as written, with its strength: 'KARDEGIC 75 mg'."""
    return f"{med.drug_text.strip().upper()} {fmt_quantity(med.strength)}".strip()


def same_substances(a: Medication, b: Medication) -> bool:
    sa = {s.name.strip().lower() for s in a.substances}
    sb = {s.name.strip().lower() for s in b.substances}
    return bool(sa) and sa == sb


def former_name(before: Medication | None, after: Medication | None) -> str | None:
    """What the patient had at home when its name differs from the hospital's (brand ↔ generic):
    'KARDEGIC 75 mg (même substance : ne pas prendre les deux boîtes)'; None when the names are the same."""
    if before is None or after is None:
        return None
    if before.drug_text.strip().lower() == after.drug_text.strip().lower():
        return None
    if same_substances(before, after):
        return f"{short_name(before)} (même substance : ne pas prendre les deux boîtes)"
    return f"{name(before)} : {posology(before)}"
