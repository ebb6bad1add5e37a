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
# a dose may be counted in words: "un comprimé", "deux gélules", "une demi-ampoule"
DOSE_NUM = rf"(?:{NUM}|un|une|deux|trois|quatre|demi(?=[- ]))"
# A number followed by "et demi" counts an extra half.
ET_DEMI = r"(?:\s+(?:et\s+)?demi(?:e)?)?"

# --- units of a strength --------------------------------------------------------------
# canonical unit → written variants (regex, case-insensitive); longest first in the built regex
STRENGTH_UNITS: dict[str, list[str]] = {
    "mg/24h": [r"mg\s*/\s*24\s*h(?:eures)?"],
    "µg/h": [r"(?:µg|μg|mcg|ug|microgrammes?)\s*/\s*h(?:eure)?\b"],
    "µg/dose": [r"(?:µg|μg|mcg|ug|microgrammes?)\s*/\s*(?:doses?|dos\b|bouff[ée]e|pulv[ée]risation)"],
    "mg/dose": [r"mg\s*/\s*(?:doses?|dos\b|bouff[ée]e|pulv[ée]risation)"],
    "UI/ml": [r"(?:UI|U\.I\.|U|unit[ée]s?)\s*/\s*m[lL]"],
    "mg/ml": [r"mg\s*/\s*m[lL]"],
    "µg/ml": [r"(?:µg|μg|mcg|ug|microgrammes?)\s*/\s*m[lL]"],
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

# --- a strength written without its unit ("Levothyrox 75", "Kardégic 75 : 1 sachet") --------
# Read only for a tablet, capsule or sachet (the units below, counted by the dose), whose strength
# is written in milligrams unless the drug's ATC class is listed here (longest prefix wins). None:
# the class's strengths are written in units too varied to guess, so the strength stays unknown.
BARE_STRENGTH_DOSE_UNITS = ("comprimé", "gélule", "capsule", "sachet")
BARE_STRENGTH_DEFAULT_UNIT = "mg"
# a bigger bare number is part of the name ("MACROGOL 4000 : 2 sachets"), not a strength
BARE_STRENGTH_MAX = {"g": 20, "mg": 1000, "µg": 1000}
BARE_STRENGTH_UNIT_OF_ATC: dict[str, str | None] = {
    "H03AA": "µg",  # thyroid hormones (levothyroxine, liothyronine)
    "H02AA02": "µg",  # fludrocortisone
    "A02BB01": "µg",  # misoprostol
    "A11CC03": "µg",  # alfacalcidol
    "A11CC04": "µg",  # calcitriol
    "A11CC01": "UI",  # ergocalciferol
    "A11CC05": "UI",  # colecalciferol
    "A11CC": None,  # other vitamin D: µg or UI
    "B03BA": "µg",  # vitamin B12
    "A06AD": "g",  # osmotic laxatives (macrogol, lactulose sachets)
    "A07BC": "g",  # intestinal adsorbents (diosmectite sachets)
    "A12AA": None,  # calcium: mg or g
    "B03XA": None,  # erythropoietins: UI or µg
    "G03": None,  # sex hormones: mg and µg
    "H01BA": None,  # desmopressin: mg tablets, µg lyophilisates
    "N02AB03": None,  # fentanyl: µg, µg/h
    "N02AE01": None,  # buprenorphine: mg, µg/h
    "A10A": None,  # insulins: a bare number is a dose of units
    "B01AB": None,  # heparins: UI, ml
}

# --- countable units of administration (dose) ----------------------------------------
DOSE_UNITS: dict[str, list[str]] = {
    "comprimé": [r"comprim[ée]s?", r"cpr?s?\.?", r"comp\.?", r"cps", r"lyocs?", r"lyophilisats?"],
    "gélule": [r"g[ée]lules?", r"g[ée]l\.?", r"gelu", r"gél"],
    "capsule": [r"capsules?", r"caps\.?"],
    "sachet": [r"sachets?(?:-doses?)?", r"sach\.?"],
    "ampoule": [r"ampoules?", r"amp\.?"],
    "flacon": [r"flacons?", r"fl\.?"],
    "goutte": [r"gouttes?", r"gttes?", r"gtt\.?", r"gtes?"],
    "bouffée": [r"bouff[ée]es?", r"bouff\.?", r"inhalations?", r"pulv[ée]risations?", r"puffs?", r"pulv\.?",
                r"inh\.?"],
    "application": [r"applications?", r"appl?\.?"],
    "suppositoire": [r"suppositoires?", r"suppos?\.?"],
    "ovule": [r"ovules?"],
    "patch": [r"patchs?", r"dispositifs?\s+transdermiques?", r"empl[âa]tres?"],
    "stylo": [r"stylos?"],
    "seringue": [r"seringues?", r"ser\.?"],
    # "1 injection": a syringe of a prefilled strength ("4000 UI/0,4 ml"), a pen's injection (posology.parse_dose)
    "injection": [r"injections?"],
    "cuillère à café": [r"cuill[eè]res?\s+(?:à|a)\s+caf[ée]", r"c\.?\s*(?:à|a)\s*caf[ée]", r"c\.?\s*à\s*c\.?"],
    "cuillère à soupe": [r"cuill[eè]res?\s+(?:à|a)\s+soupe", r"c\.?\s*(?:à|a)\s*soupe", r"c\.?\s*à\s*s\.?"],
    "cuillère-mesure": [r"cuill[eè]res?[- ]mesures?"],
    "pipette": [r"pipettes?"],
    "dose": [r"doses?"],
    "UI": [r"unit[ée]s?(?:\s+internationales?)?"],
}

# Mass and volume units usable as a dose ("40 mg matin et midi", "14 UI à 8 h")
DOSE_MASS_UNITS = ("mg", "g", "µg", "UI", "ml", "mmol", "mEq")

# --- pharmaceutical forms → (canonical form, implied route) ---------------------------
# a release marker written without its form: "SKENAN LP", "TRAMADOL LP", "à libération modifiée"
RELEASE_MARKER = r"\bLP\b|\bLM\b|\bXL\b|(?:[àa]\s+)?lib[ée]ration\s+(?:prolong[ée]e|modifi[ée]e)"
FORMS: list[tuple[str, str, str | None]] = [
    # (regex, canonical form, implied route)
    (r"comprim[ée]s?\s+(?:pellicul[ée]s?\s+)?effervescents?|cp\s+eff(?:ervescent)?", "comprimé effervescent", "orale"),
    (r"comprim[ée]s?\s+orodispersibles?|cpr?s?\s+orodisp\w*|lyoc|orodisp\w*|\boro\b", "comprimé orodispersible",
     "orale"),
    (r"comprim[ée]s?\s+(?:pellicul[ée]s?\s+)?(?:[àa]\s+)?lib[ée]ration\s+(?:prolong[ée]e|modifi[ée]e)"
     r"|\bcpr?s?\.?\s+(?:LP|LM)\b", "comprimé à libération prolongée", "orale"),
    (r"g[ée]lules?\s+(?:[àa]\s+)?(?:microgranules\s+[àa]\s+)?lib[ée]ration\s+(?:prolong[ée]e|modifi[ée]e)"
     r"|\bg[ée]l(?:ules?)?\.?\s+(?:LP|LM)\b", "gélule à libération prolongée", "orale"),
    # inhalers: before the capsule and tablet words ("gélule pour inhalation" is a powder to inhale)
    (r"(?:g[ée]lules?|\bgelu|\bgél)\s+(?:de\s+poudre\s+)?(?:pour\s+inhalation|[àa]\s+inhaler)|poudre\s+pour\s+inhalation"
     r"|\bpdr\s+inh\b|ellipta|diskus|turbuhaler|breezhaler|genuair|easyhaler|nexthaler|spiromax|handihaler",
     "poudre pour inhalation", "inhalée"),
    (r"solution\s+pour\s+inhalation|n[ée]bulis|respimat", "solution pour inhalation", "inhalée"),
    # a release marker alone ("SKENAN LP", "à libération modifiée"): see posology.parse_form
    (RELEASE_MARKER, "comprimé à libération prolongée", "orale"),
    (r"comprim[ée]s?|\bcpr?s?\b\.?|\bcomp\b", "comprimé", "orale"),
    # "GEL" after a mass strength is a gélule in dispensing software ("PARACETAMOL 500 MG GEL")
    # …and so is "GEL" counted ("1 gel le soir")
    (r"g[ée]lules?|\bgél\b\.?|\bgelu\b|(?<=mg\s)gel\b|(?<=mg)gel\b|(?<=\d\s)gel\b", "gélule", "orale"),
    (r"capsules?|\bcaps\b\.?", "capsule", "orale"),
    (r"a[ée]rosol|inhalateur|suspension\s+pour\s+inhalation", "aérosol", "inhalée"),
    (r"sachets?|poudre\s+pour\s+solution\s+buvable", "sachet", "orale"),
    (r"gouttes?\s+buvables?|\bg(?:tt|t)?es?\s+buv", "gouttes buvables", "orale"),
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
    (r"\bgel\b|emulgel", "gel", "cutanée"),
    (r"lotion", "lotion", "cutanée"),
    (r"empl[âa]tres?", "patch", "cutanée"),  # a medicated plaster acts on the skin under it
    (r"patch|dispositif\s+transdermique|\bdisp\.?\s+transd|transdermique|timbre", "patch", "transdermique"),
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
# form → the countable unit a bare number counts ("SUPPOSITOIRE … 1 si pas de selles")
DOSE_UNIT_OF_FORM = {
    "comprimé": "comprimé", "comprimé effervescent": "comprimé", "comprimé orodispersible": "comprimé",
    "comprimé à libération prolongée": "comprimé", "gélule": "gélule", "gélule à libération prolongée": "gélule",
    "capsule": "capsule", "sachet": "sachet",
    "suppositoire": "suppositoire", "ovule": "ovule", "patch": "patch",
}
ROUTE_OF_DOSE_UNIT = {
    "comprimé": "orale", "gélule": "orale", "capsule": "orale", "sachet": "orale",
    "cuillère à café": "orale", "cuillère à soupe": "orale", "cuillère-mesure": "orale",
    "bouffée": "inhalée", "patch": "transdermique", "suppositoire": "rectale", "ovule": "vaginale",
    "application": "cutanée", "stylo": "sous-cutanée", "seringue": "sous-cutanée", "goutte": "orale",
}

# --- routes ---------------------------------------------------------------------------
ROUTES: list[tuple[str, str]] = [
    (r"\bper\s*os\b|\bP\.?O\.?\b|voie\s+orale|\bbuvable\b|\bà\s+boire\b", "orale"),
    (r"\bIVSE\b|\bIVL\b|\bIVD\b|\bI\.?V\.?\b|intraveineuse|intra-veineuse|\bperfusion\b", "intraveineuse"),
    (r"\bS\.?C\.?\b|\bs/c\b|sous[- ]cutan[ée]e?|sous-cut\b", "sous-cutanée"),
    (r"\bI\.?M\.?\b|intramusculaire|intra-musculaire", "intramusculaire"),
    (r"\bSL\b|sublingual|sublinguale|sous\s+la\s+langue", "sublinguale"),
    (r"\bINH\b|inhal[ée]e?|\bvoie\s+inhal", "inhalée"),
    (r"\bOPH\b|ophtalmique|\bOD[GT]?\b|\bOG\b|\bdans\s+(?:chaque|les|les\s+deux)\s+(?:yeux|œils?)"
     r"|\bdans\s+l['’]\s*(?:œil|oeil)\b|\bcollyre\b", "ophtalmique"),
    (r"transdermique|\btransd\b", "transdermique"),
    (r"\bcutan[ée]e?\b|\bvoie\s+locale\b|\ben\s+application\b|\bsur\s+les\s+plaques\b", "cutanée"),
    (r"\bnasale?\b|\bnarines?\b", "nasale"),
    (r"\brectale?\b|\bintra-rectal", "rectale"),
    (r"\bvaginale?\b", "vaginale"),
    (r"\bauriculaire\b|\bdans\s+(?:l['’]\s*|les\s+|chaque\s+)oreilles?\b", "auriculaire"),
    (r"\bbuccale?\b|bain\s+de\s+bouche", "buccale"),
]

# --- times of day ---------------------------------------------------------------------
TIMES_OF_DAY: list[tuple[str, str]] = [
    (r"\bmatin(?:s)?\b|\bmat\b|petit[- ]d[ée]j(?:euner|\.)?|au\s+lever|\bréveil\b|[àa]\s+jeun\b", "matin"),
    (r"\bmidi\b|(?<!petit-)(?<!petit )\bd[ée]jeuner\b|(?<!petit-)(?<!petit )\bd[ée]j\b\.?", "midi"),
    (r"\bsoir\b|\bd[îi]ner\b|\bsouper\b", "soir"),
    (r"\bcoucher\b|\bcouch\b", "coucher"),
    (r"\bnuit\b", "nuit"),
]
SLOT_ORDER = ("matin", "midi", "soir", "coucher")

# --- as needed, status, negation, history --------------------------------------------
AS_NEEDED = re.compile(
    r"\bsi\s+(?:besoin|n[ée]cessaire|douleurs?|mal|fi[èe]vre|anxi[ée]t[ée]|insomnie|naus[ée]es?|vomissements?"
    r"|crise|dyspn[ée]e|essoufflement|g[êe]ne|sifflements?|c[ée]phal[ée]es?|diarrh[ée]e|constipation|agitation"
    r"|prurit|T\s*[>°]|temp[ée]rature|EVA|glyc[ée]mie|hypoglyc[ée]mie|toux|br[ûu]lures?|spasmes?|angor"
    r"|angoiss\w*|anxieu\w*|migraines?|rhinite|allergie|crampes?|vertiges?|palpitations?|saignements?|selles?\s+liquides?"
    r"|(?:pas|absence)\s+de\s+selles?|pas\s+d['’]\s*effet|[ée]chec|r[ée]veil\s+nocturne|difficult[ée]s?\s+d['’]endormissement"
    r"|inefficac\w*|pouss[ée]e|douloureu\w*|HTA|PA[SD]?\b|tension|hypertension|g[êe]n[ée]e?|oppression|crise)"
    r"|\bSB\b|\bPRN\b|\bà\s+la\s+demande\b|\ben\s+cas\s+de\b|\bquand\s+\w+|\bau\s+besoin\b|\bsi\s+\w+\s*>"
    r"|\bapr[èe]s\s+chaque\s+selle|\bsi\s+n[ée]cessaire\b|\bsi\s+besoin\b|\bà\s+renouveler\s+si\b",
    re.IGNORECASE,
)
# a section header of as-needed treatments: "TRAITEMENTS SI BESOIN :", "Si besoin :"
AS_NEEDED_HEADER = re.compile(r"\bsi\s+besoin\b|\bà\s+la\s+demande\b|\bPRN\b|\bau\s+besoin\b", re.IGNORECASE)
STATUS_CUES: list[tuple[str, str]] = [
    (r"\barr[êe]t(?:é|ée|és|ées)?\b(?!\s+(?:si|en\s+cas))|\bSTOP\b|\bstopp[ée]e?s?\b|\bne\s+(?:le\s+|la\s+|les\s+|l['’]\s*)?prend\s+plus\b|\bn['’]en\s+prend\s+plus\b|\bne\s+plus\s+prendre\b|\bsupprim[ée]e?\b"
     r"|\bnon\s+(?:poursuivi|reconduit|repris)e?s?\b", "stopped"),
    (r"\bsuspendu(?:e|s|es)?\b|\ben\s+pause\b|\bsuspension\b(?!\s+(?:buvable|injectable|pour|nasale|auriculaire"
     r"|ophtalmique|rectale|oculaire|orale|de\s+\w+\s+(?:buvable|injectable)))|\bà\s+reprendre\b"
     r"|\binterrompu(?:e)?\b", "suspended"),
    (r"\bnouveaux?\b|\bnouvelles?\b|\bintroduit(?:e)?\b|\bintroduction\b|\binstaur[ée]e?\b|\binitié(?:e)?\b|\bajout(?:é|ée)?\b"
     r"|\bd[ée]but[ée]e?\b", "new"),
]
# a status cue preceded by these words does not apply now ("puis arrêt", "ne pas arrêter", "au nouveau palier")
STATUS_NOT_AFTER = re.compile(
    r"(?:\bpuis|\bavant|\bsans|\bne\s+pas|\bjamais|\bpas\s+d['’]?|\bsi|\ben\s+cas\s+d['’]?|\bau|\bdu|\ble|\bun|\bune"
    r"|\bdes|\baux|\bd['’]\s*un(?:e)?|\bnon)\s*$",
    re.IGNORECASE,
)
# a "new" cue followed by these tells a past start ("introduit il y a 3 semaines")
NEW_PAST = re.compile(r"^\s*(?:il\s+y\s+a|depuis|en\s+(?:19|20)\d\d)", re.IGNORECASE)
# …or preceded by an opening parenthesis: "(débuté le 08/11)" is a remark on a running treatment
NEW_REMARK = re.compile(r"\(\s*$")
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
# a whole line about a past treatment: "Délivrance antérieure : … (terminé)", "… relais par Eliquis en 12/2023"
PAST_LINE = re.compile(
    r"\bd[ée]livrances?\s+ant[ée]rieures?|\(\s*termin[ée]e?s?\s*\)|\btraitement\s+termin[ée]"
    r"|\brelais\s+(?:par|vers|pour)\s+[\w\-]+(?:\s+[\w\-]+)?\s+(?:en|depuis)\s+(?:\d{1,2}/)?(?:19|20)\d\d",
    re.IGNORECASE,
)
# words before a drug name that make the line something else than a prescription
NOT_PRESCRIPTION = re.compile(
    r"\binteractions?\b|\bvaccin(?:ation)?s?\b|\bsurdosage\b|\bintoxication\b|\bdosage\s+(?:de|du|des)\b",
    re.IGNORECASE,
)
# a unit of a lab result right after the number ("8,9 g/dl", "2,45 g/l", "26/min")
LAB_UNIT_AFTER = re.compile(r"\s*/\s*(?:d?l|min|mm|µmol|mmol|kg)\b", re.IGNORECASE)
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
    # (regex with group 'n', kind); the first that matches wins
    (r"(?:max(?:imum)?\.?|jusqu['’]?\s*[àa]|au\s+maximum|sans\s+d[ée]passer|ne\s+pas\s+d[ée]passer)\s*:?\s*(?P<n>\d+)\s*"
     r"(?P<u>fois|prises?|cp|cpr|comprim[ée]s?|g[ée]l(?:ules?)?|sachets?|bouff[ée]es?|bouff\.?|doses?|gouttes?|suppo\w*)?"
     r"\s*(?:/\s*(?:j(?:our)?|24\s*h)\b|par\s+(?:jour|24\s*h))",
     "max"),
    (r"(?P<n>\d+)\s*(?P<u>fois|prises?|cp|cpr|comprim[ée]s?|g[ée]l(?:ules?)?|sachets?|bouff[ée]es?|doses?)?\s*"
     r"(?:/\s*j(?:our)?|par\s+jour)\s+(?:au\s+)?max(?:imum)?\b",
     "max"),
    (r"(?P<n>\d+|une|deux|trois|quatre)\s+fois\s+par\s+jour\s+au\s+maximum", "max"),
    (r"(?<![A-Za-zÀ-ÿ])(?:x|×)\s*(?P<n>\d+)\s*/\s*j(?:our)?\b", "count"),
    (r"(?P<n>\d+)\s*(?:x|×|fois)\s*/\s*j(?:our)?\b", "count"),
    (r"(?P<n>\d+)\s*(?:x|×)\s*par\s+jour\b", "count"),
    (r"(?P<n>\d+|une|deux|trois|quatre|cinq|six)\s+fois\s+(?:par|/)\s*(?:jour|j\b|24\s*h)", "count"),
    (r"(?P<n>\d+)\s*(?:fois)?\s*/\s*24\s*h", "count"),
    (r"(?P<n>[1-6])\s+jours?\s+sur\s+7|(?P<n2>[1-6])\s*j\s*/\s*7", "days_of_week"),
    (r"toutes\s+les\s+(?P<n>\d+(?:[.,]\d+)?)\s*h(?:eures?)?\b", "interval_hours"),
    (r"(?:/|par|tou(?:te)?s\s+les)\s*(?P<n>48|72|96)\s*h(?:eures?)?\b", "interval_hours"),
    (r"(?:/|\bpar\s+)\s*(?P<n>4|6|8|12)\s*h(?:eures?)?\b", "interval_hours"),
    (r"(?:/|par)\s*(?P<n>24)\s*h(?:eures?)?\b|\bsur\s+24\s*h(?:eures?)?\b", "daily"),
    (r"tou(?:te)?s\s+les\s+(?P<n>\d+)\s*j(?:ours)?\b", "every_days"),
    (r"tou(?:te)?s\s+les\s+(?P<n>\d+|deux|trois|quatre|six)\s*sem(?:aines?)?\b", "every_weeks"),
    (r"tou(?:te)?s\s+les\s+(?P<n>\d+|deux|trois|quatre|six)\s*mois\b|(?P<one>\b(?:1|une)\s+fois\s+par\s+mois"
     r"|\bpar\s+mois\b|\bmensuel(?:le)?(?:ment)?\b|\b/\s*mois\b)", "every_months"),
    (r"(?P<n>1|un)\s+j(?:our)?\s*(?:sur|/)\s*(?P<m>\d+)", "one_in"),
    (r"(?P<n>\d+|une|deux|trois)\s*(?:fois|x)\s*(?:/|par)\s*sem(?:aine)?\b|(?P<w>hebdomadaire|\b/\s*sem(?:aine)?\b"
     r"|\bpar\s+semaine\b)", "per_week"),
    (r"du\s+lundi\s+au\s+vendredi|sauf\s+(?:le\s+)?(?:week-end|samedi\s+et\s+dimanche)|pas\s+le\s+week-end",
     "weekdays"),
    (r"\b(?:le\s+|chaque\s+|tous\s+les\s+)?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?\b",
     "weekday_list"),
    (r"\b(?:dose|prise|injection|administration)\s+unique\b|\bune\s+seule\s+fois\b|[àa]\s+l['’]\s*induction\b",
     "single"),
    (r"\b(?:avant|pendant|apr[èe]s|au\s+cours\s+(?:de\s+chaque|des)|[àa])\s+(?:chaque|chacun\s+des|les\s+(?:3|trois))\s+repas\b"
     r"|\b(?:aux|[àa]\s+chaque)\s+repas\b|\bavant\s+les\s+repas\b",
     "meals"),
    (r"(?:[àa]\s+)?\d{1,2}\s*h(?:\d{2})?(?:\s*(?:,|et|-|/|\+)\s*\d{1,2}\s*h(?:\d{2})?)+", "clock_list"),
    (r"\b(?:1\s*/\s*j|/\s*j(?:our)?|par\s+jour|quotidien(?:ne)?|chaque\s+jour|tous\s+les\s+jours|1\s+fois\s+par\s+jour"
     r"|une\s+fois\s+par\s+jour|\bpar\s+24\s*h|en\s+continu)\b", "daily"),
]
# a line that tells its drug's posology changed ("18 UI le soir - réduite", "passé à 2 cp"): it restates a
# prescription written earlier in the document (one entry, the later posology), not a second one
CHANGE_CUE = re.compile(
    r"\b(?:r[ée]duite?s?|diminu[ée]e?s?|augment[ée]e?s?|major[ée]e?s?|minor[ée]e?s?|modifi[ée]e?s?|adapt[ée]e?s?"
    r"|pass[ée]e?s?\s+[àa]|au\s+lieu\s+d[eu]|(?:r[ée]duction|diminution|augmentation|majoration)\s+(?:de|du|des|à))\b",
    re.IGNORECASE,
)
# a written maximum a day: "max 6/j", "maximum 4 prises par jour", "sans dépasser 4 g par jour", "max 8 cp/24h",
# "3 cp/j max", "3 fois par jour au maximum" (the unit alternatives are built in posology.py)
MAX_LEAD = r"(?:\bmax(?:imum|i)?\b\.?|\bau\s+maximum|\bjusqu['’]?\s*[àa]|\bsans\s+d[ée]passer|\bne\s+pas\s+d[ée]passer)"
MAX_PER_DAY = r"(?:/\s*(?:j(?:our)?|24\s*h(?:eures?)?)\b|\bpar\s+(?:jour|24\s*h(?:eures?)?)\b)"
MAX_AFTER = r"\s*(?:au\s+)?max(?:imum|i)?\b\.?"
# words of a maximum that count intakes, not units ("maximum 4 prises par jour")
MAX_COUNT_WORDS = r"fois|prises?|administrations?"
WEEKDAY = re.compile(r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?\b", re.IGNORECASE)
# days named after these words are excluded days ("pas le dimanche", "sauf le samedi")
WEEKDAY_EXCLUDED = re.compile(r"(?:\bpas|\bsauf|\bni|\bexcept[ée])\s+(?:le\s+)?$", re.IGNORECASE)
# a bare clock time "6h", "22 h" standing as a time of intake
BARE_CLOCK = re.compile(r"(?<![\d/,.])(?:[àa]\s+)?([01]?\d|2[0-3])\s*h(?:[0-5]\d)?\b(?!\s*(?:/|de\s+suite|apr[èe]s))",
                        re.IGNORECASE)
WORD_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}
CLOCK_TIME = re.compile(r"\b(?:à|a)\s+(\d{1,2})\s*h(?:\d{2})?\b")
# "le soir au coucher" is one intake
SAME_INTAKE = re.compile(r"\bsoir\W+(?:au\s+)?coucher\b|\bcoucher\W+(?:le\s+)?soir\b|\bsoir\W+(?:au\s+)?d[îi]ner\b"
                         r"|\bmatin\W+(?:au\s+)?petit[- ]d[ée]j\w*\.?|\bmatin\W+[àa]\s+jeun"
                         r"|\bmidi\W+(?:au\s+)?d[ée]jeuner",
                         re.IGNORECASE)

# --- duration -------------------------------------------------------------------------
DURATION = re.compile(
    r"(?:\bpendant|\bpdt|\bdurant|\bsur|\bx|×|\bpour\s+une\s+dur[ée]e\s+de|\bdur[ée]e(?:\s+(?:pr[ée]vue|totale|de\s+traitement))?"
    r"\s*(?::|de)?)\s*(?P<n>\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|dix|quinze|vingt)\s*"
    r"(?P<u>jours?\b|j\b|semaines?\b|sem\b|mois\b|m\b|h\b|heures?\b)",
    re.IGNORECASE,
)
DURATION_UNITS = {"j": ("day", 1), "jour": ("day", 1), "jours": ("day", 1), "semaine": ("week", 7),
                  "semaines": ("week", 7), "sem": ("week", 7), "mois": ("month", 30), "m": ("month", 30),
                  "h": ("day", 1 / 24), "heure": ("day", 1 / 24), "heures": ("day", 1 / 24)}
DURATION_WORDS = {"cinq": 5, "sept": 7, "huit": 8, "dix": 10, "quinze": 15, "vingt": 20}
# a single administration lasts one day
SINGLE_DOSE = re.compile(r"\b(?:dose|prise|injection|administration)\s+unique\b|[àa]\s+l['’]\s*induction\b",
                         re.IGNORECASE)
# a bare length set apart at the end of a line: "Pneumopathie - 7 jours", "(10 jours)"
BARE_DURATION = re.compile(r"(?:^|[-–,;(]\s*)(?P<n>\d+)\s*(?P<u>jours|semaines)\b(?!\s*(?:sur|/|par))", re.IGNORECASE)
NOT_A_DURATION_BEFORE = re.compile(
    r"(?:depuis|il\s+y\s+a|dans|tou(?:te)?s\s+les|apr[èe]s|avant|d[ée]lai|J|pr[ée]vu\w*\s+dans|de\s+selles)\W*$",
    re.IGNORECASE)
# steps of a schedule: "pdt 5 j, puis 1 cp pdt 5 j" lasts 10 days
THEN = re.compile(r"\bpuis\b", re.IGNORECASE)
# prescription lengths are quantities, not durations
PRESCRIPTION_LENGTH = re.compile(r"\b(?:QSP|qsp|pour\s+\d+\s+mois|ordonnance\s+(?:pour|de)|renouvelable)",
                                 re.IGNORECASE)

# --- document structure ---------------------------------------------------------------
SLOT_HEADER_WORDS = ("MATIN", "MIDI", "SOIR", "COUCHER", "NUIT")
# a time column of a table header: "MATIN", "Mat", "Couch.", "08h", "12 h", "20h00"
SLOT_HEADER = re.compile(r"\b(?:matin|mat\.?|midi|soir|coucher|couch\.?|nuit|(?:[01]?\d|2[0-3])\s?h(?:[0-5]\d)?)(?!\w)",
                         re.IGNORECASE)
# a table cell holding a strength only ("5 mg", "100 UI/ml", "2,5 mg/0,5 ml")
STRENGTH_CELL = re.compile(r"[\d\s.,/½]+\s*(?:[a-zµμ%]+(?:\s*/\s*[\d.,\s]*[a-z]+)?)\s*", re.IGNORECASE)
# a time cell holding only a number or a dash (rows whose cells are one space apart)
BARE_SLOT_VALUE = re.compile(r"-|–|0|x|X|\d(?:[.,]5)?|[½¼¾]|1/2|1/4|3/4")
# what a time cell of a table holds: "1", "-", "0", "½", "1/2", "22 UI", "1 gtte ODG", "2 cp"
SLOT_VALUE = re.compile(r"(?:-|–|—|0|x|X|(?:\d+(?:[.,]\d+)?|[½¼¾]|\d/\d)"
                        r"(?:\s*(?:UI|U|cp|cpr|comprim[ée]s?|g[ée]l\.?|g[ée]lules?"
                        r"|sach\.?|sachets?|gttes?|gouttes?|gtt\.?|bouff\.?|bouff[ée]es?|mg|ml|appl?\.?|amp\.?)"
                        r"(?:\s+(?:OD[GT]?|OG))?)?)", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-•·*►▪o>→]|\d{1,2}\s*[).\]-]|\d{1,2}\s+(?=[A-Za-zÀ-ÿ]))\s*")
DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")
# tokens that start a drug name (letters, digits, hyphen, apostrophe inside)
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9]*(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿ0-9]+)*")

# --- combinations ("AMOXICILLINE/AC. CLAVULANIQUE", "fluticasone + salmétérol") -------------
COMBINATION_SPLIT = re.compile(r"\s*(?:/|\+)\s*")
ABBREVIATIONS = {"ac": "acide"}
ABBREVIATION = re.compile(r"\bac\b\.?", re.IGNORECASE)
ELISION = re.compile(r"^(?:[ldjmnst]|qu|jusqu)['’]", re.IGNORECASE)
# words that may stand before a drug name at the head of a line: "Insuline Lantus", "Collyre Xalatan"
NAME_PREFIX = re.compile(
    r"(?:(?:\d+\s*)?(?:insuline|vitamine|collyre|sirop|pommade|cr[èe]me|gel|patch|spray|ampoule|comprim[ée]s?|g[ée]lules?"
    r"|sachets?|solution|suspension|injection|perfusion|traitement|ttt|tt)\s*)+"
    r"|(?:le|la|les|l['’]|un|une)(?:\s+(?:traitement|ttt)\s+par)?\s*",
    re.IGNORECASE,
)
# function words a mention never starts with ("Arrêt du Kardégic" names KARDEGIC)
FUNCTION_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "au", "aux", "un", "une", "et", "ou", "par", "sous",
                            "avec", "sans", "pour", "en", "a", "l", "d"})
