"""Lay out positioned words as text lines: reading order, columns, table rows, spacing kept.

Input is what a PDF page (pdfplumber) or an OCR engine gives: words with boxes. Output is a
list of (text, bbox) lines in reading order where horizontal gaps are kept as runs of
spaces (so aligned columns stay aligned, as in a text file), two-column pages are read
column by column, and ruled table rows come as one line with cells joined by " | ".
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

BBox = tuple[float, float, float, float]


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


def lay_out(words: list[Word], *, width: float, tables: list[tuple[BBox, list[tuple[BBox, list[str]]]]] = ()
            ) -> list[tuple[str, BBox]]:
    """Lines of one page. ``tables`` are (table box, [(row box, cells)]) found by the caller."""
    if not words and not tables:
        return []
    table_boxes = [t[0] for t in tables]
    free = [w for w in words if not any(_inside(w, box) for box in table_boxes)]
    char_w = _char_width(words) if words else 5.0
    columns = _split_columns(free, width=width, char_w=char_w)
    page_left = min([w.x0 for w in free] + [b[0] for b in table_boxes])
    blocks: list[list[tuple[float, float, str, BBox]]] = []  # per column: (top, x0, text, bbox)
    for k, column in enumerate(columns):
        col_left = page_left if k == 0 else min(w.x0 for w in column)
        block = []
        for line_words in _group_lines(column):
            box = (min(w.x0 for w in line_words), min(w.top for w in line_words),
                   max(w.x1 for w in line_words), max(w.bottom for w in line_words))
            block.append((box[1], box[0], _render(line_words, left=col_left, char_w=char_w), box))
        blocks.append(block)
    split_x = min(w.x0 for w in columns[1]) if len(columns) > 1 else None
    for _tbox, rows in tables:
        for rbox, cells in rows:
            cells = [" ".join(c.split()) for c in cells]
            if any(cells):
                k = 1 if split_x is not None and rbox[0] >= split_x - 1 else 0
                blocks[k].append((rbox[1], rbox[0], " | ".join(cells), rbox))
    out: list[tuple[str, BBox]] = []
    for block in blocks:
        out.extend((text, box) for _, _, text, box in sorted(block, key=lambda i: (i[0], i[1])))
    return out


def _inside(w: Word, box: BBox) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return box[0] - 1 <= cx <= box[2] + 1 and box[1] - 1 <= cy <= box[3] + 1


def _char_width(words: list[Word]) -> float:
    widths = [(w.x1 - w.x0) / len(w.text) for w in words if len(w.text) >= 2]
    return statistics.median(widths) if widths else 5.0


def _group_lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines:
            cur = lines[-1]
            ref_top = statistics.median(x.top for x in cur)
            height = max(1.0, statistics.median(x.bottom - x.top for x in cur))
            if abs(w.top - ref_top) <= max(2.0, height * 0.5):
                cur.append(w)
                continue
        lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _render(words: list[Word], *, left: float, char_w: float) -> str:
    out = ""
    prev_x1 = left
    for w in words:
        col = round((w.x0 - left) / char_w)
        if out:
            gap = w.x0 - prev_x1
            spaces = 1 if gap < char_w * 1.6 else max(2, col - len(out))
            out += " " * spaces
        else:
            out = " " * max(0, col)
        out += w.text
        prev_x1 = w.x1
    return out.rstrip()


def _split_columns(words: list[Word], *, width: float, char_w: float) -> list[list[Word]]:
    """Two text columns side by side → [left, right]; anything else → [words]."""
    if len(words) < 20:
        return [words]
    lo, hi = width * 0.3, width * 0.7
    step = max(1.0, char_w / 2)
    best: tuple[float, float] | None = None
    x = lo
    while x < hi:
        if not any(w.x0 < x < w.x1 for w in words):
            start = x
            while x < hi and not any(w.x0 < x < w.x1 for w in words):
                x += step
            if x - start >= char_w * 2 and (best is None or x - start > best[1] - best[0]):
                best = (start, x)
        x += step
    if best is None:
        return [words]
    mid = (best[0] + best[1]) / 2
    left = [w for w in words if w.x1 <= mid]
    right = [w for w in words if w.x0 >= mid]
    if len(left) < 8 or len(right) < 8:
        return [words]
    # a table has cells on both sides of the gutter on the same rows; two columns do not
    left_rows = {round(w.top) for w in left}
    shared = sum(1 for w in right if round(w.top) in left_rows or round(w.top) - 1 in left_rows
                 or round(w.top) + 1 in left_rows)
    if shared / len(right) > 0.4:
        return [words]
    return [left, right]


PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}\s*(?:/|sur|of)\s*\d{1,4}\s*$|^\s*-?\s*\d{1,4}\s*-?\s*$",
                         re.IGNORECASE)


def strip_repeated_margins(pages: list[list[tuple[str, BBox | None]]]) -> list[list[tuple[str, BBox | None]]]:
    """Remove page numbers, and header/footer lines repeated at the top or bottom of most pages."""
    def norm(text: str) -> str:
        text = " ".join(text.split()).lower()
        # page counters differ from page to page: "Édité le 02/03 - Page 1/3" repeats as "… Page #/#"
        return re.sub(r"\d+", "#", text) if re.search(r"\bpage\b", text) else text

    repeated: set[str] = set()
    if len(pages) >= 2:
        counts: dict[str, int] = {}
        for lines in pages:
            texts = [t for t, _ in lines if t.strip()]
            for t in {norm(x) for x in texts[:3] + texts[-3:]}:
                counts[t] = counts.get(t, 0) + 1
        repeated = {t for t, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}
    out = []
    for lines in pages:
        texts = [i for i, (t, _) in enumerate(lines) if t.strip()]
        margin = set(texts[:3] + texts[-3:])
        kept = [(t, b) for i, (t, b) in enumerate(lines)
                if not (i in margin and (norm(t) in repeated or PAGE_NUMBER.match(t)))]
        out.append(kept)
    return out
