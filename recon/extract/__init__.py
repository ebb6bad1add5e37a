"""Extraction: Document → MedicationList (rules now; a trained model and the hybrid later)."""

from __future__ import annotations

from recon.extract.rules import RuleExtractor
from recon.ingest import Document
from recon.link import Linker, default_linker
from recon.models import DocumentInfo, MedicationList, Warning

EXTRACTORS = ("rules",)


def extract_medications(doc: Document, *, side: str = "unknown", extractor: str = "rules",
                        linker: Linker | None = None) -> MedicationList:
    if extractor not in EXTRACTORS:
        from recon.errors import InputError

        raise InputError(f"unknown extractor '{extractor}'; choose one of: {', '.join(EXTRACTORS)}")
    meds, warnings = RuleExtractor(linker or default_linker()).extract(doc)
    warnings = [Warning(code=c, message=msg, page=p) for c, msg, p in doc.warnings] + warnings
    return MedicationList(
        document=DocumentInfo(name=doc.name, side=side, media_type=doc.media_type,  # type: ignore[arg-type]
                              pages=doc.pages, sha256=doc.sha256),
        medications=meds,
        warnings=warnings,
    )


__all__ = ["EXTRACTORS", "RuleExtractor", "extract_medications"]
