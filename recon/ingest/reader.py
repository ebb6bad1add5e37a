"""Read a file (text or PDF) into a Document, or raise a coded error."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from recon.errors import EmptyDocument, FileNotFound, UnreadableDocument, UnsupportedFileType
from recon.ingest.document import Document

log = logging.getLogger(__name__)

MEDIA_TYPES = {".txt": "text/plain", ".pdf": "application/pdf"}
MAX_BYTES = 20 * 1024 * 1024


def read_document(path: str | Path, *, name: str | None = None) -> Document:
    """Read ``path`` into a Document. Raises E101–E105 errors, never a library exception."""
    p = Path(path)
    label = name or p.name
    suffix = p.suffix.lower()
    if not p.exists():
        raise FileNotFound(f"{label}: no such file; check the path")
    if not p.is_file():
        raise FileNotFound(f"{label}: not a regular file")
    if suffix not in MEDIA_TYPES:
        raise UnsupportedFileType(
            f"{label}: '{suffix or 'no extension'}' files are not supported; give a .pdf or a UTF-8 .txt file"
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"{label}: cannot be read ({e.strerror})") from e
    return read_bytes(data, name=label, suffix=suffix)


def read_bytes(data: bytes, *, name: str, suffix: str) -> Document:
    """Read in-memory content (``suffix`` is '.txt' or '.pdf')."""
    from recon.errors import DocumentTooLarge

    if suffix not in MEDIA_TYPES:
        raise UnsupportedFileType(f"{name}: '{suffix}' files are not supported; give a .pdf or a .txt file")
    if len(data) > MAX_BYTES:
        raise DocumentTooLarge(f"{name}: {len(data)} bytes is over the {MAX_BYTES}-byte limit")
    sha = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        from recon.ingest.pdf import pdf_pages

        pages = pdf_pages(data, name=name)
        doc = Document.from_pages(name=name, media_type=MEDIA_TYPES[suffix], sha256=sha, pages=pages)
        for i, page in enumerate(pages, start=1):
            if not page.strip():
                doc.warnings.append(("W101", "page has no text layer; it was not read", i))
    else:
        doc = Document.from_pages(name=name, media_type=MEDIA_TYPES[suffix], sha256=sha, pages=[_decode(data, name)])
    if not doc.text.strip():
        raise EmptyDocument(f"{name}: the document has no text to read")
    return doc


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(f"{name}: binary content in a .txt file; give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8, read as Windows-1252", name)
        return data.decode("cp1252", errors="replace")
