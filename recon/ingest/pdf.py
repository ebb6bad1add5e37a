"""PDF text with pdfplumber, page by page, in reading order."""

from __future__ import annotations

import io
import logging

from recon.errors import UnreadableDocument

log = logging.getLogger(__name__)

MAX_PAGES = 200


def pdf_pages(data: bytes, *, name: str) -> list[str]:
    """The text of each page. Corrupted, encrypted or non-PDF content raises E104."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableDocument(f"{name}: not a PDF file (no %PDF header)")
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise UnreadableDocument("pdfplumber is not installed") from e
    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise UnreadableDocument(f"{name}: {len(pdf.pages)} pages is over the {MAX_PAGES}-page limit")
            for page in pdf.pages:
                pages.append(page.extract_text(layout=False, x_tolerance=1.5, y_tolerance=3) or "")
    except UnreadableDocument:
        raise
    except PDFPasswordIncorrect as e:
        raise UnreadableDocument(f"{name}: the PDF is encrypted; give an unprotected copy") from e
    except Exception as e:  # pdfminer raises many unrelated types on broken files
        raise UnreadableDocument(f"{name}: the PDF is corrupted or truncated ({type(e).__name__})") from e
    return pages
