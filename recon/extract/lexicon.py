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
_fold = lru_cache(maxsize=1 << 16)(fold)  # n-grams repeat across lines and documents


@lru_cache(maxsize=1 << 16)
def _exact(linker: Linker, key: str) -> bool:
    return bool(linker.exact(key))


def find_mentions(line: str, linker: Linker, *, fuzzy_unknown: bool = True) -> list[Mention]:
    """Mentions in ``line``, left to right, longest match first, never overlapping."""
    tokens = []
    for m in P.WORD.finditer(line):
        elided = P.ELISION.match(m.group(0))  # "l'amlodipine", "d'Eliquis"
        start = m.start() + (elided.end() if elided and elided.end() < len(m.group(0)) else 0)
        tokens.append((start, m.end(), line[start : m.end()]))
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
            key = _fold(gap_text)
            if n == 1 and (key in stops or len(key) < 3):
                continue
            if n > 1 and _fold(tokens[i][2]) in P.FUNCTION_WORDS:
                continue
            hits = linker.exact(key) if _exact(linker, key) else []
            if not hits and n >= 2 and P.ABBREVIATION.search(gap_text):  # "AMOXICILLINE/AC. CLAVULANIQUE"
                expanded = _fold(_expand(gap_text))
                hits = linker.exact(expanded)
                key = expanded if hits else key
            combo = _combination(gap_text, linker) if n >= 2 and P.COMBINATION_SPLIT.search(gap_text) else None
            if combo is not None and (not hits or not any(h.substances for h in hits)):
                found = Mention(start, end, gap_text, combo)
                i += n
                break
            if hits:
                found = Mention(start, end, gap_text, linker.link(key, fuzzy=False))
                i += n
                break
        if found:
            mentions.append(found)
            continue
        i += 1
    return mentions


def _expand(text: str) -> str:
    return P.ABBREVIATION.sub(lambda m: P.ABBREVIATIONS[m.group(0).lower().rstrip(".")], text)


def _combination(text: str, linker: Linker) -> LinkResult | None:
    """'AMOXICILLINE/AC. CLAVULANIQUE', 'fluticasone + salmétérol': every part a known name → one mention
    of all their substances (the ATC code of the pair when the reference names it)."""
    parts = [p.strip(" .") for p in P.COMBINATION_SPLIT.split(text)]
    if len(parts) < 2 or any(not p for p in parts):
        return None
    substances: list[str] = []
    for part in parts:
        key = fold(_expand(part))
        if not key or key in stop_names():
            return None
        hits = linker.exact(key)
        if not hits:
            return None
        result = linker.link(key, fuzzy=False)
        if not result.substances:
            return None
        substances.extend(s for s in result.substances if s not in substances)
    joined = linker.reference.lookup(" ".join(fold(p) for p in parts))
    atc = next((e.atc for e in joined if e.atc and len(e.atc) == 7), None)
    return LinkResult(joined[0] if joined else None, "exact", 1.0, [], tuple(substances), atc)


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
