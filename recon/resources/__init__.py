"""Lexicons and terminologies as data files (read with importlib.resources)."""
