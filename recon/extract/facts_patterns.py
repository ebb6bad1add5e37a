"""Vocabulary of ``recon.extract.facts``: the words a document uses to state allergies, the patient's
identity, its own kind, the stay's dates and its author. Data only; the logic is in ``facts.py``.

Patterns marked *folded* are matched on ``recon.reference.fold(text)`` (lower case, no accents,
punctuation as single spaces: "d'admission" → "d admission"); the others on the text as written,
case-insensitively unless said otherwise.
"""

from __future__ import annotations

# -- allergies -------------------------------------------------------------------------------------

# A statement of allergy ending with a colon: "Allergie : …", "ALLERGIES CONNUES : …",
# "Allergie(s) : …", "Allergie / intolérance à noter : …", "Allergie déclarée : …".
ALLERGY_LABEL = (r"\b(?P<kw>allergi(?:es?|ques?)|intol[ée]rances?)\b(?P<mid>[^:.;|]{0,40}?)\s*:\s*")
# Without a colon: "Intolérance aux AINS", "ALLERGIE PÉNICILLINES", "allergique à la codéine",
# "allergie à l'iode". The allergen must then be a known class or a drug of the reference.
ALLERGY_PHRASE = (r"\b(?P<kw>allergi(?:es?|ques?)|intol[ée]rances?|intol[ée]rante?s?)"
                  r"(?:\s+(?:connue|d[ée]clar[ée]e|signal[ée]e|s[ée]v[èe]re|m[ée]dicamenteuse)s?)?"
                  r"\s+(?:(?:(?:aux|au|[àa]\s+la|[àa]|envers\s+les|envers\s+la|vis-[àa]-vis\s+des|vis-[àa]-vis\s+du"
                  r"|vis-[àa]-vis\s+de\s+la)\s+)|(?:[àa]\s+l|envers\s+l)['’]\s*)?")
# The allergen before the word: "Pas d'AINS (allergie)", "éviter la codéine (intolérance)".
ALLERGY_AFTER = r"\(\s*(?P<kw>allergi(?:e|que)|intol[ée]rance)s?\s*\)"
# Words an allergen named before "(allergie)" is preceded by, dropped.
ALLERGEN_LEAD = r"^(?:pas\s+d['’]\s*|pas\s+de\s+|jamais\s+d[e']\s*|[ée]viter\s+(?:les?\s+|la\s+|l['’]\s*)?|ni\s+)"

# The whole value says there is none (folded): "aucune", "aucune connue", "néant", "non connues",
# "pas d'allergie connue", "0", "RAS", "NC".
ALLERGY_NONE = (r"^(?:aucune?s?|neant|nulle?s?|non|sans|ras|nc|0|pas\s+d\s*allergies?|pas\s+connues?"
                r"|inconnues?|non\s+connues?|absence)(?:\s|$)")
# A sentence that says there is none, anywhere in a line (as written).
ALLERGY_NONE_SENTENCE = (r"\b(?:pas|aucune?|sans|absence)\s+(?:de\s+|d['’]\s*)?(?:notion\s+d['’]\s*)?"
                         r"(?:allergies?|intol[ée]rances?)\b")
# Separators of several allergens in one value ("amoxicilline, iode ; codéine et AINS").
ALLERGEN_SPLIT = r"\s*(?:,|;|\bet\b|\+)\s*"
# Words before an allergen, dropped: "à la pénicilline", "aux AINS".
ALLERGEN_ARTICLE = (r"^(?:(?:(?:aux|au|[àa]\s+la|[àa]|les|la|le|des|du|de\s+la|de)\s+)"
                    r"|(?:(?:[àa]\s+)?l|d)['’]\s*)+")
# A parenthesis that is not a reaction (folded): "(notion ancienne)", "(non documentée)", "(2015)".
NOT_A_REACTION = r"^(?:notion|non|ancien|douteu|suspect|a\s+verifier|a\s+confirmer|declar|signal|cf|voir|\d{4}$)"

# An allergen to one substance of these ATC classes covers the whole class (an allergy to
# amoxicillin is an allergy to the penicillins): ATC prefix of the substance → class covered.
ALLERGY_MEMBER_CLASS = {"J01C": "J01C"}

# -- document kind ---------------------------------------------------------------------------------

