"""French posology vocabulary and regular expressions, as data.

Everything the rule extractor knows about how French prescriptions are written lives
here: units, dose units, forms and their implied routes, route abbreviations, times of
day, as-needed and status cue words. Logic lives in ``posology.py`` and ``rules.py``.
"""

from __future__ import annotations

import re

# --- numbers -------------------------------------------------------------------------
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
NUM = r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])|\d+(?:[.,]\d+)?|[½¼¾⅓⅔]|\d+/\d+(?!\s*(?:ml|j\b)))"
# A number followed by "et demi" counts an extra half.
ET_DEMI = r"(?:\s+(?:et\s+)?demi(?:e)?)?"

# --- units of a strength --------------------------------------------------------------
# canonical unit → written variants (regex, case-insensitive); longest first in the built regex
STRENGTH_UNITS: dict[str, list[str]] = {
    "mg/24h": [r"mg\s*/\s*24\s*h(?:eures)?"],
    "µg/h": [r"(?:µg|μg|mcg|ug)\s*/\s*h(?:eure)?"],
    "µg/dose": [r"(?:µg|μg|mcg|ug)\s*/\s*(?:dose|bouff[ée]e|pulv[ée]risation)"],
    "mg/dose": [r"mg\s*/\s*(?:dose|bouff[ée]e|pulv[ée]risation)"],
    "UI/ml": [r"(?:UI|U\.I\.|U)\s*/\s*m[lL]"],
    "mg/ml": [r"mg\s*/\s*m[lL]"],
    "µg/ml": [r"(?:µg|μg|mcg|ug)\s*/\s*m[lL]"],
    "mg/g": [r"mg\s*/\s*g\b"],
    "%": [r"%"],
    "µg": [r"µg|μg|mcg|ug|microgrammes?|gamma"],
    "mg": [r"mg|milligrammes?"],
    "ng": [r"ng"],
    "g": [r"g(?:rammes?)?"],
    "UI": [r"UI|U\.I\.|unités?\s+internationales?|M\s*UI"],
    "mmol": [r"mmol"],
    "mEq": [r"mEq"],
    "ml": [r"m[lL]|millilitres?"],
}

# --- countable units of administration (dose) ----------------------------------------
DOSE_UNITS: dict[str, list[str]] = {
    "comprimé": [r"comprim[ée]s?", r"cpr?s?\.?", r"comp\.?", r"cps"],
    "gélule": [r"g[ée]lules?", r"g[ée]l\.?", r"gelu"],
    "capsule": [r"capsules?", r"caps\.?"],
    "sachet": [r"sachets?(?:-doses?)?", r"sach\.?"],
    "ampoule": [r"ampoules?", r"amp\.?"],
    "flacon": [r"flacons?", r"fl\.?"],
    "goutte": [r"gouttes?", r"gttes?", r"gtt\.?"],
    "bouffée": [r"bouff[ée]es?", r"inhalations?", r"pulv[ée]risations?", r"puffs?", r"pulv\.?"],
    "application": [r"applications?", r"appl?\.?"],
    "suppositoire": [r"suppositoires?", r"suppos?\.?"],
    "ovule": [r"ovules?"],
    "patch": [r"patchs?", r"dispositifs?\s+transdermiques?"],
    "stylo": [r"stylos?"],
    "seringue": [r"seringues?"],
    "cuillère à café": [r"cuill[eè]res?\s+(?:à|a)\s+caf[ée]", r"c\.?\s*à\s*c\.?"],
    "cuillère à soupe": [r"cuill[eè]res?\s+(?:à|a)\s+soupe", r"c\.?\s*à\s*s\.?"],
    "cuillère-mesure": [r"cuill[eè]res?[- ]mesures?"],
    "pipette": [r"pipettes?"],
    "dose": [r"doses?"],
    "unité": [r"unit[ée]s?"],
}

# Mass and volume units usable as a dose ("40 mg matin et midi", "14 UI à 8 h")
DOSE_MASS_UNITS = ("mg", "g", "µg", "UI", "ml", "mmol", "mEq")

