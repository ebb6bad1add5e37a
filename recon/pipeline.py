"""The one door the faces (CLI, API, eval) use: composes the stages, holds no logic of its own."""

from __future__ import annotations

from pathlib import Path

from recon.extract import DEFAULT_EXTRACTOR, extract_medications
from recon.ingest import Document, read_bytes, read_document
from recon.letter import example_stay, load_stay, render_html, write_letter
from recon.models import MedicationList, ReconciliationReport
from recon.reconcile import reconcile


def extract_document(source: str | Path | Document, *, side: str = "unknown",
                     extractor: str = DEFAULT_EXTRACTOR) -> MedicationList:
    doc = source if isinstance(source, Document) else read_document(source)
    return extract_medications(doc, side=side, extractor=extractor)


def extract_bytes(data: bytes, *, name: str, suffix: str, side: str = "unknown",
                  extractor: str = DEFAULT_EXTRACTOR) -> MedicationList:
    return extract_medications(read_bytes(data, name=name, suffix=suffix), side=side, extractor=extractor)


def reconcile_documents(before: str | Path | Document | MedicationList,
                        after: str | Path | Document | MedicationList, *,
                        extractor: str = DEFAULT_EXTRACTOR) -> ReconciliationReport:
    b = before if isinstance(before, MedicationList) else extract_document(before, side="city", extractor=extractor)
    a = after if isinstance(after, MedicationList) else extract_document(after, side="hospital", extractor=extractor)
    return reconcile(b, a)


__all__ = ["example_stay", "extract_bytes", "extract_document", "load_stay", "reconcile", "reconcile_documents",
           "render_html", "write_letter"]
