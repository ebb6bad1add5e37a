"""Justifications written near a line ("arrêt … en raison de …", "majoration …", "(hyperkaliémie)").

A line's comment mixes posology, route, dates, status words, table cells, signatures and, sometimes,
the reason of a change. ``reason_for`` keeps only the clinical justification:

1. table cells that wrap onto a second row ("remplace | | | | la rosuvastatine") are joined back;
2. the comment is cut into pieces (columns, dashes, semicolons, parentheses) and each piece into
   clauses (", ", " : ");
3. signatures ("Dr X", "validé par …"), service names, page and ward codes and dates are removed
   from a clause; its leading posology, route, dates and table-cell status words ("ARRÊT PO
   12/04/2024 …") are stripped, and so is a trailing dose ("prévention MTEV 2,5 mg/0,5 ml");
4. a clause is dropped when nothing clinical is left: only posology, status or change words
   ("poursuivi", "dose réduite"), a condition ("si douleur"), an administration instruction
   ("prendre 2 h avant …", "jusqu'à …"), a role ("cardiologue") or a drug name (unless the
   comment speaks of a substitution, where the replaced drug is the point);
5. the kept clauses are returned as written, joined by " ; ", cut at a clause or word boundary.

Negation and causal words ("pas de", "en raison de", "car", "pour", "suite à", "devant") are never
stripped: a status word they follow stays with them ("suspendu en raison de l'IRA").
"""

from __future__ import annotations

import re
from functools import lru_cache

from recon.models import Medication
from recon.reference import fold

MAX_LENGTH = 300

# -- lexicons (folded: lower case, no accents) -------------------------------------------------------
# "goutte" is left out of the posology words: after a number it is a drop ("2 gouttes"), alone it is gout


def _lexicon(text: str) -> frozenset[str]:
    return frozenset(text.split())


_POSOLOGY_TEXT = """
cp cpr cpe comprime comprimes gel gelule gelules sachet sachets sach bouffee bouffees bouff gouttes gtte gttes
inhalation inhalations pulverisation pulverisations application applications amp ampoule ampoules patch patchs
seringue seringues ser stylo stylos fl flacon flacons ui u unite unites mg g ug µg mcg ml l mmol meq c cuillere
cuilleres cafe soupe mesure dose doses unique le la les l au aux a de du des d par jour jours j fois matin midi soir
coucher nuit et en ou po iv ivl ivse sc im inh sl oph od og ods per os voie orale toutes tous tout h heures heure
semaine semaines sem mois pendant pdt puis x avant apres repas jeun chaque lundi mardi mercredi jeudi vendredi samedi
dimanche sur demi une un deux trois quatre cinq six max maximum min minutes perf perfusion ivd bolus sous cutane
cutanee inhale inhalee nebulisation nebulisations transdermique td oeil yeux narine narines lendemain soit odg sb
systematique systematiques systematiquement t croquer buvable collyre pommade creme solution sol buv inj injectable
pdre poudre susp suspension sirop spray aerosol ovule suppositoire lp lm orodispersible
effervescent gastro gastroresistant enrobe pellicule secable sec quadrisecable kwikpen flexpen solostar turbuhaler
diskus ellipta respimat unidose inhalateur nebuliseur continu continue diner dejeuner petit gouter jusqu jusque
induction dans avec mu mui ns mte efg cif prise prises depuis ce cette jour ci janvier fevrier mars avril mai juin
juillet aout septembre octobre novembre decembre buccale buccal rectale rectal vaginale vaginal nasale nasal auriculaire
ophtalmique sublinguale gingivale
"""
_POSOLOGY_WORDS = _lexicon(_POSOLOGY_TEXT)
_STATUS_TEXT = """
poursuivi poursuivie poursuivis poursuivies poursuivre poursuite inchange inchangee inchanges inchangees idem continuer
maintenu maintenue maintenus maintenues traitement personnel habituel habituelle nouveau nouvelle nouveaux introduit
introduite introduits introduction ajout ajoute ajoutee arret arrete arretee arretes arretees arreter definitif
definitive definitivement stop stoppe stoppee suspendu suspendue suspendus suspension ne pas interrompre interrompu
interrompue reprise reprendre prescrit prescrite modifie modifiee modification debut debute debutee debuter instaure
instauree instauration initie initiee idem
"""
_STATUS_WORDS = _lexicon(_STATUS_TEXT)
# the status words a table cell writes on its own ("ARRÊT", "Nouveau pneumopathie", "Modifié carence …")
_CELL_STATUS = _lexicon("""
nouveau nouvelle nouveaux modifie modifiee poursuivi poursuivie inchange inchangee maintenu maintenue arret
arrete arretee suspendu suspendue stop debute debutee introduit introduite ajout
""")
# words saying that the dose changed, not why ("réduite", "majoration", "dose augmentée")
_CHANGE_TEXT = """
augmente augmentee augmentes augmentees augmentation diminue diminuee diminues diminuees diminution reduit reduite
reduits reduites reduction majore majoree majores majorees majoration minore minoree minoration double doublee
doublement baisse baissee hausse posologie posologies adapte adaptee adaptation ajuste ajustee
"""
_CHANGE_WORDS = _lexicon(_CHANGE_TEXT)
_ROLE_TEXT = """
dr pr docteur professeur interne internes externe ph cca praticien medecin pharmacien pharmacienne senior signe signee
signature valide validee validation prescripteur cardiologue nephrologue geriatre pneumologue neurologue endocrinologue
diabetologue gastroenterologue hepatologue oncologue rhumatologue urologue chirurgien anesthesiste psychiatre
infirmier infirmiere ide domicile
"""
_ROLE_WORDS = _lexicon(_ROLE_TEXT)
# labels of a comment cell ("commentaire :", "indication :")
_LABEL_WORDS = _lexicon("""
commentaire commentaires indication indications motif remarque remarques observation obs nb note notes
justification
""")
# words that, after a status word, make it part of a justification ("suspendu en raison de …")
_CONNECTIVES = _lexicon("""
a au aux pour car en suite devant sur par apres avant pendant si selon des le la les de du d l depuis jusqu faute vu
""")
# a temporal or causal word before the first clinical word: the phrase starts there ("48 h avant chirurgie")
_PHRASE_HEAD = _lexicon("""
avant apres pendant sous depuis pour car devant suite lors
""")
_ARTICLES = _lexicon("""
le la les l du de des d un une
""")
_TIME_UNITS = _lexicon("""
h heure heures j jour jours min minutes semaine semaines sem mois
""")
_FUNCTION_WORDS = _lexicon("""
a au aux de du des d l le la les en par pour sur et ou
""")
_TRAILING_FUNCTION = _lexicon("""
de du des la le les l d a au aux et ou en par pour sur avec sans car que
""")

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

