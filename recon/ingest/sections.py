"""Sections of a medication document, and the ALD / hors ALD zones of a bizone ordonnance."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recon.ingest.document import Document

# (regex on a short heading line, section name); the first that matches names the section
SECTION_HEADINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\W*allergies?(?:\s+(?:connues?|m[ée]dicamenteuses?|et\s+intol[ée]rances?))?\s*:?\s*$",
                re.IGNORECASE), "allergies"),
    (re.compile(r"^\W*ant[ée]c[ée]dents(?:\s+[\w-]+){0,3}\s*:?\s*$", re.IGNORECASE), "antecedents"),
    (re.compile(r"^\W*traitements?\s+(?:personnels?\s+)?arr[êe]t[ée]s?\b", re.IGNORECASE), "traitements_arretes"),
    (re.compile(r"^\W*traitements?\s+(?:de\s+)?sortie\b|^\W*ordonnance\s+de\s+sortie\b", re.IGNORECASE),
     "traitement_sortie"),
    (re.compile(r"^\W*traitements?\s+(?:[àa]\s+l['’]\s*)?entr[ée]e\b|^\W*prescriptions?\s+d['’]\s*admission\b",
                re.IGNORECASE), "traitement_entree"),
    (re.compile(r"^\W*traitements?\s+(?:habituel|personnel|en\s+cours|actuel|domicile)s?\b", re.IGNORECASE),
     "traitement_habituel"),
    (re.compile(r"^\W*(?:histoire\s+de\s+la\s+maladie|évolution|examen\s+clinique|biologie|conclusion)\b",
                re.IGNORECASE), "narratif"),
]
ALD_START = re.compile(r"prescriptions?\s+relatives?\s+au\s+traitement\s+de\s+l['’]\s*affection\s+de\s+longue"
                       r"|\bALD\b\s*:?\s*$|^\W*(?:zone\s+)?ALD\b", re.IGNORECASE)
NON_ALD_START = re.compile(r"sans\s+rapport\s+avec\s+l['’]\s*affection\s+de\s+longue|hors\s+ALD", re.IGNORECASE)
_MAX_HEADING = 90
_SHORT_SECTIONS = {"allergies", "antecedents"}


def tag_sections(doc: Document) -> None:
    """Set ``line.section`` and ``line.ald`` for every line; a blank line does not end a section."""
    section: str | None = None
    ald: bool | None = None
    for line in doc.lines:
        text = line.text.strip()
        if not text and section in _SHORT_SECTIONS:
            section = None  # an allergy or history block ends at the first blank line
        if text and len(text) <= _MAX_HEADING:
            if NON_ALD_START.search(text):
                ald = False
            elif ALD_START.search(text):
                ald = True
            for rx, name in SECTION_HEADINGS:
                if rx.search(text):
                    section = name
                    break
        line.section = section
        line.ald = ald
