"""One usual-treatment list from several documents (the GP's prescription, the pharmacy's dispensing
history, a nursing-home sheet…): the "bilan médicamenteux" draws on more than one source.

The first document is the reference, in the order given. A drug of a later document that an earlier
one already lists (same substances) is not listed twice: when both say the same (no field differs,
same status), the line records that it is also in that document (``also_in``); when they disagree,
the earlier line is kept, flagged for review with what the other source says — the pharmacist decides
which one the patient takes, the two are never added up. Every other line is kept, renumbered, with
the index of its document.

Allergies are the union of every document's, one per substance (folded), each with the index of the
document that first names it; the facts are the first document's, with the patient identity of the
first document that writes one.
"""

from __future__ import annotations

import hashlib

from recon.models import Allergy, DocumentFacts, DocumentInfo, Medication, MedicationList
from recon.reconcile.compare import compare
from recon.reconcile.identity import same_drug
from recon.reference import fold


def _disagreement(kept: Medication, other: Medication) -> str | None:
    if kept.status != other.status:
        return "statut"
    changes = compare(kept, other)
    return ", ".join(c.field for c in changes) if changes else None


def merge_allergies(lists: list[MedicationList]) -> list[Allergy] | None:
    """The allergies of all the lists, one per folded substance (the first mention, completed with a
    reaction another document writes), each with its document; [] when the documents only say
    'aucune', None when none says anything."""
    if all(ml.allergies is None for ml in lists):
        return None
    out: list[Allergy] = []
    seen: dict[str, Allergy] = {}
    for k, ml in enumerate(lists, start=1):
        for allergy in ml.allergies or []:
            key = fold(allergy.substance)
            if key in seen:
                if seen[key].reaction is None and allergy.reaction:
                    seen[key].reaction = allergy.reaction
                continue
            copy = allergy.model_copy(deep=True, update={"document": allergy.document or k})
            seen[key] = copy
            out.append(copy)
    return out


def merge_facts(lists: list[MedicationList]) -> DocumentFacts | None:
    """The first document's facts, with the patient identity of the first document that writes one."""
    facts = [ml.facts for ml in lists if ml.facts is not None]
    if not facts:
        return None
    first = lists[0].facts.model_copy(deep=True) if lists[0].facts is not None else DocumentFacts()
    if first.patient is None:
        patient = next((f.patient for f in facts if f.patient is not None), None)
        first.patient = patient.model_copy(deep=True) if patient is not None else None
    return first


def merge_lists(lists: list[MedicationList]) -> MedicationList:
    """The lists in one (a single list is returned as it is)."""
    if not lists:
        raise ValueError("nothing to merge")
    if len(lists) == 1:
        return lists[0]
    meds: list[Medication] = []
    warnings = []
    for k, ml in enumerate(lists, start=1):
        earlier = list(meds)  # a drug repeated within one document is the reconciliation's to handle
        for m in ml.medications:
            twin = next((x for x in earlier if same_drug(x, m)), None) if k > 1 else None
            if twin is None:
                meds.append(m.model_copy(deep=True, update={"id": f"m{len(meds) + 1}", "document": k}))
                continue
            twin.also_in = [*(twin.also_in or []), k]
            differs = _disagreement(twin, m)
            if differs is not None:
                twin.needs_review = True
                twin.review_reasons.append(
                    f"sources divergentes ({differs}) : le document {k} indique « {m.text.strip()} »")
        warnings += [w.model_copy(update={"message": f"document {k}: {w.message}"}) for w in ml.warnings]
    docs = [ml.document for ml in lists]
    kinds = {d.media_type for d in docs}
    sides = {d.side for d in docs}
    info = DocumentInfo(
        name=" + ".join(d.name for d in docs)[:500],
        side=sides.pop() if len(sides) == 1 else "unknown",
        media_type=kinds.pop() if len(kinds) == 1 else "multipart/mixed",
        pages=sum(d.pages for d in docs),
        sha256=hashlib.sha256("".join(d.sha256 for d in docs).encode()).hexdigest(),
    )
    return MedicationList(document=info, medications=meds, warnings=warnings, sources=docs,
                          allergies=merge_allergies(lists), facts=merge_facts(lists))


__all__ = ["merge_allergies", "merge_facts", "merge_lists"]