# -- patterns ---------------------------------------------------------------------------------------

_SPLIT = re.compile(r"(\s*\|\s*|\s+[-–—]+\s+|\s*;\s*|\s*[()\[\]]\s*|\s*\n\s*)")
_WRAPPED_LINE = re.compile(r"\s*\n\s*(?=[a-zàâçéèêëîïôûù(])")
_CLAUSE_SPLIT = re.compile(r"(\s*,\s+|\s+:\s*|\s*:\s+)")
_DATE = re.compile(r"^\d{1,2}/\d{1,2}(?:/\d{2,4})?$|^j[+-]?\d+$|^\d{1,2}h\d{0,2}$|^h\d{1,2}$", re.IGNORECASE)
_NUMBER = re.compile(r"^[\d.,/½¼¾xX×:%°>< ]+$")
_CONDITION = re.compile(r"^(?:si|en\s+cas\s+d|selon|au\s+besoin)\b", re.IGNORECASE)
_MONTHS = r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)"
# a date inside a clause: with a year, or after a preposition ("fibroscopie du 18/12", "débuté le 18/03"),
# or a time ("14h30"); a bare "12/8" may be a blood pressure and stays
_DATE_IN_CLAUSE = re.compile(
    r"(?:\b(?:depuis|d[èe]s|[àa]\s+partir|[àa]\s+compter)\s+)?(?:\b(?:le|du|au|en\s+date\s+du)\s+)?"
    r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/\d{2,4}\b"
    r"|(?:\b(?:depuis|d[èe]s|[àa]\s+partir|[àa]\s+compter)\s+)?\b(?:le|du|au)\s+"
    r"(?:(?P<d2>\d{1,2})/(?P<m2>\d{1,2})\b(?!\s*(?:mm|cm|/))|\d{1,2}(?:er)?\s+" + _MONTHS + r"(?:\s+\d{4})?)"
    r"|(?:\b[àa]\s+)?\b\d{1,2}\s*[h:]\s*\d{2}\b",
    re.IGNORECASE)
