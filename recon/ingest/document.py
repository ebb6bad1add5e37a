"""The Document every later stage reads: the text of a file, its lines and their pages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the document's text: ``text == document.text[start:end]``."""

    number: int  # 1-based, over the whole document
    page: int  # 1-based
    start: int
    end: int
    text: str


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
        parts: list[str] = []
        lines: list[Line] = []
        offset = 0
        number = 0
        for page_no, page_text in enumerate(pages, start=1):
            page_text = page_text.replace("\r\n", "\n").replace("\r", "\n")
            for raw in page_text.split("\n"):
                number += 1
                lines.append(Line(number, page_no, offset, offset + len(raw), raw))
                parts.append(raw)
                offset += len(raw) + 1
        return cls(
            name=name,
            media_type=media_type,
            sha256=sha256,
            pages=len(pages),
            text="\n".join(parts),
            lines=lines,
        )
