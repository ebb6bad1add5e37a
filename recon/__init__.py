"""Recon: medication reconciliation for French city–hospital care transitions."""

from recon.errors import ReconError
from recon.models import MedicationList, ReconciliationReport
from recon.pipeline import extract_bytes, extract_document, reconcile, reconcile_documents, render_html, write_letter

__version__ = "0.1.0"

__all__ = [
    "MedicationList",
    "ReconError",
    "ReconciliationReport",
    "__version__",
    "extract_bytes",
    "extract_document",
    "reconcile",
    "reconcile_documents",
    "render_html",
    "write_letter",
]