_SIGNATURE = re.compile(
    r"(?:\b(?:vu|valid[ée]e?|sign[ée]e?|prescrit|avis|appel|discut[ée]e?|accord)\s+(?:avec|par|du|de|au)\s+"
    r"(?:(?:le|la)\s+)?)?"
    r"\b(?:Dr|DR|Pr|Docteur|Professeur)\b\.?\s*(?:[A-ZÉÈ]\.\s*)*[A-ZÉÈ][\w'’-]*(?:[\s-]+[A-ZÉÈ][A-ZÉÈa-zéèêëïîôç'’-]+)?"
    r"|\b(?:valid[ée]e?|sign[ée]e?|relu)\s+par\s+(?:(?:le|la)\s+)?[\w.'’-]+(?:\s+[A-ZÉÈ][\w.'’-]*)*"
    r"|^[A-ZÉÈ]\.\s*[A-ZÉÈ][a-zéèêëïîôç'’-]+(?:[\s-]+[A-ZÉÈ][a-zéèêëïîôç'’-]+)?$")
_PLACE = re.compile(
    r"\bservice\s+(?:de\s+(?:la\s+)?|d['’]\s*|des\s+)?[\w'’-]+(?:\s+[A-Z0-9]\b)?"
    r"|\bunit[ée]\s+(?:de\s+soins|d['’]hospitalisation)(?:\s+[\w-]+)?"
    r"|\b(?:p[ôo]le|pavillon|secteur|b[âa]timent|aile)\s+[\w-]+"
    r"|\bUF\s*\d+\w*|\b(?:lit|chambre|ch\.|box)\s*n?°?\s*\d+\w?"
    r"|\bpages?\s+\d+(?:\s*/\s*\d+)?|\bp\.\s*\d+(?:\s*/\s*\d+)?",
    re.IGNORECASE)
# a clause that is an administration or duration instruction, not a justification
_INSTRUCTION = re.compile(
    r"^(?:[àa]\s+)?(?:prendre|avaler|croquer|dissoudre|diluer|conserver|administrer|appliquer)\b"
    r"|^jusqu['’]?\s*(?:[àa]|au|aux|ce)\b|^dur[ée]e\b|^kit\b|^derni[èe]re\s+(?:prise|dose|injection)"
    r"|^dose\s+de\s+charge|^sch[ée]ma\s+(?:d[ée]taill|remis|joint)|^appeler\b|^rester\s+(?:assise?|debout|allong)"
    r"|^changer\s+(?:de\s+)?(?:site|patch|point)|^avec\s+un\s+(?:grand\s+)?verre|^entre\s+(?:la\s+)?joue"
    r"|^ne\s+pas\s+(?:[ée]craser|croquer|ouvrir|couper|m[âa]cher|avaler)"
    r"|^(?:en\s+dehors|[àa]\s+distance)\s+des\s+repas|^renouvel|^injections?\s+(?:sc|iv|im|s/c|sous|intra)\b",
    re.IGNORECASE)
# a dose at the end of a clause ("prévention MTEV 2,5 mg/0,5 ml"); lab values ("5,8 mmol/l") are kept
_TRAILING_DOSE = re.compile(
    r"(?:\s+\d+(?:[.,]\d+)?\s*(?:mg|g|µg|ug|mcg|ui|u|ml|cp|cpr|gél|gel|gélules?|comprimés?|sachets?|gouttes?"
    r"|bouffées?|ampoules?)\b(?:\s*/\s*(?:\d+(?:[.,]\d+)?\s*)?(?:ml|j|jour|24\s*h|prise|dose)\b)?)+\s*$",
    re.IGNORECASE)


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
    """The clinical justification written in ``comment``, as written, or None.

    Posology, route, dates, status and change words, table structure, signatures, services, page and
    ward codes, administration instructions and bare drug names are left out (see the module's doc).
    """
    if not comment or not comment.strip():
        return None
    own = _own_names(med) if med is not None else frozenset()
    text = _join_wrapped_cells(comment)
    substitution = bool(_SUBSTITUTION_CUE.search(text))
    parts = _SPLIT.split(text)
    kept: list[str] = []
    seen: set[str] = set()
    previous_kept = False
    for i in range(0, len(parts), 2):
        cleaned = _clean_piece(parts[i], own, substitution)
        key = fold(cleaned) if cleaned else ""
        if not cleaned or not key or key in seen:
            previous_kept = False
            continue
        seen.add(key)
        if previous_kept and "(" in parts[i - 1]:
            kept[-1] = f"{kept[-1]} ({cleaned})"  # "insuffisance rénale (DFG 25 ml/min)"
        else:
            kept.append(cleaned)
        previous_kept = True
    if not kept:
        return None
    return _shorten(" ; ".join(kept), MAX_LENGTH)


