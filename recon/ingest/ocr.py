"""OCR of scanned pages and images with Tesseract (French), when it is installed."""

from __future__ import annotations

import shutil
from functools import lru_cache
from typing import Any

from recon.ingest.layout import BBox, Word, lay_out

DPI = 300
LANG = "fra"


@lru_cache(maxsize=1)
def available() -> bool:
    """True when pytesseract, the tesseract binary and its French data are installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract

        return LANG in pytesseract.get_languages(config="")
    except Exception:
        return False


def render_pdf_page(data: bytes, index: int) -> Any:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        return page.render(scale=DPI / 72).to_pil()
    finally:
        pdf.close()


def image_lines(image: Any, *, timeout: int = 60) -> list[tuple[str, BBox | None]]:
    """Lines of an image, boxes in points at 72 dpi (as PDF pages)."""
    import pytesseract

    scale = 72 / DPI
    out = pytesseract.image_to_data(image, lang=LANG, config="--psm 6", output_type=pytesseract.Output.DICT,
                                    timeout=timeout)
    words = []
    for i, text in enumerate(out["text"]):
        if text and text.strip() and float(out["conf"][i]) > 20:
            x, y, w, h = (out[k][i] * scale for k in ("left", "top", "width", "height"))
            words.append(Word(text.strip(), x, y, x + w, y + h))
    return [(t, b) for t, b in lay_out(words, width=image.width * scale)]
