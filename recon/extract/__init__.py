"""Extraction: Document → MedicationList, by rules, by the trained model (ONNX), or by their hybrid (default)."""

from __future__ import annotations

from typing import Any

from recon.errors import InputError
from recon.extract.facts import read_allergies, read_facts
from recon.extract.rules import RuleExtractor
from recon.ingest import Document
from recon.link import Linker, default_linker
from recon.models import DocumentInfo, Medication, MedicationList, Warning

EXTRACTORS = ("rules", "model", "hybrid")
DEFAULT_EXTRACTOR = "hybrid"


def _extractor(name: str, linker: Linker) -> Any:
    if name == "rules":
        return RuleExtractor(linker)
    if name == "model":
        from recon.extract.model_runner import ModelExtractor, model_available

        if not model_available():
            raise InputError("the NER model files are missing from recon/extract/model; "
                             "use --extractor rules or rebuild them with `python -m nlp_models.train`")
        return ModelExtractor(linker)
    if name == "hybrid":
        from recon.extract.hybrid import HybridExtractor

        return HybridExtractor(linker)
    raise InputError(f"unknown extractor '{name}'; choose one of: {', '.join(EXTRACTORS)}")


def extract_medications(doc: Document, *, side: str = "unknown", extractor: str = DEFAULT_EXTRACTOR,
                        linker: Linker | None = None) -> MedicationList:
    linker = linker or default_linker()
    meds, warnings = _extractor(extractor, linker).extract(doc)
    meds, dropped = _apply_sections(doc, meds)
    warnings = [Warning(code=c, message=msg, page=p) for c, msg, p in doc.warnings] + warnings + dropped
    return MedicationList(
        document=DocumentInfo(name=doc.name, side=side, media_type=doc.media_type,  # type: ignore[arg-type]
                              pages=doc.pages, sha256=doc.sha256),
        medications=meds,
        warnings=warnings,
        allergies=read_allergies(doc, linker),  # [] when the document says "aucune", None when silent
        facts=read_facts(doc),
    )


NOT_PRESCRIBED = {"allergies": "Allergies", "antecedents": "Antécédents"}


def _apply_sections(doc: Document, meds: list[Medication]) -> tuple[list[Medication], list[Warning]]:
    """Copy each line's section and ALD zone to its medication; drugs named under Allergies or
    Antécédents are not prescriptions: they become warnings with their span."""
    kept: list[Medication] = []
    warnings: list[Warning] = []
    for med in meds:
        line = next((ln for ln in doc.lines if med.span and ln.start <= med.span[0] <= ln.end), None)
        if line is not None:
            med.section, med.ald = line.section, line.ald
        if med.section in NOT_PRESCRIBED:
            warnings.append(Warning(code="W201", message=f"drug named under '{NOT_PRESCRIBED[med.section]}': "
                                    "not taken as a prescription", page=med.page, span=med.span))
            continue
        kept.append(med)
    for i, med in enumerate(kept, start=1):
        med.id = f"m{i}"
    return kept, warnings


__all__ = ["DEFAULT_EXTRACTOR", "EXTRACTORS", "RuleExtractor", "extract_medications"]