def _join_wrapped_cells(text: str) -> str:
    """A comment wrapped onto the next line or table row goes back together: a line that starts in
    lower case or with "(" continues the previous one, and "… | | | | rest" continues its cell (the last
    one that is not a route or date code)."""
    text = _WRAPPED_LINE.sub(" ", text)
    if "|" not in text:
        return text
    out: list[str] = []
    empty = 0
    for cell in (c.strip() for c in text.split("|")):
        if not cell:
            empty += 1
            continue
        if empty and out and (cell[0].islower() or cell[0] == "(" or cell.split()[0].lower() in ("et", "ou")):
            k = len(out) - 1
            while k > 0 and all(_token_filler(t) and not _NUMBER.match(t) for t in out[k].split()):
                k -= 1  # "PO", "IV", a date: the text continues the cell before
            out[k] = f"{out[k]} {cell}"
        else:
            out.append(cell)
        empty = 0
    return " | ".join(out)


def _clean_piece(piece: str, own: frozenset[str], substitution: bool) -> str | None:
    """The clauses of one piece that carry a justification, joined as written."""
    piece = _PLACE.sub(" ", _SIGNATURE.sub(" ", piece.strip()))
    piece = " ".join(_DATE_IN_CLAUSE.sub(_drop_date, piece).split())
    if not piece:
        return None
    parts = _CLAUSE_SPLIT.split(piece)
    out = ""
    head: str | None = None  # a change word heading the next clause ("majoration : LDL 1,6 g/l")
    for i in range(0, len(parts), 2):
        sep = parts[i - 1] if i > 0 else ""
        clause, change_only = _clean_clause(parts[i], own, substitution)
        if change_only and i == 0 and i + 1 < len(parts) and ":" in parts[i + 1]:
            head = clause
            continue
        if not clause or change_only:
            continue
        if head and i == 2:
            clause = f"{head} : {clause}"
        out = f"{out}{', ' if ',' in sep else ' : '}{clause}" if out else clause
    return out or None


def _drop_date(m: re.Match[str]) -> str:
    """A calendar date goes; "depuis le 45/90" is not one and stays."""
    day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
    if day and not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
        return m.group(0)
    return " "


def _clean_clause(clause: str, own: frozenset[str], substitution: bool) -> tuple[str | None, bool]:
    """The clause as written without its leading posology, or None; and whether it only says that the
    dose changed ("dose réduite", "majoration")."""
    clause = _trim(clause)
    if not clause or _INSTRUCTION.match(clause) or _SIGNATURE.fullmatch(clause):
        return None, False
    written = clause
    clause = _strip_leading(clause)
    if not clause:
        if any(w in _CHANGE_WORDS for w in fold(written).split()):
            return _strip_posology(written), True
        return None, False
    if _CONDITION.match(clause) or _INSTRUCTION.match(clause):
        return None, False
    clause = _strip_trailing_dose(clause)
    words = [w for w in fold(clause).split() if w]
    meaningful = [w for k, w in enumerate(words) if not _filler(w) and w not in own and not (
        w == "goutte" and k > 0 and (_NUMBER.match(words[k - 1]) or words[k - 1] in ("une", "par")))]
    if not meaningful:
        return (clause, True) if any(w in _CHANGE_WORDS for w in words) else (None, False)
    if not substitution and _drug_names_only(meaningful) and not any(w in _PHRASE_HEAD for w in words):
        return None, False
    return clause, False


def _trim(text: str) -> str:
    """Spaces and punctuation around a clause; a hyphen glued to a word stays ("SCA ST-")."""
    text = text.strip(" ,.:;|/–—\t")
    text = re.sub(r"^[-–—]+\s*", "", text)
    return re.sub(r"\s+[-–—]+$", "", text).strip()


def _filler(word: str) -> bool:
    """A folded word that carries no justification on its own."""
    return (word in _POSOLOGY_WORDS or word in _STATUS_WORDS or word in _CHANGE_WORDS or word in _ROLE_WORDS
            or word in _LABEL_WORDS or bool(_DATE.match(word)) or bool(_NUMBER.match(word)))


def _token_filler(token: str) -> bool:
    """A written token that is posology, a route, a date or a number ("1", "cp/j", "12/04/2024", "PO")."""
    if _DATE.match(token) or _NUMBER.match(token):
        return True
    words = fold(token).split()
    return all(w in _POSOLOGY_WORDS or _NUMBER.match(w) or _DATE.match(w) or w in _LABEL_WORDS for w in words)


