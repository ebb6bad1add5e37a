"""Hand-built medication lines for the reconciliation tests."""

from __future__ import annotations

from collections import Counter
from typing import Any

from recon.models import (
    DocumentInfo,
    Duration,
    Frequency,
    Link,
    Medication,
    MedicationList,
    Quantity,
    ReconciliationReport,
    Substance,
)

# name → (substances, ATC); pairs of one class on purpose (statins, PPIs, beta-blockers)
DRUGS: dict[str, tuple[list[str], str | None]] = {
    "atorvastatine": (["atorvastatine"], "C10AA05"),
    "simvastatine": (["simvastatine"], "C10AA01"),
    "ésoméprazole": (["ésoméprazole"], "A02BC05"),
    "pantoprazole": (["pantoprazole"], "A02BC02"),
    "bisoprolol": (["bisoprolol"], "C07AB07"),
    "nébivolol": (["nébivolol"], "C07AB12"),
    "paracétamol": (["paracétamol"], "N02BE01"),
    "furosémide": (["furosémide"], "C03CA01"),
    "lévothyroxine": (["lévothyroxine sodique"], "H03AA01"),
    "metformine": (["metformine"], "A10BA02"),
    "ramipril": (["ramipril"], "C09AA05"),
    "amlodipine": (["amlodipine"], "C08CA01"),
    "périndopril/amlodipine": (["périndopril", "amlodipine"], "C09BB04"),
    "millepertuis": (["millepertuis"], None),
}


def med(mid: str, name: str, *, strength: tuple[float, str] | None = (10, "mg"),
        dose: tuple[float, str] | None = (1, "comprimé"), per_day: float | None = 1, route: str | None = "orale",
        form: str | None = None, duration_days: float | None = None, as_needed: bool = False,
        status: str = "active", drug_text: str | None = None, comment: str | None = None,
        link: str = "exact", text: str | None = None, **extra: Any) -> Medication:
    """A minimal Medication of the drug ``name`` (a key of DRUGS, or any DCI with no ATC code)."""
    subs, atc = DRUGS.get(name, ([name], None))
    return Medication(
        id=mid, text=text or f"{drug_text or name.upper()} {comment or ''}".strip(), span=None, page=None,
        drug_text=drug_text or name.upper(),
        substances=[Substance(name=s, atc=atc if len(subs) == 1 else None) for s in subs], atc=atc,
        link=Link(method=link, score=1.0 if link != "none" else 0.0),  # type: ignore[arg-type]
        strength=Quantity(value=strength[0], unit=strength[1]) if strength else None,
        form=form, route=route,
        dose=Quantity(value=dose[0], unit=dose[1]) if dose else None,
        frequency=Frequency(per_day=per_day) if per_day is not None else None,
        as_needed=as_needed,
        duration=Duration(value=duration_days, unit="day", days=duration_days) if duration_days else None,
        status=status, confidence=1.0, comment=comment, **extra,  # type: ignore[arg-type]
    )


def mlist(meds: list[Medication], side: str = "unknown") -> MedicationList:
    return MedicationList(
        document=DocumentInfo(name=f"{side}.txt", side=side, media_type="text/plain", pages=1,  # type: ignore[arg-type]
                              sha256="0" * 64),
        medications=meds)


def coverage(report: ReconciliationReport) -> Counter[tuple[str, str]]:
    """How many times each (side, medication id) appears in the lines."""
    seen: Counter[tuple[str, str]] = Counter()
    for line in report.lines:
        if line.before:
            seen["before", line.before] += 1
        if line.after:
            seen["after", line.after] += 1
    return seen


def statuses(report: ReconciliationReport) -> Counter[str]:
    return Counter(line.status for line in report.lines)
