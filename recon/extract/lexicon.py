"""Find drug mentions in a line: longest match of reference names over word n-grams."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from recon.extract import patterns as P
from recon.link import Linker, LinkResult
from recon.reference import fold


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # offsets in the line
    end: int
    text: str
    link: LinkResult


@lru_cache(maxsize=1)
def stop_names() -> frozenset[str]:
    """Reference names that are also ordinary words in prescriptions: never a mention alone."""
    raw = resources.files("recon.resources").joinpath("stop_names.txt").read_text(encoding="utf-8")
    return frozenset(fold(w) for w in raw.splitlines() if w.strip() and not w.startswith("#"))


_MAX_WORDS = 6


def find_mentions(line: str, linker: Linker, *, fuzzy_unknown: bool = True) -> list[Mention]:
    """Mentions in ``line``, left to right, longest match first, never overlapping."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in P.WORD.finditer(line)]
    mentions: list[Mention] = []
    i = 0
    stops = stop_names()
    while i < len(tokens):
        found: Mention | None = None
        for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            start, end = tokens[i][0], tokens[i + n - 1][1]
            # n-grams may cross spaces, hyphens and slashes only
            gap_text = line[start:end]
            if re.search(r"[^\w\s/'’\-.+]", gap_text):
                continue
            key = fold(gap_text)
            if n == 1 and (key in stops or len(key) < 3):
                continue
            hits = linker.exact(key)
            if hits:
                found = Mention(start, end, gap_text, linker.link(key, fuzzy=False))
                i += n
                break
        if found:
            mentions.append(found)
            continue
        i += 1
    return mentions


def guess_unknown(line: str, start: int, end: int, linker: Linker) -> Mention | None:
    """Fuzzy-link the words in ``line[start:end]`` (a name left unmatched); None when nothing is close."""
    words = [(m.start() + start, m.end() + start, m.group(0)) for m in P.WORD.finditer(line[start:end])]
    words = [w for w in words if len(w[2]) >= 4 and fold(w[2]) not in stop_names()]
    for n in (2, 1):
        if len(words) < n:
            continue
        s, e = words[0][0], words[n - 1][1]
        result = linker.fuzzy(fold(line[s:e]))
        if result.entry is not None:
            return Mention(s, e, line[s:e], result)
    return None
