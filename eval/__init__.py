"""Accuracy and speed benchmarks of Recon (run with `python -m eval`)."""
