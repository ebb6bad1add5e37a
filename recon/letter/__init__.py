"""Discharge liaison letter (lettre de liaison de sortie)."""

from recon.letter.render import letter_context, render_html, write_letter

__all__ = ["letter_context", "render_html", "write_letter"]
