"""Synthetic corpus for the medication NER model: one text line and its labelled character spans.

Every line is generated here from templates of the document kinds the project reads (GP
ordonnances with numbered lines, hospital order tables with "|" columns, pharmacy
dispensing histories, nursing-home sheets with MATIN/MIDI/SOIR columns, discharge letters
with bullets and justifications, patient statements) and from the names of the embedded
drug reference (brands and DCI). No dev-set text is used.

Noise: typos, lost accents, casing, abbreviations (cp, gél, SB, x2/j…), distractors
(allergies, lab values, negations, doctor names, addresses, replaced drugs) whose drug
names are *not* labelled DRUG: the model must learn which mentions are prescribed lines.

Labels (BIO over tokens later): DRUG, STRENGTH, DOSE, FORM, ROUTE, FREQUENCY, DURATION,
AS_NEEDED, STATUS. ``generate(n, seed)`` is reproducible for a given seed.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

ENTITY_TYPES = ("DRUG", "STRENGTH", "DOSE", "FORM", "ROUTE", "FREQUENCY", "DURATION", "AS_NEEDED", "STATUS")
LABELS = ("O", *(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I")))


@dataclass
class Example:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "spans": self.spans}, ensure_ascii=False)


class _Line:
    """Builds a line piece by piece, recording the spans of labelled pieces."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[int, int, str]] = []

    def add(self, piece: str, label: str | None = None) -> _Line:
        if label and piece.strip():
            lead = len(piece) - len(piece.lstrip())
            core = piece.strip()
            start = len(self.text) + lead
            self.spans.append((start, start + len(core), label))
        self.text += piece
        return self

    def pad(self, width: int, rng: random.Random, sep: str = "|") -> _Line:
        """Pads to a column then writes a separator (a table cell boundary)."""
        n = max(1, width - len(self.text))
        if sep == "|":
            self.text += " " * n + "| "
        else:
            self.text += " " * n
        return self

    def example(self) -> Example:
        text = self.text.rstrip()
        return Example(text, [s for s in self.spans if s[1] <= len(text)])


# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _names() -> tuple[list[str], list[str]]:
    from recon.extract.lexicon import stop_names
    from recon.reference import default_reference, fold

    stops = stop_names()
    brands, dcis = set(), set()
    for e in default_reference().entries:
        name = e.name.strip()
        key = fold(name)
        if len(key) < 3 or key in stops or len(name.split()) > 4 or len(name) > 40:
            continue
        if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
            continue
        (brands if e.kind == "brand" else dcis).add(name)
    return sorted(brands), sorted(dcis)


_SYLLABLES = ("pra", "lo", "xa", "tin", "ven", "dol", "mi", "ca", "zol", "ri", "fen", "ta", "bro", "ne", "sul",
              "ox", "dex", "mel", "tri", "cor", "via", "lix", "pam", "mab", "gli", "pir", "ol", "am", "ide", "one")
_DCI_ENDINGS = ("ine", "ol", "pril", "sartan", "statine", "azole", "mab", "ide", "one", "ate", "pine", "zépam")
_SALTS = ("chlorhydrate", "arginine", "bésilate", "sodique", "potassique", "maléate", "fumarate", "tert-butylamine")
_LABS = ("BIOGARAN", "ARROW", "TEVA", "MYLAN", "SANDOZ", "EG", "ZENTIVA", "VIATRIS", "CRISTERS", "ZYDUS", "Gé")
_DEVICES = ("SOLOSTAR", "FLEXPEN", "KWIKPEN", "FLEXTOUCH", "LP", "LYOC", "ELLIPTA", "TURBUHALER", "DISKUS")


def strip_accents(text: str) -> str:
    """Accents dropped letter by letter (the length never changes, so spans stay valid)."""
    return "".join(_plain(c) for c in text)


@lru_cache(maxsize=4096)
def _plain(c: str) -> str:
    base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
    return base if len(base) == 1 else c


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.3:
        return word[:i] + word[i + 1 :]
    if op < 0.6:
        return word[:i] + word[i] + word[i:]
    if op < 0.8:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    letter = rng.choice("aeioulnrst")
    return word[:i] + (letter.upper() if word[i].isupper() else letter) + word[i + 1 :]


def invented_name(rng: random.Random) -> str:
    """A plausible drug name that the reference does not know (teaches context, not memory)."""
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    if rng.random() < 0.5:
        word += rng.choice(_DCI_ENDINGS)
        return word if rng.random() < 0.5 else word.upper()
    return word.upper()


def drug_name(rng: random.Random, *, noisy: bool = True) -> str:
    brands, dcis = _names()
    r = rng.random()
    if r < 0.03:
        name = invented_name(rng)
    elif r < 0.55:
        name = rng.choice(brands)
        c = rng.random()
        if c < 0.15:
            name = name.title()
        elif c < 0.2:
            name = name.lower()
        if rng.random() < 0.06:
            name += " " + rng.choice(_DEVICES)
    else:
        name = rng.choice(dcis)
        c = rng.random()
        if c < 0.45:
            name = name.upper()
        elif c < 0.75:
            name = name[:1].upper() + name[1:]
        if rng.random() < 0.05:
            salt = rng.choice(_SALTS)
            name += " " + (salt.upper() if name.isupper() else salt)
    if noisy:
        if rng.random() < 0.3:
            name = strip_accents(name)
        if rng.random() < 0.07:
            words = name.split(" ")
            k = rng.randrange(len(words))
            words[k] = _typo(words[k], rng)
            name = " ".join(words)
    return name