def _strip_leading(clause: str) -> str:
    """Drop the leading tokens that are posology, route, dates, labels or a table cell's status word
    ("ARRÊT PO 12/04/2024 Risque de chute" → "Risque de chute"); a status word followed by a
    connective stays ("suspendu en raison de …", "reprise à discuter")."""
    tokens = clause.split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        words = fold(token).split()
        word = words[0] if len(words) == 1 else ""
        if word in ("ne", "pas", "jusqu", "sans", "non") or (words and words[0] == "jusqu"):
            break  # a negation ("PAS 95 mmHg" is a pressure, "pas de …") or a duration ("jusqu'à …")
        if _token_filler(token) or (word == "goutte" and i > 0 and (
                _NUMBER.match(tokens[i - 1]) or fold(tokens[i - 1]) in ("une", "par"))):
            i += 1
            continue
        if word in _STATUS_WORDS or word in _CHANGE_WORDS:
            following = fold(tokens[i + 1]).split() if i + 1 < len(tokens) else []
            nxt = following[0] if following else ""
            letters = [c for c in token if c.isalpha()]
            if len(letters) >= 3 and all(c.isupper() for c in letters):
                i += 1  # a cell written in capitals: "ARRÊT", "SUSPENDU", "NOUVEAU"
                continue
            if nxt in _CONNECTIVES:
                break
            if not nxt or (word in _CELL_STATUS and (token[0].isupper() or _token_filler(tokens[i + 1])
                                                     or nxt in _STATUS_WORDS or nxt in _CHANGE_WORDS)):
                i += 1
                continue
        break
    if i < len(tokens) and all(fold(t) in _FUNCTION_WORDS or fold(t) in ("dose", "doses") for t in tokens[:i]):
        i = 0  # only "à", "en", "de" …: they belong to the phrase ("à reprendre selon bilan")
    start = _phrase_start(tokens, i)
    return _trim(" ".join(tokens[start:]))


def _strip_posology(clause: str) -> str:
    """Drop the leading posology tokens only ("1 cp par jour PO posologie réduite" → "posologie réduite")."""
    tokens = clause.split()
    i = 0
    while i < len(tokens) - 1 and _token_filler(tokens[i]):
        i += 1
    return _trim(" ".join(tokens[i:]))


def _phrase_start(tokens: list[str], first: int) -> int:
    """Where the phrase holding the first clinical word starts: back over "avant"/"après"/"pour" …,
    a delay and one status word ("Arrêt 48 h avant chirurgie")."""
    if first == 0 or first >= len(tokens):
        return first
    j = first - 1
    while j > 0 and fold(tokens[j]) in _ARTICLES:
        j -= 1
    if fold(tokens[j]) not in _PHRASE_HEAD:
        return first
    start = j
    k = j - 1
    while k >= 1 and fold(tokens[k]) in _TIME_UNITS and _NUMBER.match(tokens[k - 1]):
        start = k - 1
        k -= 2
    if k >= 0 and start == k + 1 and fold(tokens[k]) in _STATUS_WORDS and fold(tokens[k]) not in ("ne", "pas"):
        start = k
    return start


def _strip_trailing_dose(clause: str) -> str:
    """Drop a dose at the end of a clause, unless it is the strength of a named drug ("remplace X 5 mg")."""
    m = _TRAILING_DOSE.search(clause)
    if not m or m.start() == 0:
        return clause
    head = clause[:m.start()].rstrip()
    before = fold(head).split()
    if before and (_is_drug_name(before[-1]) or before[-1] in _TRAILING_FUNCTION):
        return clause
    return _trim(head)


def _drug_names_only(words: list[str]) -> bool:
    """The words name drugs and nothing else ("ESIDREX", "baisse du Coaprovel", "atorvastatine 20 mg")."""
    return all(_is_drug_name(w) for w in words) or _is_drug_name(" ".join(words))


@lru_cache(maxsize=4096)
def _is_drug_name(folded: str) -> bool:
    if len(folded) < 3:
        return False
    try:
        from recon.reference import default_reference

        return bool(default_reference().lookup(folded))
    except Exception:  # the reference cannot be read: no word is taken for a drug name
        return False


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a clause boundary, else at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    for sep in (" ; ", ", ", " : "):
        k = cut.rfind(sep)
        if k >= limit // 2:
            return _trim(cut[:k])
    k = cut.rfind(" ")
    words = (cut[:k] if k > 0 else text[:limit]).split()
    while len(words) > 1 and fold(words[-1]) in _TRAILING_FUNCTION:
        words.pop()
    return _trim(" ".join(words))


def _own_names(med: Medication) -> frozenset[str]:
    names = set(fold(med.drug_text).split())
    for s in med.substances:
        names.update(fold(s.name).split())
    if med.product:
        names.update(fold(med.product.name).split())
    return frozenset(n for n in names if len(n) >= 3)
