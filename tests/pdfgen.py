"""Tiny PDF writers for tests (fictional content only): text in several layouts, and scans.

- ``make_pdf(pages)``: lines of text, Helvetica.
- ``text_to_pdf(text, layout=...)``: a .txt document as a PDF, ``"mono"`` (Courier, columns kept
  exactly) or ``"proportional"`` (Helvetica, column chunks placed at tab stops), with a repeated
  header and "Page i/n" footer when it runs over several pages.
- ``scan_pdf(pdf_bytes)``: each page rasterised (pypdfium2) and wrapped as an image-only PDF.
"""

from __future__ import annotations

import io
import re

A4 = (595, 842)


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _assemble(page_streams: list[bytes], *, images: list[tuple[bytes, int, int]] | None = None) -> bytes:
    """Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Courier, then per page: page, contents[, image]."""
    objects: list[bytes] = [b"", b""]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for i, stream in enumerate(page_streams):
        pid = len(objects) + 1
        cid = pid + 1
        page_ids.append(pid)
        xobj = b""
        if images:
            xobj = b" /XObject << /Im0 " + str(pid + 2).encode() + b" 0 R >>"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >>"
            + xobj + b" >> /Contents " + str(cid).encode() + b" 0 R >>"
        )
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
        if images:
            jpeg, w, h = images[i]
            objects.append(
                f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
                f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg)} >>\nstream\n".encode()
                + jpeg + b"\nendstream"
            )
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects[1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(len(page_ids)).encode() + b" >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _text_op(x: float, y: float, text: str, *, font: str = "F1", size: float = 10) -> bytes:
    return f"BT /{font} {size} Tf {x:.2f} {y:.2f} Td (".encode() + _escape(text) + b") Tj ET\n"


def make_pdf(pages: list[list[str]]) -> bytes:
    streams = []
    for lines in pages:
        streams.append(b"".join(_text_op(50, 800 - 14 * i, ln) for i, ln in enumerate(lines)))
    return _assemble(streams)


def text_to_pdf(text: str, *, layout: str = "mono", lines_per_page: int = 60, header: str | None = None) -> bytes:
    lines = text.splitlines()
    chunks = [lines[i : i + lines_per_page] for i in range(0, max(1, len(lines)), lines_per_page)] or [[]]
    n = len(chunks)
    streams = []
    for p, page_lines in enumerate(chunks, start=1):
        ops = []
        y = 800.0
        if header and n > 1:
            ops.append(_text_op(40, 820, header, size=8))
        for line in page_lines:
            if layout == "mono":
                if line.strip():
                    ops.append(_text_op(30, y, line, font="F2", size=8.5))
            else:
                for m in re.finditer(r"\S+(?: \S+)*", line):
                    ops.append(_text_op(30 + m.start() * 5.1, y, m.group(0), size=7.6))
            y -= 12.5
        if n > 1:
            ops.append(_text_op(270, 25, f"Page {p}/{n}", size=8))
        streams.append(b"".join(ops))
    return _assemble(streams)


def scan_pdf(pdf: bytes, *, dpi: int = 200) -> bytes:
    """Each page as a grey JPEG image, no text layer: what a scanner or a fax gives."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    images = []
    streams = []
    try:
        for page in doc:
            img = page.render(scale=dpi / 72).to_pil().convert("L")
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=85)
            images.append((buf.getvalue(), img.width, img.height))
            streams.append(f"q {A4[0]} 0 0 {A4[1]} 0 0 cm /Im0 Do Q".encode())
    finally:
        doc.close()
    return _assemble(streams, images=images)
