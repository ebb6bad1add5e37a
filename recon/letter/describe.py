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
    parts: list[str] = []
    if med.dose:
        parts.append(fmt_quantity(med.dose))
    freq = med.frequency
    if freq and freq.per_day:
        if freq.times_of_day:
            parts.append(times_of_day(freq.times_of_day))
        elif freq.interval_hours:
            parts.append(f"toutes les {fmt_number(freq.interval_hours)} h")
        elif freq.per_day >= 1:
            parts.append(f"{fmt_number(freq.per_day)} fois par jour")
        else:
            parts.append(freq.text or f"{fmt_number(freq.per_day)} fois par jour")
    if med.as_needed:
        parts.append(med.as_needed_reason or "si besoin")
    if med.route:
        parts.append(f"voie {med.route}")
    if med.duration:
        parts.append(f"pendant {duration(med.duration)}")
    return ", ".join(p for p in parts if p) or "posologie non précisée"


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


def frequency(f: Frequency | dict | None) -> str:
    """'2 fois par jour (matin et midi)', 'toutes les 8 h', '' when unknown."""
    if f is None:
        return ""
    data = f.model_dump() if isinstance(f, Frequency) else f
    per = data.get("per_day")
    times = data.get("times_of_day") or []
    interval = data.get("interval_hours")
    if interval:
        return f"toutes les {fmt_number(float(interval))} h"
    if isinstance(per, int | float) and per > 0:
        if per >= 1:
            base = f"{fmt_number(float(per))} fois par jour"
        elif per * 7 >= 1 and abs(per * 7 - round(per * 7)) < 1e-6:
            base = f"{fmt_number(round(per * 7))} fois par semaine"
        else:
            base = data.get("text") or f"{fmt_number(float(per))} fois par jour"
        return f"{base} ({' et '.join(times)})" if times else base
    return " et ".join(times) or (data.get("text") or "")
