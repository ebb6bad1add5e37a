"""Identity of a drug (its substance set) and same-class tests (ATC level 4)."""

from __future__ import annotations

from recon.models import Medication
from recon.reference import fold, substance_key


def substance_keys(med: Medication) -> frozenset[str]:
    keys = frozenset(substance_key(s.name) for s in med.substances if s.name)
    return keys or frozenset({fold(med.drug_text)})


def same_drug(a: Medication, b: Medication) -> bool:
    if a.atc and b.atc and len(a.atc) == 7 and a.atc == b.atc:
        return True
    ka, kb = substance_keys(a), substance_keys(b)
    return bool(ka) and ka == kb


def same_class(a: Medication, b: Medication) -> bool:
    """Two different substances of one pharmacological class: same ATC level 4 (5 characters)."""
    return bool(a.atc and b.atc and len(a.atc) >= 5 and len(b.atc) >= 5 and a.atc[:5] == b.atc[:5])
