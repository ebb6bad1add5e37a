"""The DrugReference: names (brands and DCI) → substances and ATC codes, with an index by folded name."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from recon.reference.names import fold


@dataclass(frozen=True, slots=True)
class DrugEntry:
    """One name a drug is written by: a brand ('KARDEGIC') or a DCI ('acide acétylsalicylique')."""

    name: str
    key: str  # folded name
    atc: str | None
    substances: tuple[str, ...]  # French DCI, lower case, accented when known
    kind: str  # "brand" | "dci"
    cis: str | None = None
    # 0: substances certain; 1: partial (a class code "X en association", a DCI that is one part of
    # the code's combination); 2: no substance known. The linker prefers lower ranks among homonyms.
    rank: int = 0


@dataclass(frozen=True, slots=True)
class Product:
    """A medicinal product (spécialité) of the BDPM: one CIS."""

    cis: str
    name: str  # denomination: 'DOLIPRANE 1000 mg, comprimé'
    form: str
    routes: tuple[str, ...]
    marketed: bool
    atc: str | None
    substances: tuple[tuple[str, str], ...]  # (French DCI, strength as written: '1000 mg / un comprimé')
    generic_group: str | None = None
    presentations: int = 0


@dataclass(slots=True)
class DrugReference:
    source: str
    version: str
    entries: list[DrugEntry] = field(default_factory=list)
    atc_labels: dict[str, str] = field(default_factory=dict)  # class code → label
    products: dict[str, Product] = field(default_factory=dict)  # CIS → product (BDPM import only)
    _index: dict[str, list[DrugEntry]] = field(default_factory=dict)
    _atc_index: tuple[int, dict[str, list[DrugEntry]]] | None = None

    def add(self, entry: DrugEntry) -> None:
        bucket = self._index.setdefault(entry.key, [])
        if any(e.atc == entry.atc and set(e.substances) == set(entry.substances) for e in bucket):
            return
        bucket.append(entry)
        self.entries.append(entry)

    def put_first(self, entry: DrugEntry) -> None:
        """Add ``entry`` ahead of the other entries of its name, replacing those of the same code
        (a curated brand line overrides what the terminology says of that brand)."""
        bucket = self._index.setdefault(entry.key, [])
        stale = [e for e in bucket if e.atc == entry.atc]
        for e in stale:
            bucket.remove(e)
            self.entries.remove(e)
        bucket.insert(0, entry)
        self.entries.append(entry)

    def lookup(self, name: str) -> list[DrugEntry]:
        """Entries whose folded name is exactly ``fold(name)``."""
        return list(self._index.get(fold(name), ()))

    def keys(self) -> list[str]:
        return list(self._index)

    def max_words(self) -> int:
        return max((len(k.split()) for k in self._index), default=1)

    def substances_of_atc(self, atc: str) -> tuple[str, ...]:
        best: DrugEntry | None = None
        for e in self._index_by_atc().get(atc, ()):
            if e.kind == "dci" and e.substances and (best is None or e.rank < best.rank):
                best = e
        return best.substances if best else ()

    def by_atc(self, atc: str) -> list[DrugEntry]:
        return list(self._index_by_atc().get(atc, ()))

    def _index_by_atc(self) -> dict[str, list[DrugEntry]]:
        if self._atc_index is None or self._atc_index[0] != len(self.entries):
            by_atc: dict[str, list[DrugEntry]] = defaultdict(list)
            for e in self.entries:
                if e.atc:
                    by_atc[e.atc].append(e)
            self._atc_index = (len(self.entries), dict(by_atc))
        return self._atc_index[1]

    def stats(self) -> dict[str, int]:
        return {
            "names": len(self._index),
            "entries": len(self.entries),
            "brands": sum(e.kind == "brand" for e in self.entries),
            "substances": len({s for e in self.entries for s in e.substances}),
            "atc_codes": len({e.atc for e in self.entries if e.atc}),
            "products": len(self.products),
        }
