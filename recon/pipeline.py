"""The one door the faces (CLI, API, eval) use: composes the stages, holds no logic of its own."""

from __future__ import annotations

from pathlib import Path

from recon.extract import DEFAULT_EXTRACTOR, extract_medications
from recon.ingest import Document, read_bytes, read_document
from recon.letter import example_stay, load_stay, render_html, write_letter
from recon.models import MedicationList, ReconciliationReport
from recon.reconcile import reconcile
from recon.review import Review


def extract_document(source: str | Path | Document, *, side: str = "unknown",
                     extractor: str = DEFAULT_EXTRACTOR) -> MedicationList:
    doc = source if isinstance(source, Document) else read_document(source)
    return extract_medications(doc, side=side, extractor=extractor)


def extract_bytes(data: bytes, *, name: str, suffix: str, side: str = "unknown",
                  extractor: str = DEFAULT_EXTRACTOR) -> MedicationList:
    return extract_medications(read_bytes(data, name=name, suffix=suffix), side=side, extractor=extractor)


def read_and_extract(data: bytes, *, name: str, suffix: str, side: str = "unknown",
                     extractor: str = DEFAULT_EXTRACTOR) -> tuple[Document, MedicationList]:
    """The document as read (its text, page by page) and its medication list."""
    doc = read_bytes(data, name=name, suffix=suffix)
    return doc, extract_medications(doc, side=side, extractor=extractor)


def render_fiche(report: ReconciliationReport, review: Review | None = None) -> str:
    """The HAS reconciliation sheet (fiche de conciliation) as HTML, with the pharmacist's review if any."""
    from recon.export import render_fiche as render

    return render(report, review=review)


def reconciliation_bundle_json(report: ReconciliationReport) -> str:
    """The report as a FHIR R4 document Bundle (Interop'Santé reconciliation statuses)."""
    from recon.export import reconciliation_bundle_json as bundle

    return bundle(report)


def reconcile_documents(before: str | Path | Document | MedicationList,
                        after: str | Path | Document | MedicationList, *,
                        during: str | Path | Document | MedicationList | None = None,
                        extractor: str = DEFAULT_EXTRACTOR) -> ReconciliationReport:
    """BEFORE (usual treatment) against AFTER (hospital); DURING, the last treatment of the stay, when given,
    explains changes made during the stay and kept at discharge."""
    def as_list(x: str | Path | Document | MedicationList, side: str) -> MedicationList:
        return x if isinstance(x, MedicationList) else extract_document(x, side=side, extractor=extractor)

    d = as_list(during, "hospital") if during is not None else None
    return reconcile(as_list(before, "city"), as_list(after, "hospital"), during=d)


__all__ = ["example_stay", "extract_bytes", "extract_document", "load_stay", "read_and_extract", "reconcile",
           "reconcile_documents",
           "reconciliation_bundle_json", "render_fiche", "render_html", "write_letter"]
