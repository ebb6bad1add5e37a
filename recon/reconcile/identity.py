"""Identity of a drug (its substance set) and same-class tests (ATC level 4).

Two lines are the same drug when they have the same set of active substances: by the full
ATC code where both sides know it, otherwise by normalised DCI names (folded, salt words
removed). A combination written as one name ("salmeterol et fluticasone") is split into its
components so that it meets the same combination written substance by substance.
"""

from __future__ import annotations

import re
from functools import lru_cache

from recon.models import Medication
from recon.reference import fold as _fold_uncached
from recon.reference import substance_key

fold = lru_cache(maxsize=8192)(_fold_uncached)

# words that name a salt, an ester or a presentation rather than the active moiety
_EXTRA_SALT_WORDS = frozenset({"bromure", "iodure", "formes", "orales", "forme", "orale", "injectable", "injectables"})
_SPLIT = re.compile(r"\s+et\s+|\s*/\s*|\s*\+\s*", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _substance_part_key(name: str) -> str:
    key = substance_key(name)
    if " " not in key:
        return key
    words = [w for w in key.split() if w not in _EXTRA_SALT_WORDS]
    return " ".join(words) or key


def substance_keys(med: Medication) -> frozenset[str]:
    """The substance set of a line, as normalised keys (the drug text when no substance is known)."""
    return _keys(tuple(s.name for s in med.substances), med.drug_text)


@lru_cache(maxsize=8192)
def _keys(names: tuple[str, ...], drug_text: str) -> frozenset[str]:
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        for part in _SPLIT.split(name):
            if part.strip():
                keys.add(_substance_part_key(part))
    return frozenset(k for k in keys if k) or frozenset({fold(drug_text)})


def full_atc(med: Medication) -> str | None:
    """The 7-character ATC code of the line (the product's code, or that of its only substance)."""
    if med.atc and len(med.atc) == 7:
        return med.atc
    if len(med.substances) == 1 and med.substances[0].atc and len(med.substances[0].atc) == 7:
        return med.substances[0].atc
    return None


def class_atc(med: Medication) -> str | None:
    """The ATC level-4 code (5 characters) of the line, when known."""
    for code in (med.atc, *(s.atc for s in med.substances if len(med.substances) == 1)):
        if code and len(code) >= 5:
            return code[:5]
    return None


def same_drug(a: Medication, b: Medication) -> bool:
    ca, cb = full_atc(a), full_atc(b)
    if ca and cb and ca == cb:
        return True
    ka, kb = substance_keys(a), substance_keys(b)
    return bool(ka) and ka == kb


def same_combination(a: Medication, b: Medication) -> bool:
    """One line names a combination whose other components the other line's link lost: its substance set is a
    strict part of the other's, and its own text names the missing substances ("FLUTICASONE/SALMETEROL")."""
    ka, kb = substance_keys(a), substance_keys(b)
    if not ka or not kb or ka == kb:
        return False
    small, big, med = (ka, kb, a) if ka < kb else (kb, ka, b) if kb < ka else (None, None, None)
    if small is None or big is None or med is None:
        return False
    text = f" {fold(' '.join(t for t in (med.drug_text, med.text) if t))} "
    for missing in big - small:
        words = [w for w in missing.split() if len(w) >= 5]
        if not words or not any(f" {w} " in text for w in words):
            return False
    return True


def same_class(a: Medication, b: Medication) -> bool:
    """Two different substances of one pharmacological class: same ATC level 4 (5 characters)."""
    ca, cb = class_atc(a), class_atc(b)
    return bool(ca and cb and ca == cb)


def names_of(med: Medication) -> list[str]:
    """Folded names under which a line may be mentioned elsewhere: its drug text's words and its substances."""
    return _names(med.drug_text, tuple(s.name for s in med.substances), med.product.name if med.product else None)


@lru_cache(maxsize=8192)
def _names(drug_text: str, substances: tuple[str, ...], product: str | None) -> list[str]:
    names: set[str] = set()
    words = fold(drug_text).split()
    if words and len(words[0]) >= 4 and not words[0].isdigit():
        names.add(words[0])
    for name in substances:
        for part in _SPLIT.split(name):
            part_words = [w for w in fold(part).split() if w not in _EXTRA_SALT_WORDS and len(w) >= 5]
            if part_words:
                names.add(" ".join(part_words))
    if product:
        pw = fold(product).split()
        if pw and len(pw[0]) >= 4:
            names.add(pw[0])
    return sorted(names)


def mentions(text: str | None, med: Medication) -> bool:
    """Whether ``text`` names ``med`` (by brand word or DCI), as a whole word."""
    if not text:
        return False
    folded = f" {fold(text)} "
    return any(f" {name} " in folded for name in names_of(med))
