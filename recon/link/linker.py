"""Link a drug name as written to the reference: exact, then fuzzy (rapidfuzz).

Score scale (one for every method): 1.0 is an exact match of the folded name; a fuzzy
match scores ``rapidfuzz`` similarity / 100 (max of ``ratio`` and ``token_sort_ratio``),
so 0.9 is about one letter wrong in ten. Below ``REVIEW_BELOW`` the link is kept but the
medication is flagged ``needs_review``; below ``FUZZY_CUTOFF`` nothing is linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from recon.reference import DrugEntry, DrugReference, default_reference, fold
from recon.reference.names import salt_words

FUZZY_CUTOFF = 0.84
REVIEW_BELOW = 0.92
_COMBINATION_SPLIT = re.compile(r"\s*(?:/|\+|\bet\b|,)\s*")


@dataclass(slots=True)
class LinkResult:
    entry: DrugEntry | None
    method: str  # exact | fuzzy | none
    score: float
    candidates: list[tuple[DrugEntry, float]] = field(default_factory=list)
    substances: tuple[str, ...] = ()
    atc: str | None = None

    @property
    def linked(self) -> bool:
        return self.entry is not None or bool(self.substances)


class Linker:
    def __init__(self, reference: DrugReference) -> None:
        self.reference = reference
        self._keys = reference.keys()
        self._stripped: dict[str, str] = {}
        for key in self._keys:
            self._stripped.setdefault(self._strip_salts(key), key)

    @staticmethod
    def _strip_salts(key: str) -> str:
        return " ".join(w for w in key.split() if w not in salt_words()) or key

    def exact(self, text: str) -> list[DrugEntry]:
        key = fold(text)
        hits = self.reference.lookup(key)
        if not hits:
            alias = self._stripped.get(self._strip_salts(key))
            if alias:
                hits = self.reference.lookup(alias)
        return hits

    def link(self, text: str, *, fuzzy: bool = True, limit: int = 5) -> LinkResult:
        key = fold(text)
        if not key:
            return LinkResult(None, "none", 0.0)
        hits = self.exact(key)
        if hits:
            best = _prefer(hits)
            return LinkResult(best, "exact", 1.0, [(h, 1.0) for h in hits[:limit]], best.substances, best.atc)
        combo = self._combination(key)
        if combo is not None:
            return combo
        if not fuzzy or len(key) < 4:
            return LinkResult(None, "none", 0.0)
        return self.fuzzy(key, limit=limit)

    def fuzzy(self, key: str, *, limit: int = 5, cutoff: float = FUZZY_CUTOFF) -> LinkResult:
        found = process.extract(
            key, self._keys, scorer=_similarity, limit=limit, score_cutoff=cutoff * 100
        )
        candidates: list[tuple[DrugEntry, float]] = []
        for name, score, _ in found:
            for entry in self.reference.lookup(name):
                candidates.append((entry, round(score / 100, 4)))
        if not candidates:
            return LinkResult(None, "none", 0.0)
        best, score = candidates[0]
        return LinkResult(best, "fuzzy", score, candidates, best.substances, best.atc)

    def _combination(self, key: str) -> LinkResult | None:
        parts = [p for p in _COMBINATION_SPLIT.split(key) if p]
        if len(parts) < 2:
            return None
        linked = [self.link(p, fuzzy=True) for p in parts]
        if not all(r.linked for r in linked):
            return None
        substances = tuple(dict.fromkeys(s for r in linked for s in r.substances))
        joined = self.reference.lookup(" ".join(fold(p) for p in parts))
        atc = joined[0].atc if joined else None
        score = min(r.score for r in linked)
        method = "exact" if all(r.method == "exact" for r in linked) else "fuzzy"
        return LinkResult(joined[0] if joined else None, method, score, [], substances, atc)


def _similarity(a: str, b: str, **kwargs: object) -> float:
    cutoff = kwargs.get("score_cutoff")
    if isinstance(cutoff, int | float) and abs(len(a) - len(b)) > max(len(a), len(b)) * 0.4:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def _prefer(hits: list[DrugEntry]) -> DrugEntry:
    """Among names shared by several codes, prefer a full ATC code with known substances."""
    return sorted(hits, key=lambda e: (not e.substances, len(e.atc or "") != 7))[0]


@lru_cache(maxsize=1)
def default_linker() -> Linker:
    return Linker(default_reference())