# --- pharmaceutical forms → (canonical form, implied route) ---------------------------
FORMS: list[tuple[str, str, str | None]] = [
    # (regex, canonical form, implied route)
    (r"comprim[ée]s?\s+(?:pellicul[ée]s?\s+)?effervescents?|cp\s+eff(?:ervescent)?", "comprimé effervescent", "orale"),
    (r"comprim[ée]s?\s+orodispersibles?|lyoc|orodispersibles?|\boro\b", "comprimé orodispersible", "orale"),
    (r"comprim[ée]s?\s+(?:[àa]\s+)?lib[ée]ration\s+prolong[ée]e|\bLP\b|\bLM\b|\bXL\b", "comprimé à libération prolongée",
     "orale"),
    (r"comprim[ée]s?|\bcpr?s?\b\.?|\bcomp\b", "comprimé", "orale"),
    (r"g[ée]lules?|\bg[ée]l\b\.?|\bgelu\b", "gélule", "orale"),
    (r"capsules?", "capsule", "orale"),
    (r"poudre\s+pour\s+inhalation|ellipta|diskus|turbuhaler|breezhaler|genuair|respimat", "poudre pour inhalation",
     "inhalée"),
    (r"solution\s+pour\s+inhalation|n[ée]bulis", "solution pour inhalation", "inhalée"),
    (r"a[ée]rosol|inhalateur|suspension\s+pour\s+inhalation", "aérosol", "inhalée"),
    (r"sachets?|poudre\s+pour\s+solution\s+buvable", "sachet", "orale"),
    (r"gouttes?\s+buvables?", "gouttes buvables", "orale"),
    (r"suspension\s+buvable|susp\.?\s+buv", "suspension buvable", "orale"),
    (r"solution\s+buvable|sol\.?\s+buv|\bbuvable\b", "solution buvable", "orale"),
    (r"sirop", "sirop", "orale"),
    (r"granul[ée]s", "granulés", "orale"),
    (r"stylo|kwikpen|flexpen|solostar|flextouch|penfill|\bpen\b", "stylo injectable", "sous-cutanée"),
    (r"seringue|solution\s+injectable|injectable|\binj\b", "solution injectable", None),
    (r"suspension\s+injectable", "suspension injectable", None),
    (r"collyre", "collyre", "ophtalmique"),
    (r"pommade", "pommade", "cutanée"),
    (r"cr[èe]me", "crème", "cutanée"),
    (r"\bgel\b", "gel", "cutanée"),
    (r"lotion", "lotion", "cutanée"),
    (r"patch|dispositif\s+transdermique|timbre", "patch", "transdermique"),
    (r"suppositoires?|\bsuppo\b", "suppositoire", "rectale"),
    (r"ovules?", "ovule", "vaginale"),
    (r"spray\s+nasal|pulv[ée]risation\s+nasale", "spray nasal", "nasale"),
    (r"\bpoudre\b", "poudre", "orale"),
]

# dose unit → form, when no form is written ("1 gél" says gélule)
FORM_OF_DOSE_UNIT = {
    "comprimé": "comprimé",
    "gélule": "gélule",
    "capsule": "capsule",
    "sachet": "sachet",
    "patch": "patch",
    "suppositoire": "suppositoire",
    "ovule": "ovule",
    "stylo": "stylo injectable",
    "seringue": "solution injectable",
}
ROUTE_OF_DOSE_UNIT = {
    "comprimé": "orale", "gélule": "orale", "capsule": "orale", "sachet": "orale",
    "cuillère à café": "orale", "cuillère à soupe": "orale", "cuillère-mesure": "orale",
    "bouffée": "inhalée", "patch": "transdermique", "suppositoire": "rectale", "ovule": "vaginale",
    "application": "cutanée", "stylo": "sous-cutanée", "seringue": "sous-cutanée",
}

# --- routes ---------------------------------------------------------------------------
ROUTES: list[tuple[str, str]] = [
    (r"\bper\s*os\b|\bP\.?O\.?\b|voie\s+orale|\bbuvable\b|\bà\s+boire\b", "orale"),
    (r"\bIVSE\b|\bIVL\b|\bIVD\b|\bI\.?V\.?\b|intraveineuse|intra-veineuse|\bperfusion\b", "intraveineuse"),
    (r"\bS\.?C\.?\b|\bs/c\b|sous[- ]cutan[ée]e?|sous-cut\b", "sous-cutanée"),
    (r"\bI\.?M\.?\b|intramusculaire|intra-musculaire", "intramusculaire"),
    (r"\bSL\b|sublingual|sublinguale|sous\s+la\s+langue", "sublinguale"),
    (r"\bINH\b|inhal[ée]e?|\bvoie\s+inhal", "inhalée"),
    (r"\bOPH\b|ophtalmique|\bOD[GT]?\b|\bOG\b|\bdans\s+(?:chaque|les)\s+yeux|\bcollyre\b", "ophtalmique"),
    (r"transdermique", "transdermique"),
    (r"\bcutan[ée]e?\b|\bvoie\s+locale\b|\ben\s+application\b|\bsur\s+les\s+plaques\b", "cutanée"),
    (r"\bnasale?\b|\bnarines?\b", "nasale"),
    (r"\brectale?\b|\bintra-rectal", "rectale"),
    (r"\bvaginale?\b", "vaginale"),
    (r"\bauriculaire\b", "auriculaire"),
    (r"\bbuccale?\b|bain\s+de\s+bouche", "buccale"),
]