# (kind, folded pattern). A title says what the document is; within one line the first pattern
# that matches wins (a "bilan médicamenteux … d'admission" is a usual-treatment list), and the
# earliest line wins over later ones. Searched in the first KIND_LINES lines.
KIND_LINES = 15
KIND_TITLES: list[tuple[str, str]] = [
    ("usual", r"\bconciliation\s+medicamenteuse\b"),
    ("usual", r"\bbilan\s+(?:partage\s+de\s+)?medic(?:amenteux|ation)\b"),
    ("usual", r"\brecueil\s+(?:des\s+traitements|pharmaceutique|du\s+traitement)\b"),
    ("usual", r"\btraitements?\s+(?:habituels?|personnels?|a\s+domicile)\b"),
    ("usual", r"\b(?:historique|releve|extrait)\s+(?:des\s+|de\s+)?(?:delivrances?|remboursements?|dispensations?"
              r"|patient|dossier\s+patient)\b"),
    ("usual", r"\b(?:dispensations?|delivrances?)\s+des\b"),
    ("usual", r"\bdossier\s+(?:pharmaceutique|medical\s+partage)\b"),
    ("usual", r"\bplan\s+de\s+soins\b"),
    ("usual", r"\b(?:fiche|dossier)\s+de\s+liaison\b"),
    ("usual", r"\bvolet\s+de\s+synthese\b"),
    ("usual", r"\bordonnance\b(?!\s+(?:de\s+sortie|d\s+admission|d\s+entree|medicale\s+d|du\b))"),
    ("discharge", r"\b(?:ordonnance|prescriptions?|traitements?)\s+(?:medicale\s+|medicamenteuse\s+)?de\s+sortie\b"),
    ("discharge", r"\blettre\s+de\s+liaison\b"),
    ("discharge", r"\bcompte\s+rendu\s+d\s+hospitalisation\b|\bcrh\b"),
    ("discharge", r"\bsortie\s+d\s+hospitalisation\b"),
    ("stay", r"\bprescriptions?\s+(?:medicales?\s+|medicamenteuses?\s+)?en\s+cours\b"),
    ("stay", r"\blignes?\s+actives?\b"),
    ("stay", r"\btraitements?\s+(?:pendant|durant|au\s+cours\s+du)\s+(?:le\s+)?sejour\b"),
    ("stay", r"\bprescriptions?\s+du\s+(?:sejour|jour)\b"),
    ("admission", r"\b(?:prescriptions?|ordonnance)\s+(?:medicales?\s+|medicamenteuses?\s+|informatisees?\s+)?"
                  r"d\s+(?:admission|entree)\b"),
    ("admission", r"\bobservation\s+(?:medicale\s+)?d\s+entree\b"),
    ("admission", r"\btraitements?\s+(?:a\s+l\s+)?entree\b"),
    ("admission", r"\badmission\s+du\b"),
]
# Hints when no title says it: the place or the writer (folded).
KIND_HINTS: list[tuple[str, str]] = [
    ("usual", r"\bmedec(?:in|ine)\s+general(?:iste|e)\b"),
    ("usual", r"\b(?:cabinet|ehpad|ssiad|officine|residence)\b"),
    ("usual", r"\bpharmacie\b(?!\s+a\s+usage)"),
    ("usual", r"\b(?:cardiologue|psychiatre|pneumologue|neurologue|rhumatologue|endocrinologue|diabetologue"
              r"|nephrologue|oncologue|gastro\s+enterologue|dermatologue|urologue|geriatre)\b"),
    ("usual", r"\bprescriptions?\s+relatives?\s+au\s+traitement\s+de\s+l\s+affection\b"),
    ("discharge", r"\bsortie\b|\bhospitalise(?:e)?\s+du\b"),
    ("stay", r"\bj\d{1,2}\b|\bjour\s+\d{1,2}\b"),
    ("admission", r"\burgences?\b|\bsau\b|\badmission\b|\bentree\b"),
]
# Section tags (recon.ingest.sections) that name a kind when nothing else does.
KIND_SECTIONS = {"traitement_sortie": "discharge", "traitement_entree": "admission",
                 "traitement_habituel": "usual"}

# -- dates -----------------------------------------------------------------------------------------

MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
          "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
DATE = (r"(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})(?:\s*[/.-]\s*(?P<y>\d{4}|\d{2}))?(?![\d/])"
        r"|(?P<wd>\d{1,2})(?:er)?\s+(?P<wm>janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre"
        r"|octobre|novembre|d[ée]cembre)\s+(?P<wy>\d{4}))")
ADMISSION_DATE = (r"(?:date\s+d['’]\s*(?:entr[ée]e|admission)|entr[ée]e?s?\s+le|admise?\s+le|admission\s+(?:du|le)"
                  r"|hospitalis[ée]e?\s+le|arriv[ée]e?\s+le)\s*:?\s*")
DISCHARGE_DATE = r"(?:date\s+de\s+sortie|sortie\s+(?:le|du|pr[ée]vue\s+le)|sortante?\s+le)\s*:?\s*"
STAY_RANGE = (r"(?:hospitalis[ée]e?s?|s[ée]jour|hospitalisation)\s+(?:en\s+\w+\s+)?du\s+(?P<a>DATE)\s+au\s+"
              r"(?P<b>DATE)")
BIRTH_DATE = (r"(?:\bn[ée]e?(?:\(e\))?\s+le|\bnee?\s+le|\bdate\s+de\s+naissance|\bDDN|\bn[ée]e?\s+en)"
              r"\s*:?\s*")
