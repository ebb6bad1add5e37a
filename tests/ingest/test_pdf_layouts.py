"""Dev-set documents as PDFs (two layouts) and as scans read as well as their text versions."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from recon.extract import extract_medications
from recon.ingest import ocr, read_bytes, read_document
from tests.conftest import SHARED
from tests.pdfgen import scan_pdf, text_to_pdf

SCORER = SHARED / "tools" / "score.py"


def _scorer():
    if not SCORER.exists():
        pytest.skip(f"scorer not found at {SCORER}")
    spec = importlib.util.spec_from_file_location("recon_scorer", SCORER)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _drug_f1(cases: list[Path], read) -> float:
    scorer = _scorer()
    tally = scorer.Tally()
    for case in cases:
        gold = json.loads((case / "gold.json").read_text(encoding="utf-8"))
        for side in ("before", "after"):
            ml = extract_medications(read(case / f"{side}.txt"))
            tally.add(case.name, side, gold[side]["medications"], json.loads(ml.to_json())["medications"])
    return scorer.prf(tally.found, tally.pred, tally.gold)[2]


def _cases(devset: Path) -> list[Path]:
    return sorted(p for p in devset.iterdir() if (p / "gold.json").exists())


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["mono", "proportional"])
def test_pdf_versions_score_within_001_of_text(devset, layout) -> None:
    cases = _cases(devset)
    text_f1 = _drug_f1(cases, read_document)

    def as_pdf(path: Path):
        pdf = text_to_pdf(path.read_text(encoding="utf-8"), layout=layout, lines_per_page=45,
                          header="Document fictif - en-tête répété")
        return read_bytes(pdf, name=path.stem + ".pdf", suffix=".pdf")

    pdf_f1 = _drug_f1(cases, as_pdf)
    assert pdf_f1 >= text_f1 - 0.01, (layout, text_f1, pdf_f1)


@pytest.mark.slow
@pytest.mark.skipif(not ocr.available(), reason="Tesseract with French data is not installed")
def test_scanned_versions_score_within_005_of_text(devset) -> None:
    cases = _cases(devset)[::6]  # a spread of 8 cases: OCR takes seconds a page
    text_f1 = _drug_f1(cases, read_document)

    def as_scan(path: Path):
        scan = scan_pdf(text_to_pdf(path.read_text(encoding="utf-8"), layout="mono"))
        doc = read_bytes(scan, name=path.stem + ".pdf", suffix=".pdf")
        assert any(code == "W104" for code, _, _ in doc.warnings)
        return doc

    scan_f1 = _drug_f1(cases, as_scan)
    assert scan_f1 >= text_f1 - 0.05, (text_f1, scan_f1)
