"""Fictional example documents (written for Recon; no real patient)."""
