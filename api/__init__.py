"""Recon's HTTP API (FastAPI)."""
