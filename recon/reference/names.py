"""Folding and keys for drug names: the one normalisation the reference and the linker share."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

_NON_WORD = re.compile(r"[^a-z0-9%µ]+")


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: 'Kardégic®-75' → 'kardegic 75'."""
    text = strip_accents(text.replace("µ", "u").replace("μ", "u")).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return " ".join(_NON_WORD.sub(" ", text).split())


def _resource_lines(name: str) -> list[str]:
    raw = resources.files("recon.resources").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def salt_words() -> frozenset[str]:
    return frozenset(_resource_lines("salt_words.txt"))


@lru_cache(maxsize=1)
def accented_names() -> dict[str, str]:
    return {fold(name): name for name in _resource_lines("dci_accents.txt")}


def substance_key(name: str) -> str:
    """Identity of a substance name: folded, salt words removed, words sorted."""
    words = [w for w in fold(name).split() if w not in salt_words()]
    return " ".join(sorted(words)) or fold(name)


def display_dci(name: str) -> str:
    """A DCI as French text: lower case, with its accents when the lexicon knows them."""
    folded = fold(name)
    known = accented_names().get(folded)
    return known if known else name.strip().lower()
