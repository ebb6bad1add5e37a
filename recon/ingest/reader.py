"""Read a file (text, PDF, image) into a Document, or raise a coded error."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from recon.errors import DocumentTooLarge, EmptyDocument, FileNotFound, UnreadableDocument, UnsupportedFileType
from recon.ingest.document import Document

log = logging.getLogger(__name__)

MEDIA_TYPES = {".txt": "text/plain", ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_BYTES = 20 * 1024 * 1024


def read_document(path: str | Path, *, name: str | None = None) -> Document:
    """Read ``path`` into a Document. Raises E101–E107 errors, never a library exception."""
    p = Path(path)
    label = name or p.name
    suffix = p.suffix.lower()
    if not p.exists():
        raise FileNotFound(f"{label}: no such file; check the path")
    if not p.is_file():
        raise FileNotFound(f"{label}: not a regular file")
    _check_suffix(label, suffix)
    if p.stat().st_size > MAX_BYTES:
        raise DocumentTooLarge(f"{label}: {p.stat().st_size} bytes is over the {MAX_BYTES}-byte limit")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"{label}: cannot be read ({e.strerror})") from e
    return read_bytes(data, name=label, suffix=suffix)


def _check_suffix(name: str, suffix: str) -> None:
    if suffix not in MEDIA_TYPES:
        raise UnsupportedFileType(
            f"{name}: '{suffix or 'no extension'}' files are not supported; give a .pdf or a UTF-8 .txt file"
        )
    if suffix in IMAGE_SUFFIXES:
        from recon.ingest import ocr

        if not ocr.available():
            raise UnsupportedFileType(f"{name}: images need OCR (Tesseract with French data), which is not installed")


def read_bytes(data: bytes, *, name: str, suffix: str) -> Document:
    """Read in-memory content; ``suffix`` is the file's extension ('.txt', '.pdf', '.png', …)."""
    suffix = suffix.lower()
    _check_suffix(name, suffix)
    if len(data) > MAX_BYTES:
        raise DocumentTooLarge(f"{name}: {len(data)} bytes is over the {MAX_BYTES}-byte limit")
    sha = hashlib.sha256(data).hexdigest()
    media_type = MEDIA_TYPES[suffix]
    if suffix == ".txt":
        doc = Document.from_pages(name=name, media_type=media_type, sha256=sha, pages=[_decode(data, name)])
    else:
        from recon.ingest.layout import strip_repeated_margins
        from recon.ingest.sandbox import run_limited

        if suffix == ".pdf":
            from recon.ingest.pdf import pdf_page_lines

            pages, warnings = run_limited(pdf_page_lines, data, name=name, label=name)
        else:
            pages, warnings = run_limited(_image_lines, data, label=name)
        doc = Document.from_page_lines(name=name, media_type=media_type, sha256=sha,
                                       pages=strip_repeated_margins(pages))
        doc.warnings.extend(warnings)
    if not doc.text.strip():
        if doc.warnings:
            raise EmptyDocument(f"{name}: no text could be read ({doc.warnings[0][1]})")
        raise EmptyDocument(f"{name}: the document has no text to read")
    return doc


def _image_lines(data: bytes) -> tuple[list[list[tuple[str, object]]], list[tuple[str, str, int | None]]]:
    import io

    from PIL import Image

    from recon.ingest import ocr

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        lines = ocr.image_lines(image.convert("L"))
    return [lines], [("W104", "image read by OCR: check the medication lines against the original", 1)]


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(f"{name}: binary content in a .txt file; give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8, read as Windows-1252", name)
        return data.decode("cp1252", errors="replace")
