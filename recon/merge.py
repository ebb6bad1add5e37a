"""One usual-treatment list from several documents (the GP's prescription, the pharmacy's dispensing
history, a nursing-home sheet…): the "bilan médicamenteux" draws on more than one source.

Every line of every document is kept (renumbered, with the index of its document); a drug found in
two sources is left to the reconciliation, which pairs one of them and keeps the other as a repeat.
"""

from __future__ import annotations

import hashlib

from recon.models import DocumentInfo, MedicationList


def merge_lists(lists: list[MedicationList]) -> MedicationList:
    """The lists in one (a single list is returned as it is)."""
    if not lists:
        raise ValueError("nothing to merge")
    if len(lists) == 1:
        return lists[0]
    meds, warnings = [], []
    for k, ml in enumerate(lists, start=1):
        for m in ml.medications:
            meds.append(m.model_copy(deep=True, update={"id": f"m{len(meds) + 1}", "document": k}))
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
    return MedicationList(document=info, medications=meds, warnings=warnings, sources=docs)


__all__ = ["merge_lists"]
