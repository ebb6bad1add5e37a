"""Drug reference: names (brand, DCI) → substances, ATC, CIS."""

from recon.reference.model import DrugEntry, DrugReference, Product
from recon.reference.names import display_dci, fold, substance_key
from recon.reference.romedi import build_from_romedi, default_reference

__all__ = ["DrugEntry", "DrugReference", "Product", "build_from_romedi", "default_reference", "display_dci",
           "fold", "substance_key"]
