"""A page of an uploaded document as a PNG image, for showing a line where it was written.

Boxes of lines are in points from the page's top-left (72 per inch, also for scans read by OCR at
``ocr.DPI``); ``render_page`` returns the image and its pixels per point, so a box is drawn at
``box × pixels_per_point``. Run it through ``sandbox.run_limited``: a PDF is rendered by pdfium.
"""

from __future__ import annotations

import io

from recon.errors import UnreadableDocument
from recon.ingest.ocr import DPI

PDF_SCALE = 1.5  # pixels per point of a rendered PDF page (108 dpi)
MAX_WIDTH = 1400  # pixels: a scan is scaled down to this width


def render_page(data: bytes, media_type: str, page: int) -> tuple[bytes, float]:
    """(PNG bytes, pixels per point) of ``page`` (1-based)."""
    from PIL import Image

    if media_type == "application/pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(pdf):
                raise UnreadableDocument(f"no page {page} in this document", page=page)
            image = pdf[page - 1].render(scale=PDF_SCALE).to_pil()
        finally:
            pdf.close()
        scale = PDF_SCALE
    elif media_type.startswith("image/"):
        if page != 1:
            raise UnreadableDocument(f"no page {page} in this image", page=page)
        image = Image.open(io.BytesIO(data))
        image.load()
        scale = DPI / 72  # the OCR read the image as scanned at DPI
        if image.width > MAX_WIDTH:
            factor = MAX_WIDTH / image.width
            image = image.resize((MAX_WIDTH, max(1, round(image.height * factor))))
            scale *= factor
    else:
        raise UnreadableDocument("a text document has no page image")
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=False)
    return out.getvalue(), scale


__all__ = ["render_page"]
