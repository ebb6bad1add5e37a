"""Discharge liaison letter (lettre de liaison de sortie): HTML, PDF and FHIR from one context."""

from recon.letter.render import FORMATS, letter_context, render_html, write_letter
from recon.letter.stay import Doctor, Patient, Stay, example_stay, load_stay, stay_from_dict

__all__ = ["FORMATS", "Doctor", "Patient", "Stay", "example_stay", "letter_context", "load_stay", "render_html",
           "stay_from_dict", "write_letter"]
