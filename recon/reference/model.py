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


@dataclass(slots=True)
class DrugReference:
    source: str
    version: str
    entries: list[DrugEntry] = field(default_factory=list)
    atc_labels: dict[str, str] = field(default_factory=dict)  # class code → label
    _index: dict[str, list[DrugEntry]] = field(default_factory=dict)

    def add(self, entry: DrugEntry) -> None:
        bucket = self._index.setdefault(entry.key, [])
        if any(e.atc == entry.atc and e.substances == entry.substances for e in bucket):
            return
        bucket.append(entry)
        self.entries.append(entry)

    def lookup(self, name: str) -> list[DrugEntry]:
        """Entries whose folded name is exactly ``fold(name)``."""
        return list(self._index.get(fold(name), ()))

    def keys(self) -> list[str]:
        return list(self._index)

    def max_words(self) -> int:
        return max((len(k.split()) for k in self._index), default=1)

    def substances_of_atc(self, atc: str) -> tuple[str, ...]:
        for e in self._index_by_atc().get(atc, ()):
            if e.kind == "dci":
                return e.substances
        return ()

    def _index_by_atc(self) -> dict[str, list[DrugEntry]]:
        by_atc: dict[str, list[DrugEntry]] = defaultdict(list)
        for e in self.entries:
            if e.atc:
                by_atc[e.atc].append(e)
        return by_atc

    def stats(self) -> dict[str, int]:
        return {
            "names": len(self._index),
            "entries": len(self.entries),
            "brands": sum(e.kind == "brand" for e in self.entries),
            "substances": len({s for e in self.entries for s in e.substances}),
            "atc_codes": len({e.atc for e in self.entries if e.atc}),
        }