# --------------------------------------------------------------------------------------------
# posology pieces
# --------------------------------------------------------------------------------------------
def _num(rng: random.Random, choices: tuple[float, ...]) -> str:
    v = rng.choice(choices)
    s = f"{v:g}"
    if "." in s and rng.random() < 0.85:
        s = s.replace(".", ",")
    if v >= 1000 and rng.random() < 0.4:
        s = f"{int(v):,}".replace(",", rng.choice((" ", "")))
    return s


def strength(rng: random.Random) -> str:
    r = rng.random()
    sp = "" if rng.random() < 0.2 else " "
    if r < 0.55:
        unit = rng.choice(("mg", "mg", "mg", "MG", "g", "µg", "mcg", "microgrammes"))
        vals = (0.25, 0.5, 1, 2, 2.5, 3.75, 4, 5, 7.5, 10, 12.5, 15, 20, 25, 30, 40, 50, 75, 80, 100, 125, 150,
                160, 200, 250, 300, 400, 500, 600, 750, 850, 1000)
        if unit == "g":
            vals = (0.5, 1, 2, 4, 5, 10)
        return f"{_num(rng, vals)}{sp}{unit}"
    if r < 0.65:
        return f"{_num(rng, (100, 200, 300))}{sp}{rng.choice(('UI/ml', 'UI/mL', 'unités/ml', 'U/ml'))}"
    if r < 0.72:
        return f"{_num(rng, (4000, 6000, 5000, 25000, 50000, 100000, 80000, 800, 1000))}{sp}UI"
    if r < 0.8:
        a, b = rng.choice(((5, 5), (10, 5), (100, 25), (50, 12.5), (20, 12.5), (160, 4.5), (850, 50), (40, 10)))
        return f"{_num(rng, (a,))}{sp}mg/{_num(rng, (b,))}{sp}mg"
    if r < 0.86:
        return f"{_num(rng, (1, 2, 0.5, 0.1, 5, 10))}{sp}%"
    if r < 0.9:
        return f"{_num(rng, (12, 25, 50, 75, 100))}{sp}µg/h"
    if r < 0.95:
        return f"{_num(rng, (1, 2, 4, 5, 10, 20, 40, 100))}{sp}mg/{rng.choice(('ml', 'mL', '5 ml', 'g'))}"
    return f"{_num(rng, (100, 200, 250, 400, 500))}{sp}{rng.choice(('µg/dose', 'µg/bouffée', 'mg/dose'))}"


_FORMS = ("cp", "cp", "cpr", "comprimé", "comprimés", "CP", "CPR", "cp sécable", "cp pelliculé", "comprimé pelliculé",
          "cp LP", "cp effervescent", "cp orodispersible", "gél", "gél.", "gélule", "gélules", "GELU", "gel", "caps",
          "capsule", "sachet", "sachets", "poudre pour solution buvable en sachet", "sol buv", "solution buvable",
          "suspension buvable", "sirop", "gouttes buvables", "collyre", "pommade", "crème", "gel", "patch",
          "dispositif transdermique", "suppositoire", "suppo", "ovule", "stylo", "stylo prérempli", "inj.",
          "solution injectable", "sol inj", "seringue", "amp", "ampoule", "aérosol", "inhalateur",
          "poudre pour inhalation", "spray nasal", "lyoc", "CPR PELLIC", "GELULE", "B/30", "fl")


def form(rng: random.Random) -> str:
    f = rng.choice(_FORMS)
    if f == "B/30":
        f = "cp"
    return f.upper() if rng.random() < 0.1 else f


_DOSE_UNITS = ("cp", "cp", "cp", "cpr", "comprimé", "comprimés", "gél", "gélule", "gélules", "sachet", "sach",
               "goutte", "gouttes", "gtt", "gttes", "bouffée", "bouffées", "inhalation", "application", "patch",
               "suppo", "suppositoire", "ampoule", "amp", "stylo", "injection", "lyoc", "ovule", "pulvérisation",
               "cuillère à café", "c. à soupe", "dose", "cuillère-mesure", "pipette")


