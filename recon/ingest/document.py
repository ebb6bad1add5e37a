"""The Document every later stage reads: the text of a file, its lines, their pages and boxes."""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the page's top-left


@dataclass(slots=True)
class Line:
    """One line of the document's text: ``text == document.text[start:end]``."""

    number: int  # 1-based, over the whole document
    page: int  # 1-based
    start: int
    end: int
    text: str
    bbox: BBox | None = None
    section: str | None = None  # e.g. "traitement_sortie", "allergies" (see sections.py)
    ald: bool | None = None  # bizone ordonnance: True in the ALD zone, False outside, None when not bizone


@dataclass(slots=True)
class Document:
    name: str
    media_type: str
    sha256: str
    pages: int
    text: str
    lines: list[Line] = field(default_factory=list)
    warnings: list[tuple[str, str, int | None]] = field(default_factory=list)  # (code, message, page)

    @classmethod
    def from_pages(cls, *, name: str, media_type: str, sha256: str, pages: list[str]) -> Document:
        """Join page texts with a newline and index every line with its page."""
        return cls.from_page_lines(
            name=name, media_type=media_type, sha256=sha256,
            pages=[[(raw, None) for raw in p.replace("\r\n", "\n").replace("\r", "\n").split("\n")] for p in pages],
        )

    @classmethod
    def from_page_lines(cls, *, name: str, media_type: str, sha256: str,
                        pages: list[list[tuple[str, BBox | None]]]) -> Document:
        """Build from lines already laid out, each with its box on the page (or None)."""
        parts: list[str] = []
        lines: list[Line] = []
        offset = 0
        number = 0
        for page_no, page_lines in enumerate(pages, start=1):
            for raw, bbox in page_lines:
                number += 1
                lines.append(Line(number, page_no, offset, offset + len(raw), raw, bbox))
                parts.append(raw)
                offset += len(raw) + 1
        doc = cls(name=name, media_type=media_type, sha256=sha256, pages=len(pages), text="\n".join(parts),
                  lines=lines)
        from recon.ingest.sections import tag_sections

        tag_sections(doc)
        return doc

    def locate(self, start: int, end: int) -> list[tuple[int, BBox | None]]:
        """Pages and boxes of the lines a character span covers (for highlighting the source)."""
        return [(ln.page, ln.bbox) for ln in self.lines if ln.start < end and ln.end >= start]
