"""Correct the drug link of one medication, then reconcile again.

The pharmacist picks the right drug (one of the link's candidates, or any name of the reference);
the medication takes that drug's substances and ATC code, its link says it was chosen by hand
(``method`` exact, score 1, ``chosen_by``), and the two lists are reconciled again: a corrected link
can turn a 'stopped' + 'added' pair into one 'substituted' line, or the reverse.
"""

from __future__ import annotations

from typing import Literal

from recon.errors import UnknownDrug, UnknownMedication
from recon.extract.rules import NAME_SHARED
from recon.link.linker import Linker, default_linker
from recon.messages import DRUG_NOT_IN_REFERENCE, UNCERTAIN_LINK
from recon.models import Candidate, Link, MedicationList, ReconciliationReport, Substance
from recon.reconcile import reconcile
from recon.reference.model import DrugEntry

Side = Literal["before", "after"]


def find_entry(name: str, atc: str | None = None, *, linker: Linker | None = None) -> DrugEntry:
    """The reference entry written ``name`` (exactly, accents and case aside), of code ``atc`` when given."""
    hits = (linker or default_linker()).exact(name)
    if atc is not None:
        hits = [h for h in hits if h.atc == atc]
    if not hits:
        raise UnknownDrug("this name is not in the drug reference; pick one of the candidates or search the reference")
    return hits[0]


def relink(report: ReconciliationReport, side: Side, medication_id: str, entry: DrugEntry, *, by: str,
           during: MedicationList | None = None) -> tuple[ReconciliationReport, str | None]:
    """The report reconciled again with ``medication_id`` of ``side`` linked to ``entry``; also the
    name it was linked to before (None when it was not linked)."""
    lists = {"before": report.before.model_copy(deep=True), "after": report.after.model_copy(deep=True)}
    med = next((m for m in lists[side].medications if m.id == medication_id), None)
    if med is None:
        raise UnknownMedication(f"no medication {medication_id} in the {side} list of this report")
    previous = med.link.candidates[0].name if med.link.candidates and med.link.method != "none" else None
    strength = med.strength if len(entry.substances) == 1 else None
    med.substances = [Substance(name=s, atc=entry.atc if len(entry.substances) == 1 else None, strength=strength)
                      for s in entry.substances]
    med.atc = entry.atc
    chosen = Candidate(name=entry.name, atc=entry.atc, substances=list(entry.substances), score=1.0)
    others = [c for c in med.link.candidates if (c.name, c.atc) != (chosen.name, chosen.atc)]
    med.link = Link(method="exact", score=1.0, candidates=[chosen, *others][:5], chosen_by=by)
    med.review_reasons = [r for r in med.review_reasons if not r.startswith(_LINK_REASONS)]
    med.needs_review = bool(med.review_reasons)
    med.confidence = max(med.confidence, 0.99 if med.review_reasons else 1.0)
    return reconcile(lists["before"], lists["after"], during=during), previous


# the review reasons about the drug link, which a link chosen by hand settles
_LINK_REASONS = (DRUG_NOT_IN_REFERENCE, UNCERTAIN_LINK.split("{")[0].rstrip(" ("), NAME_SHARED,
                 "drug not found", "uncertain drug link", "name shared by")

__all__ = ["UnknownDrug", "UnknownMedication", "find_entry", "relink"]
