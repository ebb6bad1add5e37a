"""French review reasons that several stages write or read (one wording per concept)."""

from __future__ import annotations

POSOLOGY_NOT_FOUND = "posologie non retrouvée"
DRUG_NOT_IN_REFERENCE = "médicament non reconnu dans le référentiel"
UNCERTAIN_LINK = "lien au référentiel incertain (score {score})"
POSSIBLE_OMISSION = "absent de la prescription hospitalière sans motif écrit : omission possible"

__all__ = ["DRUG_NOT_IN_REFERENCE", "POSOLOGY_NOT_FOUND", "POSSIBLE_OMISSION", "UNCERTAIN_LINK"]