# --- times of day ---------------------------------------------------------------------
TIMES_OF_DAY: list[tuple[str, str]] = [
    (r"\bmatin(?:s)?\b|petit[- ]d[ée]jeuner|au\s+lever|\bréveil\b", "matin"),
    (r"\bmidi\b|(?<!petit-)(?<!petit )\bd[ée]jeuner\b", "midi"),
    (r"\bsoir\b|\bd[îi]ner\b|\bsouper\b", "soir"),
    (r"\bcoucher\b", "coucher"),
    (r"\bnuit\b", "nuit"),
]
SLOT_ORDER = ("matin", "midi", "soir", "coucher")

# --- as needed, status, negation, history --------------------------------------------
AS_NEEDED = re.compile(
    r"\bsi\s+(?:besoin|n[ée]cessaire|douleurs?|mal|fi[èe]vre|anxi[ée]t[ée]|insomnie|naus[ée]es?|vomissements?"
    r"|crise|dyspn[ée]e|essoufflement|g[êe]ne|sifflements?|c[ée]phal[ée]es?|diarrh[ée]e|constipation|agitation"
    r"|prurit|T\s*[>°]|temp[ée]rature|EVA|glyc[ée]mie|hypoglyc[ée]mie|toux|br[ûu]lures?|spasmes?|angor)"
    r"|\bSB\b|\bPRN\b|\bà\s+la\s+demande\b|\ben\s+cas\s+de\b|\bquand\s+\w+|\bau\s+besoin\b|\bsi\s+\w+\s*>",
    re.IGNORECASE,
)
STATUS_CUES: list[tuple[str, str]] = [
    (r"\barr[êe]t(?:é|ée|és|ées)?\b(?!\s+(?:si|en\s+cas))|\bSTOP\b|\bne\s+plus\s+prendre\b|\bsupprim[ée]e?\b"
     r"|\bnon\s+(?:poursuivi|reconduit|repris)e?s?\b", "stopped"),
    (r"\bsuspendu(?:e|s|es)?\b|\ben\s+pause\b|\bsuspension\b|\bà\s+reprendre\b|\binterrompu(?:e)?\b", "suspended"),
    (r"\bnouveau\b|\bnouvelle\b|\bintroduit(?:e)?\b|\binstaur[ée]e?\b|\binitié(?:e)?\b|\bajout(?:é|ée)?\b"
     r"|\bd[ée]but[ée]e?\b", "new"),
]
# a line saying the drug is NOT taken, or was only taken in the past
NEGATION = re.compile(
    r"\b(?:pas\s+d[e'’]|pas\s+de\s+traitement|aucun(?:e)?\s+(?:traitement\s+)?(?:par\s+)?|jamais\s+(?:pris|eu)"
    r"|sans\s+(?!rapport))",
    re.IGNORECASE,
)
HISTORY = re.compile(
    r"\b(?:ancien(?:ne)?s?\s+traitements?|ant[ée]c[ée]dents?|auparavant|autrefois|pr[ée]c[ée]demment"
    r"|arr[êe]t[ée]e?\s+en\s+(?:19|20)\d\d|en\s+(?:19|20)\d\d\s+(?:arr[êe]t|stopp))",
    re.IGNORECASE,
)
ALLERGY = re.compile(r"\ballergi|\bintol[ée]ran|\bcontre[- ]indiqu", re.IGNORECASE)
LAB_VALUE = re.compile(
    r"\b(?:kali[ée]mie|natr[ée]mie|cr[ée]at(?:inine|inin[ée]mie)?|INR|TSH|HbA1c|glyc[ée]mie|uric[ée]mie|BNP|DFG"
    r"|clairance|CRP|h[ée]moglobine|plaquettes|troponine|digoxin[ée]mie|vit(?:amine)?\s*B12\s*<)",
    re.IGNORECASE,
)