# label words that head a line without naming a drug ("Posologie : 1 cp", "Matin : 2 gél")
NOT_A_NAME = re.compile(
    r"(?:poso\w*|doses?|prises?|matin|midi|soir|coucher|nuit|traitements?|ttt|ordonnance|renouvel\w*|qsp|total"
    r"|quantit[ée]|qt[ée]|dur[ée]e|date|le|la|les|puis|si|en|et|ou|avec|sans|pour|par|chaque|tous|toutes|J\d*"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|remarques?|observations?|commentaires?|conseils?)$",
    re.IGNORECASE,
)
# ATC classes whose route goes without saying when none is written (insulins, GLP-1 analogues: injected)
ROUTE_OF_ATC_PREFIX = {"A10A": "sous-cutanée", "A10BJ": "sous-cutanée"}
# a sentence telling what was done to the drug that follows: "nous avons introduit du bisoprolol"
LEAD_STATUS_PROSE = re.compile(
    r"\b(?:(?:avons|avez|a|ont)\s+(?:été\s+)?)?(?P<verb>introduit|instaur[ée]|d[ée]but[ée]|initi[ée]|ajout[ée]|arr[êe]t[ée]"
    r"|stopp[ée]|suspendu|interrompu|repris|poursuivi|major[ée]|diminu[ée]|augment[ée]|r[ée]duit)e?s?"
    r"\s+(?:le|la|les|l['’]|du|de\s+la|de\s+l['’]|des|d['’]|de)?\s*$",
    re.IGNORECASE,
)
