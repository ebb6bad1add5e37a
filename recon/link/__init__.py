"""Linking of a drug mention to the reference (exact, then rapidfuzz)."""

from recon.link.linker import FUZZY_CUTOFF, REVIEW_BELOW, Linker, LinkResult, default_linker

__all__ = ["FUZZY_CUTOFF", "REVIEW_BELOW", "LinkResult", "Linker", "default_linker"]
