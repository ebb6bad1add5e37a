"""PDF pages → laid-out text lines with boxes (pdfplumber), OCR for pages without text.

Runs inside the sandbox (``sandbox.py``): any exception here becomes a coded error there.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pdfplumber  # imported by the parent, so that each sandboxed child starts with it loaded
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from recon.errors import DocumentTooLarge, UnreadableDocument
from recon.ingest.layout import BBox, Word, lay_out

log = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_PAGE_SIDE = 14400  # points (200 inches): larger pages are hostile


def pdf_page_lines(data: bytes, *, name: str, ocr: bool = True
                   ) -> tuple[list[list[tuple[str, BBox | None]]], list[tuple[str, str, int | None]]]:
    """Lines of each page and warnings. Raises E104/E105 for corrupted, encrypted or oversized files."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableDocument(f"{name}: not a PDF file (no %PDF header)")
    pages: list[list[tuple[str, BBox | None]]] = []
    warnings: list[tuple[str, str, int | None]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n = len(pdf.pages)
            if n > MAX_PAGES:
                raise DocumentTooLarge(f"{name}: {n} pages is over the {MAX_PAGES}-page limit")
            for number, page in enumerate(pdf.pages, start=1):
                if page.width > MAX_PAGE_SIDE or page.height > MAX_PAGE_SIDE:
                    raise DocumentTooLarge(f"{name}: page {number} is {page.width:.0f}×{page.height:.0f} points, "
                                           "larger than any printable page")
                lines = _page_lines(page)
                if not lines:
                    lines, warning = _ocr_page(data, number, name) if ocr else ([], None)
                    if warning:
                        warnings.append((warning[0], warning[1], number))
                pages.append(lines)
    except (UnreadableDocument, DocumentTooLarge):
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise UnreadableDocument(f"{name}: the PDF is encrypted; give an unprotected copy") from e
    except RecursionError as e:
        raise UnreadableDocument(f"{name}: the PDF is nested too deeply to be read safely") from e
    except MemoryError as e:
        raise DocumentTooLarge(f"{name}: the PDF needs more memory than allowed to be read") from e
    except Exception as e:  # pdfminer raises many unrelated types on broken files
        if "encrypt" in str(e).lower() or "password" in str(e).lower():
            raise UnreadableDocument(f"{name}: the PDF is encrypted; give an unprotected copy") from e
        raise UnreadableDocument(f"{name}: the PDF is corrupted or truncated ({type(e).__name__})") from e
    return pages, warnings


def _page_lines(page: Any) -> list[tuple[str, BBox | None]]:
    raw = page.extract_words(x_tolerance=1.5, y_tolerance=2.5, keep_blank_chars=False, use_text_flow=False)
    words = [Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])) for w in raw]
    tables = []
    found = []
    if page.lines or page.rects:  # only ruled tables are looked for: no rules, no table finder
        try:
            found = page.find_tables()
        except Exception:  # a table finder failure must not lose the page's text
            found = []
    for table in found:
        rows = []
        for row, cells in zip(table.rows, table.extract(), strict=False):
            rows.append((tuple(float(v) for v in row.bbox), [c or "" for c in cells]))
        if len(rows) >= 2 and max(len(r[1]) for r in rows) >= 2:
            tables.append((tuple(float(v) for v in table.bbox), rows))
    return [(t, b) for t, b in lay_out(words, width=float(page.width), tables=tables)]  # type: ignore[arg-type]


def _ocr_page(data: bytes, number: int, name: str) -> tuple[list[tuple[str, BBox | None]], tuple[str, str] | None]:
    from recon.ingest import ocr

    if not ocr.available():
        return [], ("W101", "page has no text layer and OCR (Tesseract) is not installed; it was not read")
    try:
        image = ocr.render_pdf_page(data, number - 1)
        lines = ocr.image_lines(image)
    except Exception as e:  # OCR failure on one page is a warning, not a failed document
        log.warning("%s: OCR failed on page %d (%s)", name, number, type(e).__name__)
        return [], ("W102", f"page could not be read by OCR ({type(e).__name__})")
    if not lines:
        return [], ("W103", "page has no text layer and OCR found no text")
    return lines, ("W104", "page read by OCR: check the medication lines against the original")