# --- frequency ------------------------------------------------------------------------
# "1-0-1", "½-0-½", "1-1-1-1", "6-8-6 UI", "0-0-1"
SLOTS = re.compile(
    r"(?<![\d/,.])((?:\d+(?:[.,]\d+)?|[½¼¾])(?:\s*-\s*(?:\d+(?:[.,]\d+)?|[½¼¾])){2,3})(?![\d/]|\s*/\s*\d)"
)
PER_DAY_PATTERNS: list[tuple[str, str]] = [
    # (regex with group 'n', kind)
    (r"(?:x|×)\s*(?P<n>\d+)\s*/\s*j(?:our)?\b", "count"),
    (r"(?P<n>\d+)\s*(?:x|×|fois)\s*/\s*j(?:our)?\b", "count"),
    (r"(?P<n>\d+|une|deux|trois|quatre)\s+fois\s+par\s+(?:jour|24\s*h)", "count"),
    (r"(?P<n>\d+)\s*(?:fois)?\s*/\s*24\s*h", "count"),
    (r"(?:max(?:imum)?\.?|jusqu['’]?\s*[àa]|au\s+maximum|sans\s+d[ée]passer)\s*(?P<n>\d+)\s*"
     r"(?:fois|prises?|cp|cpr|comprim[ée]s?|g[ée]l(?:ules?)?|sachets?|bouff[ée]es?|doses?)?\s*(?:/\s*j(?:our)?|par\s+jour)",
     "count"),
    (r"toutes\s+les\s+(?P<n>\d+(?:[.,]\d+)?)\s*h(?:eures?)?\b", "interval_hours"),
    (r"tou(?:te)?s\s+les\s+(?P<n>\d+)\s*j(?:ours)?\b", "every_days"),
    (r"(?P<n>1|un)\s+j(?:our)?\s*(?:sur|/)\s*(?P<m>\d+)", "one_in"),
    (r"(?P<n>\d+|une|deux|trois)\s+fois\s*(?:/|par)\s*sem(?:aine)?\b|(?P<w>hebdomadaire)", "per_week"),
    (r"du\s+lundi\s+au\s+vendredi|sauf\s+(?:le\s+)?(?:week-end|samedi\s+et\s+dimanche)|pas\s+le\s+week-end",
     "weekdays"),
    (r"\b(?:1\s*/\s*j|/\s*j(?:our)?|par\s+jour|quotidien(?:ne)?|chaque\s+jour|tous\s+les\s+jours|1\s+fois\s+par\s+jour"
     r"|une\s+fois\s+par\s+jour|\bpar\s+24\s*h)\b", "daily"),
]
WORD_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}
CLOCK_TIME = re.compile(r"\b(?:à|a)\s+(\d{1,2})\s*h(?:\d{2})?\b")

# --- duration -------------------------------------------------------------------------
DURATION = re.compile(
    r"(?:pendant|pdt|durant|sur|x|×|pour\s+une\s+dur[ée]e\s+de|dur[ée]e\s*:?)\s*(?P<n>\d+|un|une|deux|trois|quatre|dix|quinze)\s*"
    r"(?P<u>jours?|j\b|semaines?|sem\b|mois|m\b)",
    re.IGNORECASE,
)
DURATION_UNITS = {"j": ("day", 1), "jour": ("day", 1), "jours": ("day", 1), "semaine": ("week", 7),
                  "semaines": ("week", 7), "sem": ("week", 7), "mois": ("month", 30), "m": ("month", 30)}
# prescription lengths are quantities, not durations
PRESCRIPTION_LENGTH = re.compile(r"\b(?:QSP|qsp|pour\s+\d+\s+mois|ordonnance\s+(?:pour|de)|renouvelable)",
                                 re.IGNORECASE)

# --- document structure ---------------------------------------------------------------
SLOT_HEADER_WORDS = ("MATIN", "MIDI", "SOIR", "COUCHER", "NUIT")
BULLET = re.compile(r"^\s*(?:[-•·*►▪o>→]|\d{1,2}\s*[).\]-]|\d{1,2}\s+(?=[A-Za-zÀ-ÿ]))\s*")
DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")
# tokens that start a drug name (letters, digits, hyphen, apostrophe inside)
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9]*(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿ0-9]+)*")
