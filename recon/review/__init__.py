"""The pharmacist's review of a reconciliation report (see ``model`` and ``relink``)."""

from recon.review.model import (
    ERROR_FR,
    QUALIFICATION_FR,
    Decision,
    LineReview,
    LinkReview,
    QualifyRequest,
    ReopenRequest,
    Review,
    Validation,
    annotate,
    closed,
    divergent,
    fold,
    pair_key,
    qualify_payload,
)
from recon.review.relink import UnknownDrug, UnknownMedication, find_entry, relink

__all__ = ["ERROR_FR", "QUALIFICATION_FR", "Decision", "LineReview", "LinkReview", "QualifyRequest", "ReopenRequest",
           "Review",
           "UnknownDrug", "UnknownMedication", "Validation", "annotate", "closed", "divergent", "find_entry", "fold",
           "pair_key", "qualify_payload", "relink"]