def dose(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.72:
        n = rng.choice(("1", "1", "1", "1", "2", "2", "3", "½", "1/2", "0,5", "1 et demi", "1/4", "4"))
        return f"{n} {rng.choice(_DOSE_UNITS)}"
    if r < 0.88:
        n = rng.choice((4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 30, 40))
        return f"{n} {rng.choice(('UI', 'UI', 'U', 'unités'))}"
    return f"{_num(rng, (0.5, 1, 2, 5, 10, 20, 40, 80, 100, 250, 500, 1000))} {rng.choice(('mg', 'g', 'ml', 'µg'))}"


_FREQS = ("le matin", "le soir", "à midi", "le midi", "matin et soir", "matin, midi et soir", "au coucher",
          "le soir au coucher", "le matin à jeun", "1 fois par jour", "une fois par jour", "2 fois par jour",
          "deux fois par jour", "3 fois par jour", "trois fois par jour", "4 fois/jour", "x2/j", "x3/j", "x 3/j",
          "2x/j", "3x/j", "/j", "par jour", "/jour", "1/j", "toutes les 8 h", "toutes les 6 h", "toutes les 12h",
          "toutes les 4 à 6 h", "1 jour sur 2", "un jour sur deux", "1 fois par semaine", "1x/semaine",
          "le lundi", "tous les lundis", "par semaine", "1 fois par mois", "par mois", "tous les 3 jours",
          "avant chaque repas", "au cours des repas", "à chaque repas", "au petit-déjeuner", "au dîner",
          "matin et midi", "midi et soir", "1-0-1", "1-1-1", "1-0-0", "0-0-1", "1-1-1-1", "½-0-½", "2-0-2",
          "6-8-6", "à 8h et 20h", "le soir", "en 2 prises", "en une prise", "matin midi soir", "MATIN", "SOIR",
          "du lundi au vendredi", "mat et soir", "le matin au petit déjeuner", "en continu", "/24h", "le soir",
          "le matin", "à 22 h")


def frequency(rng: random.Random) -> str:
    f = rng.choice(_FREQS)
    return f.upper() if rng.random() < 0.05 else f


def max_per_day(rng: random.Random) -> str:
    n = rng.choice((2, 3, 4, 6, 8))
    u = rng.choice(("cp", "", "prises", "gél", "sachets", "fois"))
    return rng.choice((f"max {n} {u}/j", f"maximum {n} {u} par jour", f"max {n}/j", f"sans dépasser {n} {u} par jour",
                       f"{n} {u}/j max")).replace("  ", " ")


_DURATIONS = ("pendant 7 jours", "pendant 5 jours", "pendant 10 jours", "pendant 3 semaines", "pendant 1 mois",
              "pdt 5 j", "x 7 j", "x 10 j", "durant 15 jours", "pendant 4 semaines", "pendant 3 mois", "sur 8 jours",
              "pendant 6 semaines", "durée : 10 jours", "7 jours", "x 5 jours", "pendant 48 h", "pendant 2 mois")
_PRN = ("si douleur", "si douleurs", "si besoin", "SB", "si nécessaire", "en cas de douleur", "si fièvre",
        "si fièvre > 38,5 °C", "si nausées", "si insomnie", "si anxiété", "si constipation", "si crise",
        "si dyspnée", "si EVA > 4", "si T > 38,5°C", "en cas de crise", "si douleur abdominale",
        "si brûlures d'estomac", "si hypoglycémie", "à la demande", "PRN", "si agitation", "si pas de selles")
_ROUTES = ("PO", "per os", "SC", "IV", "IVL", "IVSE", "IM", "voie orale", "en SC", "en sous-cutané",
           "sous-cutanée", "par voie orale", "en IV", "inhalé", "voie cutanée", "SL", "en intramusculaire", "ODG",
           "dans chaque œil", "voie nasale", "intrarectal", "transdermique", "s/c")
_STATUS = ("ARRÊT", "ARRET", "arrêté", "Arrêté", "arrêt", "STOP", "stoppé", "SUSPENDU", "suspendu", "en pause",
           "à reprendre", "NOUVEAU", "Nouveau", "nouveau", "introduit", "introduction", "ajouté", "initié",
           "inchangé", "poursuivi", "poursuite", "non repris", "interrompu", "instauré", "débuté")
_STOP_STATUS = ("ARRÊT", "ARRET", "arrêté", "Arrêté", "STOP", "SUSPENDU", "suspendu", "non repris", "interrompu",
                "arrêt")
_LEAD_STATUS = ("Arrêt du", "Arrêt de", "Arrêt de la", "Introduction de", "Introduction du", "Ajout de",
                "Suspension du", "Suspension de", "Reprise du", "Poursuite du", "Poursuite de", "Instauration de",
                "Arrêt", "STOP")
_JUSTIF = ("dose diminuée (hypoglycémies nocturnes)", "AINS à éviter (insuffisance rénale)", "PA basse",
           "adaptée à la fonction rénale", "bradycardie à 48/min", "chute à domicile", "sur avis cardiologique",
           "schéma simplifié", "inefficace", "effet indésirable", "hyponatrémie", "relais PO selon évolution",
           "prévention MTEV", "réévaluer à 1 mois", "contrôle INR à J5", "kaliémie 5,8 mmol/l",
           "DFG < 30 ml/min, contre-indication", "somnolence", "selon protocole", "à jeun strict",
           "TTT perso", "livret du service", "constipation sous opioïdes", "néphroprotection", "HbA1c 8,1 %",
           "troubles de la déglutition", "horaires stricts", "ne pas écraser", "alterner les sites")
_REACTIONS = ("urticaire", "œdème de Quincke", "rash cutané", "toux", "choc anaphylactique", "éruption", "vomissements")
_LAB = ("kaliémie {v} mmol/l", "natrémie {v} mmol/l", "créatinine {v} µmol/l", "créat {v} µmol/l", "INR {v}",
        "HbA1c {v} %", "DFG {v} ml/min/1,73 m²", "CRP {v} mg/l", "TSH {v} mUI/l", "glycémie {v} g/l", "Hb {v} g/dl",
        "clairance {v} ml/min", "plaquettes {v} G/l", "BNP {v} pg/ml", "digoxinémie {v} ng/ml")
_FIRST = ("Martin", "Anne-Sophie", "Jean", "Marie", "Hélène", "Yann", "Sophie", "Pierre", "Claire", "Thomas",
          "Isabelle", "Luc", "Nathalie", "François", "Élodie", "Karim", "Fatima", "Olivier", "Camille", "Paul")
_LAST = ("DUPONT", "LEFEBVRE", "GIRARD", "MOREAU", "ROUSSEL", "BERNARD", "PETIT", "DURAND", "LEROY", "FAURE",
         "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "ROBIN")
_CITIES = ("LYON", "TOULOUSE", "NANTES", "LILLE", "RENNES", "DIJON", "BORDEAUX", "MARSEILLE", "GRENOBLE", "TOURS")
_STREETS = ("rue des Lilas", "avenue Jean Jaurès", "boulevard Victor Hugo", "place de la République", "rue Pasteur",
            "chemin des Vignes", "allée des Tilleuls", "rue de la Gare")
_HEADERS = ("TRAITEMENT DE SORTIE", "Traitement habituel :", "ORDONNANCE", "PRESCRIPTIONS EN COURS",
            "Traitement à l'entrée :", "Traitements arrêtés :", "Traitement arrêté :", "Médicaments :",
            "PLAN DE SOINS MÉDICAMENTEUX", "Historique de délivrance", "Cardiovasculaire :", "Antalgiques :",
            "Autres :", "Insulines :", "Traitement personnel du patient :", "LETTRE DE LIAISON DE SORTIE",
            "Conciliation médicamenteuse d'entrée", "Automédication :", "Traitement suspendu :")
_NON_DRUG = ("Bandelettes de glycémie", "Aiguilles pour stylo 4 mm", "Lancettes", "Bas de contention classe 2",
             "Glycémies capillaires", "Séances de kinésithérapie", "Lecteur de glycémie", "Pansements",
             "Compresses stériles", "Soins infirmiers à domicile", "Régime sans sel", "Eau gélifiée",
             "Chaussettes de contention", "Matelas anti-escarres", "Capteurs FreeStyle")


def _date(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice((2023, 2024, 2025, 24, 25))
    return rng.choice((f"{d:02d}/{m:02d}/{y}", f"{d:02d}/{m:02d}", f"{d:02d}/{m:02d}/{y}"))


def _doctor(rng: random.Random) -> str:
    return rng.choice(("Dr", "Docteur", "Dr.", "Pr")) + " " + rng.choice(
        (f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", f"{rng.choice(_FIRST)[0]}. {rng.choice(_LAST)}",
         rng.choice(_LAST).title()))


# --------------------------------------------------------------------------------------------
# medication lines
# --------------------------------------------------------------------------------------------
def _drug_head(line: _Line, rng: random.Random, *, with_form: float = 0.6, with_strength: float = 0.85) -> None:
    """DRUG [STRENGTH] [FORM], with optional '(BRAND)' / '(dci)' remarks that are not labelled."""
    line.add(drug_name(rng), "DRUG")
    if rng.random() < 0.08:
        line.add(f" ({drug_name(rng)})")
    if rng.random() < with_strength:
        if rng.random() < 0.05:
            line.add(" ").add(str(rng.choice((75, 100, 160, 300, 500, 1000, 5, 20))), "STRENGTH")  # 'KARDEGIC 75'
        else:
            line.add(" ").add(strength(rng), "STRENGTH")
    if rng.random() < 0.08:
        line.add(" " + rng.choice(_LABS))
    if rng.random() < with_form:
        line.add(" ").add(form(rng), "FORM")
    if rng.random() < 0.05:
        line.add(f" ({drug_name(rng, noisy=False).lower()})")


def _posology(line: _Line, rng: random.Random, *, prn: float = 0.12, dur: float = 0.12, route: float = 0.15,
              status: float = 0.05) -> None:
    if rng.random() < 0.9:
        line.add(dose(rng), "DOSE")
        if rng.random() < 0.15:
            line.add(" ").add(rng.choice(_ROUTES), "ROUTE")
            route = 0
        line.add(" ")
    as_needed = rng.random() < prn
    if as_needed and rng.random() < 0.5:
        line.add(rng.choice(_PRN), "AS_NEEDED")
        if rng.random() < 0.6:
            line.add(rng.choice((", ", " ", " - ", " (", ", ")))
            line.add(max_per_day(rng), "FREQUENCY")
        if line.text.count("(") > line.text.count(")"):
            line.add(")")
    else:
        if rng.random() < 0.92:
            line.add(frequency(rng), "FREQUENCY")
        if as_needed:
            line.add(" ").add(rng.choice(_PRN), "AS_NEEDED")
            if rng.random() < 0.4:
                line.add(", ").add(max_per_day(rng), "FREQUENCY")
    if rng.random() < route:
        line.add(rng.choice((" ", " en ", ", "))).add(rng.choice(_ROUTES), "ROUTE")
    if rng.random() < dur:
        line.add(rng.choice((" ", ", ", " "))).add(rng.choice(_DURATIONS), "DURATION")
    if rng.random() < 0.08:
        line.add(rng.choice((" puis ", ", puis "))).add(dose(rng), "DOSE").add(" ").add(frequency(rng), "FREQUENCY")
    if rng.random() < status:
        line.add(rng.choice((" - ", " ", " : ", " ("))).add(rng.choice(_STATUS), "STATUS")
        if line.text.count("(") > line.text.count(")"):
            line.add(")")


def _bullet(rng: random.Random, n: int) -> str:
    return rng.choice((f"{n}) ", f"{n}. ", f"{n}- ", "- ", "• ", " • ", "* ", "", "  ", "-", "> ", "▪ ", f"{n} "))


def _leader(rng: random.Random) -> str:
    """Dot leaders between a drug and its posology ('Ebixa 10 mg cp ........ 1 cp le matin')."""
    return " " + rng.choice((".", "…", "_")) * rng.randint(3, 30) + " "


def gp_line(rng: random.Random) -> list[Example]:
    """Ordonnance: 'n) DRUG 40 mg cp : 1 cp le matin', sometimes posology on the next line."""
    line = _Line().add(_bullet(rng, rng.randint(1, 14)))
    _drug_head(line, rng)
    if rng.random() < 0.25:
        if rng.random() < 0.3:
            line.add(", " + rng.choice(("boîte de 30", "QSP 1 mois", "NS", "non substituable")))
        cont = _Line().add(rng.choice(("   ", "    ", "\t", "  → ", "   - ")))
        _posology(cont, rng)
        return [line.example(), cont.example()]
    line.add(rng.choice((" : ", " : ", ", ", " - ", "  ", " ", _leader(rng))))
    _posology(line, rng)
    if rng.random() < 0.1:
        line.add(rng.choice((", ", " - ", " (")))
        line.add(rng.choice(("à renouveler", "ne pas écraser", "30 min avant le repas", "au cours du repas",
                             "QSP 3 mois", "NS")))
        if line.text.count("(") > line.text.count(")"):
            line.add(")")
    return [line.example()]


def hospital_row(rng: random.Random) -> list[Example]:
    """Order table: 'DRUG 850 mg cp   | 1 cp matin et soir | PO | 10/12/24 | comment'."""
    line = _Line()
    if rng.random() < 0.1:
        line.add(rng.choice(("| ", "")))
    _drug_head(line, rng, with_form=0.7)
    w = rng.choice((30, 34, 38, 42))
    line.pad(w, rng)
    stopped = rng.random() < 0.15
    if stopped:
        line.add(rng.choice(_STOP_STATUS), "STATUS")
    else:
        _posology(line, rng, route=0.0, status=0.0)
    line.pad(w + rng.choice((22, 26, 30)), rng)
    if rng.random() < 0.8:
        line.add(rng.choice(_ROUTES[:9]), "ROUTE")
    line.pad(len(line.text) + rng.choice((2, 3, 4)), rng)
    if rng.random() < 0.7:
        line.add(_date(rng))
        line.pad(len(line.text) + 1, rng)
    r = rng.random()
    if r < 0.2:
        line.add(rng.choice(("NOUVEAU", "Nouveau", "introduit", "ajout")), "STATUS")
        line.add(" - " + rng.choice(_JUSTIF))
    elif r < 0.35:
        line.add(rng.choice(("= ", "équivalence livret du ", "remplace ", "au lieu de ", "substitution de ")))
        line.add(drug_name(rng))
        if rng.random() < 0.5:
            line.add(" " + strength(rng))
    elif r < 0.75:
        line.add(rng.choice(_JUSTIF))
    return [line.example()]


def dispensing_row(rng: random.Random) -> list[Example]:
    """Pharmacy history: '12/01/2024  DOLIPRANE 1000MG CPR B/8   Qté 2   Dr X'."""
    line = _Line()
    sep = rng.choice(("  ", " | ", "\t", "   "))
    line.add(_date(rng) + sep)
    name = drug_name(rng)
    line.add(name.upper() if rng.random() < 0.7 else name, "DRUG")
    line.add(" ").add(strength(rng).upper().replace(" ", "") if rng.random() < 0.5 else strength(rng), "STRENGTH")
    if rng.random() < 0.15:
        line.add(" " + rng.choice(_LABS))
    if rng.random() < 0.85:
        f = rng.choice(("CPR PELL", "PDR INH", "SUSP INH", "CPR LM", "GELU", "CPR SEC", "SOL BUV", "CPR EFF",
                        "CPR ORODISP", "GEL", "SOL INJ", "COLLYRE")) if rng.random() < 0.5 else form(rng).upper()
        line.add(" ").add(f, "FORM")
    line.add(rng.choice((" B/30", " B/28", " BT 30", " B/8", " B/90", " 1 boîte", "", " BTE/30", " FL/200D",
                         " B/30 + HANDIH.", " 1 FL", " B/3 STYLOS")))
    if rng.random() < 0.3:
        line.pad(rng.choice((40, 46, 52)), rng)
        line.add(f" {rng.randint(1, 3)}  ")
    else:
        line.add(sep + rng.choice(("Qté ", "Qté : ", "x", "", "Qt ")) + str(rng.randint(1, 3)))
    if rng.random() < 0.35:
        line.add(sep)
        _posology(line, rng, route=0.05, status=0.0, dur=0.05)
    if rng.random() < 0.3:
        line.add(sep + _doctor(rng))
    return [line.example()]


def nursing_row(rng: random.Random) -> list[Example]:
    """Nursing-home sheet: 'DRUG 10 mg cp      1     -     1     -    remark' under MATIN MIDI SOIR COUCHER."""
    line = _Line()
    _drug_head(line, rng, with_form=0.8)
    bar = rng.random() < 0.4
    w = rng.choice((28, 34, 38))
    line.pad(w, rng, sep="|" if bar else " ")
    n_slots = rng.choice((3, 4, 4, 5))
    cells = []
    for _ in range(n_slots):
        v = rng.choice(("1", "1", "-", "-", "0", "½", "2", "1 gtte", "6 UI", "22 UI", "1 sach"))
        cells.append(v)
    if all(c in ("-", "0") for c in cells):
        cells[0] = "1"
    gap = rng.choice((" | ", "     ", "    ", "  |  ")) if bar else rng.choice(("     ", "    ", "      "))
    line.add(gap.join(cells), "FREQUENCY")
    if rng.random() < 0.5:
        line.add(gap.rstrip() + " " if bar else "    ")
        line.add(rng.choice((*_JUSTIF, "SC, alterner sites", "Ne pas ouvrir", "écraser", "")))
    return [line.example()]


def nursing_free_row(rng: random.Random) -> list[Example]:
    """A nursing sheet row whose posology is written across the columns."""
    line = _Line()
    _drug_head(line, rng, with_form=0.8)
    line.pad(rng.choice((26, 30, 36)), rng, sep=" ")
    _posology(line, rng, prn=0.3, dur=0.05)
    return [line.example()]


def letter_line(rng: random.Random) -> list[Example]:
    """Discharge letter bullet with a justification, status words, remarks."""
    line = _Line().add(rng.choice(("• ", "- ", " • ", "* ", "", "  - ")))
    r = rng.random()
    if r < 0.15:
        line.add(rng.choice(_LEAD_STATUS), "STATUS").add(" ")
        _drug_head(line, rng, with_form=0.3, with_strength=0.5)
        if rng.random() < 0.6:
            line.add(rng.choice((" : ", " ", ", ", " - ")))
            _posology(line, rng, status=0.0)
        if rng.random() < 0.7:
            line.add(rng.choice((" (", " - ", " : ", ", "))).add(rng.choice(_JUSTIF))
            if line.text.count("(") > line.text.count(")"):
                line.add(")")
        return [line.example()]
    if rng.random() < 0.3:
        dci = drug_name(rng)
        line.add(dci, "DRUG").add(f" ({drug_name(rng, noisy=False)})")
        if rng.random() < 0.7:
            line.add(" ").add(strength(rng), "STRENGTH")
        if rng.random() < 0.4:
            line.add(" ").add(form(rng), "FORM")
    else:
        _drug_head(line, rng, with_form=0.4)
    line.add(rng.choice((" : ", " : ", " ", " - ", ", ")))
    if rng.random() < 0.15:
        line.add(rng.choice(_STOP_STATUS), "STATUS")
    else:
        _posology(line, rng, status=0.15, prn=0.15)
    if rng.random() < 0.5:
        line.add(rng.choice((" - ", " → ", " (", ", ", " ; ")))
        j = rng.random()
        if j < 0.2:
            line.add(rng.choice(("remplace ", "en remplacement de ", "relais de ", "au lieu de ", "à la place de ")))
            line.add(drug_name(rng))
        elif j < 0.3:
            line.add(rng.choice(("dose diminuée", "dose augmentée", "posologie modifiée", "inchangé", "dose réduite")))
        else:
            line.add(rng.choice(_JUSTIF))
        if line.text.count("(") > line.text.count(")"):
            line.add(")")
    out = [line.example()]
    if rng.random() < 0.15:
        out.append(_Line().add(rng.choice(("    → ", "   ", "  (")) + rng.choice(_JUSTIF)).example())
    return out


def statement_line(rng: random.Random) -> list[Example]:
    """Patient statement: '« Sertraline 50 mg, 1 gélule le matin » - prescrite par son psychiatre'."""
    line = _Line().add(rng.choice(("« ", "\"", "- ", "")))
    line.add(drug_name(rng), "DRUG")
    if rng.random() < 0.7:
        line.add(" ").add(strength(rng), "STRENGTH")
    line.add(rng.choice((", ", " : ", " ")))
    _posology(line, rng, prn=0.3)
    line.add(rng.choice((" »", "\"", "")))
    if rng.random() < 0.5:
        line.add(" - " + rng.choice(("prescrit par son cardiologue", "ne le prend plus depuis 1 mois",
                                     "automédication", "oublis fréquents", "sur ordonnance du médecin traitant")))
    return [line.example()]


def list_line(rng: random.Random) -> list[Example]:
    """'Traitements personnels arrêtés : mélatonine et curcuma' / 'Poursuite de A, B et C'."""
    line = _Line()
    stop = rng.random() < 0.5
    if stop:
        line.add(rng.choice(("Traitements arrêtés", "Traitements personnels arrêtés", "Arrêt de")) + " : ")
    else:
        line.add(rng.choice(("Traitement habituel", "Poursuite de", "Sous", "Traitement personnel")) + " : ")
    for k in range(rng.randint(2, 4)):
        if k:
            line.add(rng.choice((", ", " et ", " + ")))
        line.add(drug_name(rng), "DRUG")
        if rng.random() < 0.3:
            line.add(" ").add(strength(rng), "STRENGTH")
    return [line.example()]


# --------------------------------------------------------------------------------------------
# distractors: drug names here are not prescriptions (label O), or no drug at all
# --------------------------------------------------------------------------------------------
def distractor(rng: random.Random) -> list[Example]:
    r = rng.random()
    d = lambda: drug_name(rng)  # noqa: E731
    if r < 0.12:
        text = rng.choice((f"Allergie : {d()} ({rng.choice(_REACTIONS)})", f"Allergies : {d()}, {d()}",
                           f"ALLERGIE : {d().upper()}", f"Intolérance au {d()} ({rng.choice(_REACTIONS)})",
                           f"Allergie(s) : {d()}", "Allergies : aucune connue", "Allergie : néant",
                           f"Contre-indication : {d()}", f"- {d()} : {rng.choice(_REACTIONS)} en 2019"))
    elif r < 0.24:
        lab = rng.choice(_LAB).format(v=_num(rng, (0.9, 1.2, 3.1, 4.2, 5.8, 7.1, 38, 102, 145, 182, 2.6, 12)))
        text = rng.choice((lab, f"{lab} - {rng.choice(_LAB).format(v='4,5')}", f"Bilan : {lab}",
                           f"{_date(rng)} : {lab}", f"{lab} ({_date(rng)})"))
    elif r < 0.36:
        text = rng.choice((f"Pas de {d()}", "Pas d'anticoagulant", f"Pas de traitement par {d()}.",
                           "Pas d'AVK.", f"Aucun traitement par {d()}", f"Jamais pris de {d()}",
                           f"Ne prend pas de {d()}", "Pas d'antiagrégant", f"Sans {d()}",
                           "Pas d'automédication", f"Pas d'AINS ni de {d()}"))
    elif r < 0.46:
        disease = rng.choice(("HTA", "diabète", "FA", "AVC"))
        text = rng.choice((f"Antécédents : {disease} traité par {d()} jusqu'en 2019",
                           f"Ancien traitement : {d()} {strength(rng)} (arrêté en 2021)",
                           f"Antécédents : ulcère sous {d()}", f"{d()} arrêté en 2020 pour intolérance",
                           f"Auparavant sous {d()}"))
    elif r < 0.6:
        text = rng.choice((_doctor(rng), f"{_doctor(rng)} - RPPS 10{rng.randint(100000000, 999999999)}",
                           f"{rng.randint(1, 99)}, {rng.choice(_STREETS)} - {rng.randint(10, 95)}000 "
                           f"{rng.choice(_CITIES)}", f"Tél. 0{rng.randint(1, 5)} {rng.randint(10, 99)} 00 00 00",
                           f"{rng.choice(_CITIES).title()}, le {_date(rng)}",
                           f"Mme {rng.choice(_LAST)} {rng.choice(_FIRST)} - {rng.randint(60, 95)} ans - "
                           f"{rng.randint(45, 100)} kg",
                           f"Patient : M. {rng.choice(_LAST)} {rng.choice(_FIRST)}, né le {_date(rng)}",
                           f"Médecin traitant : {_doctor(rng)}", f"Signé : {_doctor(rng)}", "Page 1/2"))
    elif r < 0.72:
        text = rng.choice((*_HEADERS, "Médicament | Posologie | Voie | Début | Commentaire",
                           "TRAITEMENT    MATIN    MIDI    SOIR    COUCHER    REMARQUES",
                           "Produit | 08h | 12h | 16h | 20h | Coucher | Remarques",
                           "Date | Produit | Quantité | Prescripteur"))
    elif r < 0.84:
        text = rng.choice((f"{rng.choice(_NON_DRUG)} : QSP 3 mois", f"{rng.choice(_NON_DRUG)} | 4x/j | | {_date(rng)}",
                           rng.choice(_NON_DRUG), f"{rng.choice(_NON_DRUG)} le matin", "QSP 3 mois",
                           "Ordonnance pour 28 jours", "À renouveler 2 fois", "QSP 1 mois - renouvelable 3 fois",
                           "En cas d'hypoglycémie : 3 morceaux de sucre", "Régime : mixé lisse"))
    else:
        text = rng.choice((f"Motif : {rng.choice(('chute', 'pneumopathie', 'insuffisance cardiaque', 'AVC'))}",
                           f"Hospitalisé du {_date(rng)} au {_date(rng)}",
                           f"Conclusion : {rng.choice(('bonne évolution', 'retour à domicile', 'RAD'))}",
                           "Consultation de contrôle dans 3 mois", "Rendez-vous avec le cardiologue",
                           f"Le patient ne prend plus son traitement depuis {rng.randint(2, 10)} jours",
                           f"Consommation de tabac : {rng.randint(5, 40)} PA",
                           f"Traitement à réévaluer par le {_doctor(rng)}"))
    if rng.random() < 0.2:
        text = strip_accents(text)
    return [Example(text, [])]


@lru_cache(maxsize=1)
def _clinical_words() -> tuple[list[str], list[str], list[str]]:
    """French clinical vocabulary for narrative distractors: CIM-10 labels and verb forms shipped with
    edsnlp (a project dependency). Empty lists when edsnlp's resources are not there."""
    import csv
    import gzip
    import io
    from importlib import resources

    labels: list[str] = []
    verbs: list[str] = []
    try:
        root = resources.files("edsnlp") / "resources"
        with gzip.open(io.BytesIO((root / "cim10.csv.gz").read_bytes()), "rt", encoding="utf-8") as f:
            labels = sorted({row["long"] for row in csv.DictReader(f) if row.get("long") and len(row["long"]) < 80})
        with gzip.open(io.BytesIO((root / "verbs.csv.gz").read_bytes()), "rt", encoding="utf-8") as f:
            verbs = sorted({row["term"] for row in csv.DictReader(f)
                            if row.get("tense") in ("Présent", "Passé Composé", "Participe Passé", "Imparfait")})
    except (OSError, ModuleNotFoundError, KeyError):
        pass
    words = sorted({w.strip(",.()") for label in labels for w in label.split() if len(w) > 3})
    return labels, verbs, words


_STOPS = ("le", "la", "les", "de", "du", "des", "et", "à", "au", "en", "pour", "avec", "sur", "dans", "par", "une",
          "un", "sans", "depuis", "chez", "après", "avant", "lors", "suite", "est", "a", "été", "il", "elle")
_SERVICES = ("CARDIOLOGIE", "GÉRIATRIE", "MÉDECINE INTERNE", "PNEUMOLOGIE", "NEUROLOGIE", "URGENCES",
             "NÉPHROLOGIE", "ENDOCRINOLOGIE", "CHIRURGIE ORTHOPÉDIQUE", "ONCOLOGIE", "SSR", "MÉDECINE POLYVALENTE")


def narrative(rng: random.Random) -> list[Example]:
    """Free text of letters and headers: diagnoses, history, events, institutions (no drug labelled)."""
    labels, verbs, words = _clinical_words()
    if not labels:
        return distractor(rng)
    lab = lambda: rng.choice(labels)  # noqa: E731
    r = rng.random()
    if r < 0.25:
        text = rng.choice((f"Motif : {lab().lower()}", f"Antécédents : {lab()}, {lab().lower()}",
                           f"Diagnostic : {lab()}", f"- {lab()}", f"{lab()} en {rng.randint(1995, 2024)}",
                           f"Conclusion : {lab().lower()}", f"• {lab()} ({_date(rng)})", lab(),
                           f"Comorbidités : {lab().lower()} ; {lab().lower()}"))
    elif r < 0.6:
        n = rng.randint(5, 18)
        out = []
        for _ in range(n):
            k = rng.random()
            out.append(rng.choice(_STOPS) if k < 0.4 else rng.choice(verbs) if k < 0.55 and verbs else
                       rng.choice(words).lower() if k < 0.9 else rng.choice(words))
        text = " ".join(out)
        text = text[:1].upper() + text[1:] + rng.choice((".", "", ",", " ;"))
    elif r < 0.8:
        text = rng.choice((f"CENTRE HOSPITALIER {rng.choice(('UNIVERSITAIRE DE ', 'DE ', 'RÉGIONAL DE '))}"
                           f"{rng.choice(_CITIES)}", f"SERVICE DE {rng.choice(_SERVICES)}",
                           f"Service de {rng.choice(_SERVICES).lower()} - {_doctor(rng)}",
                           f"PHARMACIE {rng.choice(('DU MARCHÉ', 'CENTRALE', 'DE LA GARE', 'DES ÉCOLES'))}",
                           f"EHPAD {rng.choice(('Les Glycines', 'Résidence du Parc', 'Les Tilleuls'))} - "
                           f"{rng.choice(_CITIES)}", f"{rng.choice(words).upper()} {rng.choice(words).upper()}",
                           f"Résidente : Mme {rng.choice(_LAST)} {rng.choice(_FIRST)} - chambre {rng.randint(1, 300)}",
                           f"GIR {rng.randint(1, 6)} - {rng.choice(words).lower()} {rng.choice(words).lower()}",
                           f"Poids : {rng.randint(40, 110)} kg - Taille : {rng.randint(150, 190)} cm",
                           f"{rng.choice(words)} : {rng.choice(words).lower()} {rng.choice(_STOPS)} "
                           f"{rng.choice(words).lower()}"))
    else:
        text = (f"{rng.choice(('Patient', 'Patiente', 'Mme', 'M.', 'Le patient', 'La patiente'))} "
                f"{rng.choice(verbs) if verbs else 'présente'} {rng.choice(_STOPS)} {lab().lower()} "
                f"{rng.choice(_STOPS)} {rng.choice(words).lower()}")
    if rng.random() < 0.15:
        text = strip_accents(text)
    return [Example(text, [])]


TEMPLATES: tuple[tuple[Callable[[random.Random], list[Example]], float], ...] = (
    (gp_line, 0.19),
    (hospital_row, 0.12),
    (dispensing_row, 0.08),
    (nursing_row, 0.07),
    (nursing_free_row, 0.04),
    (letter_line, 0.14),
    (statement_line, 0.03),
    (list_line, 0.03),
    (distractor, 0.15),
    (narrative, 0.15),
)


def _case_noise(ex: Example, rng: random.Random) -> Example:
    r = rng.random()
    if r < 0.04:
        return Example(_upper(ex.text), ex.spans)
    if r < 0.07:
        return Example(ex.text.lower(), ex.spans)
    if r < 0.15:
        return Example(strip_accents(ex.text), ex.spans)
    return ex


def _upper(text: str) -> str:
    """Upper case that keeps µ (str.upper() makes it a Greek capital mu) and the length."""
    out = text.upper().replace("Μ", "µ")
    return out if len(out) == len(text) else text


def generate(n: int, seed: int = 0) -> list[Example]:
    """``n`` lines (a template may give two), reproducible for ``seed``."""
    rng = random.Random(seed)
    funcs = [t for t, _ in TEMPLATES]
    weights = [w for _, w in TEMPLATES]
    out: list[Example] = []
    while len(out) < n:
        template = rng.choices(funcs, weights)[0]
        for ex in template(rng):
            out.append(_case_noise(ex, rng))
    return out[:n]


def check(ex: Example) -> bool:
    """Spans inside the text, ordered, not overlapping, not blank."""
    last = 0
    for s, e, _ in ex.spans:
        if s < last or e > len(ex.text) or s >= e or not ex.text[s:e].strip():
            return False
        last = e
    return True


if __name__ == "__main__":
    import sys

    n_lines = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for ex in generate(n_lines, seed=int(sys.argv[2]) if len(sys.argv) > 2 else 0):
        print(ex.text)
        print("   ", [(ex.text[s:e], lab) for s, e, lab in ex.spans])