# A table row (a dispensing history) starts with a date: its doctors are prescribers, not the author.
DATE_ROW = r"^\s*\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
# A date followed by an age "(84 a)", "(91 ans)" is a birth date.
BIRTH_DATE_AGE = r"\s*\(\s*\d{1,3}\s*a(?:ns)?\b"

# -- patient identity ------------------------------------------------------------------------------

PATIENT_LABEL = (r"\b(?:patient(?:e)?|r[ée]sident(?:e)?|b[ée]n[ée]ficiaire|identit[ée]|nom(?:\s+d['’]usage|\s+de\s+"
                 r"naissance|\s+du\s+patient)?|objet)\s*:\s*")
FIRST_NAME_LABEL = r"\bpr[ée]noms?\s*:\s*"
CIVILITY = {"mme": "F", "madame": "F", "mlle": "F", "mademoiselle": "F", "m": "M", "mr": "M", "monsieur": "M"}
CIVILITY_RX = r"\b(?P<civ>Mme|Madame|Mlle|Mademoiselle|Monsieur|Mr|M)(?:\.|\b)\s*"
# Words before a civility that make the person someone else than the patient (as written).
NOT_THE_PATIENT = (r"(?:confiance|r[ée]alis[ée]|rempli|par\s*:|IDE|infirmi|pharmacien|docteur|\bDr|m[ée]decin"
                   r"|fils|fille|[ée]poux|[ée]pouse|conjoint|aidant|tuteur|curateur|destinataire|interne"
                   r"|r[ée]f[ée]rent|contact|pr[ée]venir)")
# Label words that say the sex: "Patiente :" / "Résidente :".
FEMININE_LABEL = r"\b(?:patiente|r[ée]sidente)\s*:"
SEX_LABEL = r"\bsexe\s*:\s*(?P<sex>[FMH])\b"
# A sex letter next to the name: "(F, 91 ans)", "- F -", "| F |", ", F,", "   F   ".
SEX_MARK = r"^\s*(?:[,(|/-]|\s{2,})\s*(?P<sex>[FMH])\s*(?:[,)|/-]|\s{2,}|$)"
# Words that end a name written in capitals ("ROBIN GERARD NE LE …").
NAME_STOP = frozenset({"ne", "nee", "né", "née", "ans", "an", "age", "âgé", "âgée", "ipp", "ins", "ddn", "sexe",
                       "poids", "taille", "ch", "chambre", "lit", "gir", "mt", "tel", "tél", "dr", "f", "m", "h"})
INS = r"\b(?:matricule\s+)?INS(?:-?[A-Z])?\s*:?\s*(?P<ins>[12](?:\s?\d){14})\b"
IPP = r"\bIPP\s*:?\s*(?:n°\s*)?(?P<ipp>\d{4,12})\b"
# The patient identity is looked for in the first lines only.
PATIENT_LINES = 30

# -- author, hospital, service ---------------------------------------------------------------------

DOCTOR = r"\b(?P<title>Dr|DR|Docteur|DOCTEUR|Pr|Professeur)\.?\s+"
AUTHOR_LABEL = (r"(?:prescripteur|m[ée]decin(?:\s+prescripteur|\s+responsable|\s+s[ée]nior)?|interne(?:\s+de\s+garde)?"
                r"|praticien|r[ée]alis[ée]e?\s+par|pharmacien(?:ne)?|sign[ée]e?\s+par|valid[ée]e?\s+par|auteur"
                r"|r[ée]dig[ée]e?\s+par)\s*:?\s*$")
AUTHOR_HEADER_LINES = 10
AUTHOR_SIGNATURE_LINES = 8
HOSPITAL = (r"(?:\b(?:CHU|CHR|CHRU|CHI|CHS|CH|GH|GHU|AP-HP|APHP|HCL|EPSM|HIA)\b"
            r"|(?i:\bcentre\s+hospitalier|\bh[ôo]pita(?:l|ux)\b|\bhospices?\b|\bclinique\b|\bpolyclinique\b"
            r"|\binstitut\b|\bgroupe\s+hospitalier\b))")
SERVICE = (r"(?i:^(?:service|unit[ée]|d[ée]partement|secteur|uhcd)\b|\bservice\s+(?:de|d['’]|des)\s)")
NOT_A_SERVICE = (r"(?i:^(?:h[ôo]pital|h[ôo]tel-dieu|site|p[ôo]le|page|t[ée]l|fax|secr[ée]tariat|uf\b|export"
                 r"|[ée]dit|imprim|rpps|lit\b|ch\.|chambre)"
                 r"|\d{5}|\brue\b|\bavenue\b|\bbd\b|\bboulevard\b|\bplace\b|\bchemin\b|\ballée\b)")
HOSPITAL_LINES = 4
# Separators of the parts of a header line ("CHU de X - Service de Y | UF 12").
HEADER_SPLIT = r"\s+[-–—|]\s+|\s{3,}|\s*\|\s*"
