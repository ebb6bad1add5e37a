"""Justifications written near a line ("arrêt … en raison de …", "majoration …", "(hyperkaliémie)").

A line's comment mixes posology, route, dates, status words and, sometimes, the reason of a
change. ``reason_for`` cuts the comment into pieces (columns, dashes, parentheses), drops the
pieces that only carry posology, dates or a bare status word, and returns the rest as written.
"""

from __future__ import annotations

import re

from recon.models import Medication
from recon.reference import fold

_SUBSTITUTION_CUE = re.compile(
    r"remplac|relais|[ée]quivalen|substitu|au\s+lieu\s+d|[àa]\s+la\s+place|switch|non\s+r[ée]f[ée]renc|hors\s+livret"
    r"|\blivret\b|non\s+disponible|indisponible|\bgénérique\b",
    re.IGNORECASE)
_CHANGE_CUE = re.compile(
    r"\b(?:dose|posologie)s?\s+(?:doubl|tripl|augment|diminu|r[ée]dui|major|baiss|divis|modifi|r[ée]ajust|[ée]lev)"
    r"|\bmajor(?:ation|[ée]e?s?)\b"
    r"(?!\s+(?:du|de\s+la|des|de\s+l['’]?)\s*(?:risque|effet|toxicit|saignement|h[ée]morrag))"
    r"|\bminor(?:ation|[ée]e?s?)\b|\bd[ée]croissance\b|\bsevrage\s+progressif"
    r"|\b(?:augmentation|diminution|r[ée]duction|baisse|doublement)\s+(?:de\s+(?:la\s+)?)?(?:dose|posologie)"
    r"|\bdose\s+(?:r[ée]duite|augment[ée]e|doubl[ée]e|diminu[ée]e|major[ée]e)\b",
    re.IGNORECASE)
_NEGATED_CHANGE = re.compile(r"\b(?:pas\s+de|sans|ne\s+pas)\s+(?:modif|major|augment|diminu|chang)", re.IGNORECASE)
_SPLIT = re.compile(r"\s*\|\s*|\s+[-–—]\s+|\s*;\s*|\s*[()]\s*|\s*\n\s*")
_DATE = re.compile(r"^\d{1,2}/\d{1,2}(?:/\d{2,4})?$|^j[+-]?\d+$|^\d{1,2}h\d{0,2}$")
_NUMBER = re.compile(r"^[\d.,/½¼¾xX×:%°>< ]+$")
_POSOLOGY_TEXT = """
cp cpr cpe comprime comprimes gel gelule gelules sachet sachets sach bouffee bouffees bouff goutte gouttes gtte gttes
inhalation inhalations pulverisation pulverisations application applications amp ampoule ampoules patch patchs
seringue seringues stylo stylos fl flacon flacons ui u unite unites mg g ug µg mcg ml l mmol meq c cuillere cuilleres
cafe soupe mesure dose doses unique le la les l au aux a de du des d par jour jours j fois matin midi soir coucher
nuit et en ou po iv ivl ivse sc im inh sl oph od og ods per os voie orale toutes tous tout h heures heure semaine
semaines sem mois pendant puis x avant apres repas jeun chaque lundi mardi mercredi jeudi vendredi samedi dimanche
sur demi une un deux trois quatre cinq six max maximum min minutes perf perfusion ivd bolus sous cutane cutanee
inhale inhalee nebulisation nebulisations cutanee transdermique oeil yeux narine narines le lendemain soit
odg sb systematique systematiquement douleur douleurs fievre t c croquer buvable
collyre pommade creme solution sol buv inj injectable perf pdre poudre susp suspension sirop spray aerosol
ovule suppositoire lp lm orodispersible effervescent gastro gastroresistant enrobe pellicule secable sec
quadrisecable kwikpen flexpen solostar turbuhaler diskus ellipta respimat unidose inhalateur nebuliseur
"""
_POSOLOGY_WORDS = frozenset(_POSOLOGY_TEXT.split())
_STATUS_TEXT = """
poursuivi poursuivie poursuivre poursuite inchange inchangee idem continuer continue maintenu maintenue
traitement personnel habituel nouveau nouvelle introduit introduite ajout arret arrete arretee arreter definitif
definitivement stop suspendu suspendue suspension ne pas interrompre reprise reprendre a ce jour prescrit
modifie modifiee modification
"""
_STATUS_WORDS = frozenset(_STATUS_TEXT.split())
_CONDITION = re.compile(r"^(?:si|en\s+cas\s+d|selon|au\s+besoin)\b", re.IGNORECASE)


def substitution_cue(med: Medication) -> bool:
    """The line says it replaces another drug ("remplace …", "équivalence livret", "relais de …")."""
    return bool(_SUBSTITUTION_CUE.search(_line_text(med)))


def change_cue(med: Medication) -> bool:
    """The line says its dose was changed ("dose doublée", "majoration", "dose réduite", "décroissance")."""
    text = _NEGATED_CHANGE.sub(" ", _line_text(med))
    return bool(_CHANGE_CUE.search(text))


def _line_text(med: Medication) -> str:
    return " ".join(t for t in (med.comment, med.text) if t)


def reason_for(*meds: Medication | None) -> str | None:
    """The justification written with the first of the given lines that has one, as written."""
    for med in meds:
        if med is None:
            continue
        found = justification(med.comment, med) if med.comment else None
        found = found or justification(_text_after_name(med), med)
        if found:
            return found
    return None


def _text_after_name(med: Medication) -> str:
    """The written line without the drug's name, when extraction kept no comment."""
    text = med.text or ""
    i = text.lower().find(med.drug_text.lower()) if med.drug_text else -1
    return text[i + len(med.drug_text):] if i >= 0 else text


def justification(comment: str, med: Medication | None = None) -> str | None:
    """The pieces of ``comment`` that are neither posology, dates, route nor a bare status word."""
    own = _own_names(med) if med is not None else set()
    kept: list[str] = []
    for piece in _SPLIT.split(comment):
        piece = piece.strip(" ,.:;|-–—")
        if not piece:
            continue
        rest = _strip_posology(piece)
        if not rest or _CONDITION.match(rest):
            continue
        words = [w for w in fold(rest).split() if w]
        meaningful = [w for w in words if w not in _POSOLOGY_WORDS and w not in _STATUS_WORDS
                      and not _DATE.match(w) and not _NUMBER.match(w) and w not in own]
        if not meaningful:
            continue
        kept.append(rest)
    if not kept:
        return None
    text = " ; ".join(kept)
    return text[:300]


def _strip_posology(piece: str) -> str:
    """Drop the leading words of a piece that are posology ("2 cp le matin pendant 5 jours puis …")."""
    tokens = piece.split()
    i = 0
    while i < len(tokens):
        w = fold(tokens[i])
        if not w or w in _POSOLOGY_WORDS or _DATE.match(tokens[i]) or _NUMBER.match(tokens[i]) or all(
                x in _POSOLOGY_WORDS or _NUMBER.match(x) for x in w.split()):
            i += 1
            continue
        break
    return " ".join(tokens[i:]).strip(" ,.:;|-–—")


def _own_names(med: Medication) -> set[str]:
    names = set(fold(med.drug_text).split())
    for s in med.substances:
        names.update(fold(s.name).split())
    if med.product:
        names.update(fold(med.product.name).split())
    return {n for n in names if len(n) >= 3}
