"""Plain French descriptions of a medication line, for letters and sheets."""

from __future__ import annotations

from recon.models import Medication, Quantity


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
    label = med.drug_text.upper() if not subs or med.drug_text.lower() != subs.lower() else subs
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
            parts.append(" et ".join(freq.times_of_day))
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
        parts.append(f"pendant {fmt_number(med.duration.days or med.duration.value)} jours")
    return ", ".join(p for p in parts if p) or "posologie non précisée"
