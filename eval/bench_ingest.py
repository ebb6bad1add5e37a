"""PDF ingestion benchmark: pages/s of Recon's ingestion against pypdfium2 and pdfplumber plain text,
and drug F1 of the dev set as text, as PDFs in two layouts and as scans (OCR).

    python -m eval.bench_ingest [--devset DIR] [--ocr-cases N] [--repeat N]

Writes eval/results/ingest.md. PDFs are made from the dev set's .txt files by the test
helpers (fictional layouts), so the figures measure reading, not the documents' origin.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from eval.accuracy import Extraction  # noqa: E402
from recon.extract import extract_medications  # noqa: E402
from recon.ingest import read_bytes, read_document  # noqa: E402
from tests.pdfgen import scan_pdf, text_to_pdf  # noqa: E402


def drug_f1(cases: list[Path], read) -> float:
    tally = Extraction()
    for case in cases:
        gold = json.loads((case / "gold.json").read_text(encoding="utf-8"))
        for side in ("before", "after"):
            ml = extract_medications(read(case / f"{side}.txt"))
            tally.add(f"{case.name}/{side}", gold[side]["medications"], json.loads(ml.to_json())["medications"])
    return float(tally.figures()["drug"]["f1"])


def pages_per_second(pdfs: list[bytes], fn, repeat: int) -> float:
    pages = 0
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pages = sum(fn(p) for p in pdfs)
        times.append(time.perf_counter() - start)
    return pages / statistics.median(times)


def ours(pdf: bytes) -> int:
    return read_bytes(pdf, name="b.pdf", suffix=".pdf").pages


def pdfium_text(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    n = len(doc)
    for page in doc:
        page.get_textpage().get_text_range()
    doc.close()
    return n


def plumber_text(pdf: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            page.extract_text()
        return len(doc.pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_ingest")
    ap.add_argument("--devset", type=Path, default=SHARED / "data" / "devset")
    ap.add_argument("--ocr-cases", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    cases = sorted(p for p in args.devset.iterdir() if (p / "gold.json").exists())

    def as_pdf(layout):
        return lambda p: read_bytes(text_to_pdf(p.read_text(encoding="utf-8"), layout=layout, lines_per_page=45,
                                                header="Document fictif"), name=p.stem + ".pdf", suffix=".pdf")

    def as_scan(p):
        return read_bytes(scan_pdf(text_to_pdf(p.read_text(encoding="utf-8"))), name=p.stem + ".pdf", suffix=".pdf")

    rows = [("text (.txt)", drug_f1(cases, read_document), len(cases))]
    for layout in ("mono", "proportional"):
        rows.append((f"PDF, {layout} layout", drug_f1(cases, as_pdf(layout)), len(cases)))
    step = max(1, len(cases) // max(1, args.ocr_cases))
    ocr_cases = cases[::step][: args.ocr_cases]
    from recon.ingest import ocr

    if ocr.available():
        rows.append(("text (.txt), OCR subset", drug_f1(ocr_cases, read_document), len(ocr_cases)))
        rows.append(("scan (OCR), same subset", drug_f1(ocr_cases, as_scan), len(ocr_cases)))
    pdfs = [text_to_pdf((c / s).read_text(encoding="utf-8"), layout="proportional", lines_per_page=45)
            for c in cases for s in ("before.txt", "after.txt")]
    speed = {name: pages_per_second(pdfs, fn, args.repeat)
             for name, fn in (("recon ingestion (layout, tables, sandbox)", ours),
                              ("pypdfium2 plain text", pdfium_text), ("pdfplumber extract_text", plumber_text))}
    base = speed["recon ingestion (layout, tables, sandbox)"]
    lines = [f"# PDF ingestion — {time.strftime('%Y-%m-%d')}", "",
             f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
             f"{len(pdfs)} one-page PDFs, median of {args.repeat} runs.", "",
             "| input | drug F1 | cases |", "|---|---|---|"]
    lines += [f"| {name} | {f1:.3f} | {n} |" for name, f1, n in rows]
    lines += ["", "| reader | pages/s | ratio to recon |", "|---|---|---|"]
    lines += [f"| {name} | {v:.1f} | {v / base:.2f} |" for name, v in speed.items()]
    text = "\n".join(lines) + "\n"
    out = ROOT / "eval" / "results" / "ingest.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
