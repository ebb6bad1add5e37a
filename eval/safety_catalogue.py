"""The clinical-safety suite's drugs and prescription lines, by construction (fictional posologies).

A line (``Rx``) is built from its parts — name, strength, form, route, dose, schedule, as-needed
maximum, written stop — so that what differs between two lines is known without reading them:
``clinical(rx)`` gives the facts a pharmacist compares (substance, release, strength, form family,
route, amount per intake, intakes a day, daily dose, as-needed, dose written, written status), and
``daily(rx)`` the daily dose in mg or UI that Recon should compute.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

# mass units to mg; per-hour patch rates to mg/h; concentrations to mg/ml or UI/ml
_MASS = {"mg": 1.0, "g": 1000.0, "µg": 1e-3}
_FORM_FAMILY = {"comprimé": "comprimé", "comprimé LP": "comprimé", "gélule": "gélule", "sachet": "sachet",
                "solution buvable": "buvable", "patch": "patch", "solution injectable": "injectable",
                "stylo": "injectable"}
COUNTABLE = {"cp": ("cp", "cp"), "gélule": ("gélule", "gélules"), "sachet": ("sachet", "sachets"),
             "seringue": ("seringue", "seringues"), "patch": ("patch", "patchs")}
ROUTE_PLAIN = {"IV": ", en IV", "SC": ", en sous-cutané"}


@dataclass(frozen=True)
class Sched:
    text: str
    per_day: float | None
    weekly: bool = False


MATIN = Sched("le matin", 1)
MIDI = Sched("le midi", 1)
SOIR = Sched("le soir", 1)
COUCHER = Sched("au coucher", 1)
MATIN_SOIR = Sched("matin et soir", 2)
TROIS = Sched("matin, midi et soir", 3)
TROIS_FOIS = Sched("3 fois par jour", 3)
WEEKLY = Sched("le lundi, une fois par semaine", 1 / 7, weekly=True)
EVERY_3_DAYS = Sched("tous les 3 jours", 1 / 3)
PATCH_WEEK = Sched("à changer une fois par semaine", 1 / 7, weekly=True)
EVERY_4_HOURS = Sched("toutes les 4 heures", 6)
AS_NEEDED = Sched("", None)


@dataclass(frozen=True)
class Rx:
    """One medication line as written, from its parts."""

    anchor: str                 # the drug name as written, unique in its document ("KARDEGIC")
    substance: str              # the DCI the line prescribes
    atc: str
    strength: float
    unit: str                   # "mg", "g", "µg", "µg/h", "mg/ml", "UI/ml", "UI/0,4 ml"
    form: str                   # key of _FORM_FAMILY
    dose: float | None          # None: no dose written ("le soir")
    dose_unit: str              # "cp", "gélule", "sachet", "seringue", "patch", "ml", "UI", "mg"
    sched: Sched
    route: str = "orale"        # "orale", "IV", "SC", "transdermique"
    release: str = ""           # "LP" for a prolonged-release product
    as_needed: str = ""         # "si douleur": an as-needed line
    max_text: str = ""          # "maximum 3 g par jour"
    max_daily: float | None = None   # that maximum in mg (or UI) a day, when written as an amount
    max_count: float | None = None   # or as a number of intakes a day
    note: str = ""              # a written stop or suspension, written instead of the posology
    extra: str = ""             # "à jeun"
    dci_name: str = ""          # the DCI as a prescriber writes it, for brand ↔ DCI and duplicates
    tags: frozenset[str] = frozenset()

    def stopped(self, note: str) -> Rx:
        return replace(self, note=note)


def num(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return str(round(x))
    return f"{x:g}".replace(".", ",")


def strength_text(rx: Rx) -> str:
    return f"{num(rx.strength)} {rx.unit}"


def name_text(rx: Rx) -> str:
    return " ".join(p for p in (rx.anchor, rx.release, strength_text(rx), rx.form.replace(" LP", "")) if p)


def dose_text(rx: Rx) -> str:
    if rx.dose is None:
        return ""
    if rx.dose_unit in COUNTABLE:
        one, many = COUNTABLE[rx.dose_unit]
        return f"{num(rx.dose)} {one if rx.dose <= 1 else many}"
    return f"{num(rx.dose)} {rx.dose_unit}"


def posology_text(rx: Rx) -> str:
    if rx.note:
        return rx.note.lstrip("§")
    head = " ".join(p for p in (dose_text(rx), rx.sched.text, rx.as_needed) if p)
    tail = ", ".join(p for p in (rx.max_text, rx.extra) if p)
    return f"{head}, {tail}" if tail else head


def route_text(rx: Rx) -> str:
    return rx.route


def plain_line(rx: Rx) -> str:
    route = "" if rx.note else ROUTE_PLAIN.get(rx.route, "")
    return f"{name_text(rx)} : {posology_text(rx)}{route}"


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def mentions(text: str, anchor: str) -> bool:
    """``anchor`` written in ``text`` as whole words (SKENAN is not in ACTISKENAN)."""
    return re.search(rf"(?<![a-z0-9]){re.escape(fold(anchor))}(?![a-z0-9])", fold(text)) is not None


def base_strength(rx: Rx) -> tuple[float, str]:
    unit = rx.unit
    if unit in _MASS:
        return rx.strength * _MASS[unit], "mg"
    if unit == "µg/h":
        return rx.strength * 1e-3, "mg/h"
    if unit == "mg/ml":
        return rx.strength, "mg/ml"
    if unit == "UI/ml":
        return rx.strength, "UI/ml"
    if unit.startswith("UI/"):  # "4000 UI/0,4 ml": one syringe holds 4000 UI
        return rx.strength, "UI"
    return rx.strength, unit


def per_intake(rx: Rx) -> tuple[float, str] | None:
    """What one intake contains, in mg or UI (a patch: its rate in mg/h)."""
    if rx.dose is None:
        return None
    value, unit = base_strength(rx)
    if rx.dose_unit in COUNTABLE:
        return rx.dose * value, unit
    if rx.dose_unit == "ml" and unit == "mg/ml":
        return rx.dose * value, "mg"
    if rx.dose_unit == "UI":
        return rx.dose, "UI"
    if rx.dose_unit in _MASS:
        return rx.dose * _MASS[rx.dose_unit], "mg"
    return None


def daily(rx: Rx) -> tuple[float, str] | None:
    """The daily dose a pharmacist computes: a patch delivers its rate around the clock, a weekly drug
    is a seventh a day, an as-needed line its written maximum."""
    if rx.note:
        return None
    one = per_intake(rx)
    if one is None:
        return None
    value, unit = one
    if unit == "mg/h":
        return round(value * 24, 6), "mg"
    if rx.as_needed:
        if rx.max_daily is not None:
            return rx.max_daily, unit
        if rx.max_count is not None:
            return round(value * rx.max_count, 6), unit
        return None
    if rx.sched.per_day is None:
        return None
    return round(value * rx.sched.per_day, 6), unit


def category(rx: Rx) -> str:
    """The daily-dose family the line belongs to (for the daily-dose measure)."""
    if rx.form == "patch":
        return "patch"
    if rx.as_needed:
        return "as-needed maximum"
    if rx.sched.weekly:
        return "weekly"
    if rx.dose_unit == "UI":
        return "insulin"
    if rx.form in ("solution injectable", "stylo"):
        return "injectable"
    if rx.dose_unit == "ml":
        return "oral solution"
    return "tablet/capsule"


def clinical(rx: Rx) -> dict[str, object]:
    """The facts two lines are compared on; equal facts = the same treatment, however written."""
    def r(q: tuple[float, str] | None) -> tuple[float, str] | None:
        return None if q is None else (round(q[0], 6), q[1])

    return {
        "substance": rx.substance, "release": rx.release, "strength": r(base_strength(rx)),
        "form": _FORM_FAMILY.get(rx.form, rx.form), "route": rx.route, "per_intake": r(per_intake(rx)),
        "per_day": None if rx.as_needed else rx.sched.per_day, "daily": r(daily(rx)),
        "as_needed": bool(rx.as_needed), "dose_written": rx.dose is not None,
        "status": "stopped" if rx.note.lstrip("§").startswith("arrêt") else ("suspended" if rx.note else "active"),
    }


def differs(before: Rx, after: Rx) -> frozenset[str]:
    b, a = clinical(before), clinical(after)
    return frozenset(k for k in b if b[k] != a[k])


def atc4(rx: Rx) -> str:
    return rx.atc[:5]


def _rx(anchor: str, substance: str, atc: str, strength: float, unit: str, form: str, dose: float | None,
        dose_unit: str, sched: Sched, *tags: str, **kw: object) -> Rx:
    return Rx(anchor, substance, atc, strength, unit, form, dose, dose_unit, sched, tags=frozenset(tags),
              **kw)  # type: ignore[arg-type]


# The base catalogue: the lines a base treatment is drawn from. Tags say which mutations a line takes.
CATALOGUE: dict[str, Rx] = {
    "kardegic": _rx("KARDEGIC", "acide acétylsalicylique", "B01AC06", 75, "mg", "sachet", 1, "sachet", MIDI,
                    "strength", "dose", "frequency", dci_name="ACIDE ACETYLSALICYLIQUE"),
    "lasilix": _rx("LASILIX", "furosémide", "C03CA01", 40, "mg", "comprimé", 1, "cp", MATIN,
                   "strength", "dose", "frequency", "route", dci_name="FUROSEMIDE"),
    "tahor": _rx("TAHOR", "atorvastatine", "C10AA05", 20, "mg", "comprimé", 1, "cp", SOIR,
                 "strength", "dose", "substitution", dci_name="ATORVASTATINE"),
    "levothyrox": _rx("LEVOTHYROX", "lévothyroxine", "H03AA01", 125, "µg", "comprimé", 1, "cp", MATIN,
                      "strength", "mg_ug", extra="à jeun", dci_name="LEVOTHYROXINE"),
    "amlor": _rx("AMLOR", "amlodipine", "C08CA01", 5, "mg", "gélule", 1, "gélule", MATIN,
                 "strength", "dose", "substitution", dci_name="AMLODIPINE"),
    "coversyl": _rx("COVERSYL", "périndopril", "C09AA04", 5, "mg", "comprimé", 1, "cp", MATIN,
                    "strength", "dose", "frequency", "substitution", dci_name="PERINDOPRIL"),
    "inexium": _rx("INEXIUM", "ésoméprazole", "A02BC05", 40, "mg", "comprimé", 1, "cp", MATIN,
                   "frequency", "substitution", "route", dci_name="ESOMEPRAZOLE"),
    "glucophage": _rx("GLUCOPHAGE", "metformine", "A10BA02", 1000, "mg", "comprimé", 1, "cp", MATIN_SOIR,
                      "dose", "frequency", "g_mg", dci_name="METFORMINE"),
    "doliprane": _rx("DOLIPRANE", "paracétamol", "N02BE01", 1000, "mg", "comprimé", 1, "cp", TROIS_FOIS,
                     "dose", "frequency", "g_mg", "route", dci_name="PARACETAMOL"),
    "doliprane_sb": _rx("DOLIPRANE", "paracétamol", "N02BE01", 1, "g", "comprimé", 1, "cp", AS_NEEDED,
                        "as_needed", "g_mg", as_needed="si douleur", max_text="maximum 3 g par jour",
                        max_daily=3000, dci_name="PARACETAMOL"),
    "seresta": _rx("SERESTA", "oxazépam", "N05BA04", 10, "mg", "comprimé", 1, "cp", COUCHER,
                   "dose", "frequency", dci_name="OXAZEPAM"),
    "stilnox": _rx("STILNOX", "zolpidem", "N05CF02", 10, "mg", "comprimé", 1, "cp", COUCHER,
                   "dose", "substitution", dci_name="ZOLPIDEM"),
    "cardensiel": _rx("CARDENSIEL", "bisoprolol", "C07AB07", 2.5, "mg", "comprimé", 1, "cp", MATIN,
                      "strength", "dose", "frequency", dci_name="BISOPROLOL"),
    "eliquis": _rx("ELIQUIS", "apixaban", "B01AF02", 5, "mg", "comprimé", 1, "cp", MATIN_SOIR,
                   "strength", "dose", "frequency", dci_name="APIXABAN"),
    "aldactone": _rx("ALDACTONE", "spironolactone", "C03DA01", 25, "mg", "comprimé", 1, "cp", MATIN,
                     "strength", "dose", "frequency", dci_name="SPIRONOLACTONE"),
    "seroplex": _rx("SEROPLEX", "escitalopram", "N06AB10", 10, "mg", "comprimé", 1, "cp", MATIN,
                    "strength", "dose", "substitution", dci_name="ESCITALOPRAM"),
    "hydroxyzine": _rx("HYDROXYZINE", "hydroxyzine", "N05BB01", 25, "mg", "comprimé", 1, "cp", COUCHER,
                       "dose", "look_alike"),
    "prednisone": _rx("PREDNISONE", "prednisone", "H02AB07", 20, "mg", "comprimé", 1, "cp", MATIN,
                      "dose", "look_alike"),
    "clobazam": _rx("CLOBAZAM", "clobazam", "N05BA09", 10, "mg", "comprimé", 1, "cp", SOIR,
                    "dose", "look_alike"),
    "lamictal": _rx("LAMICTAL", "lamotrigine", "N03AX09", 100, "mg", "comprimé", 1, "cp", MATIN_SOIR,
                    "dose", "look_alike", dci_name="LAMOTRIGINE"),
    "alendronate": _rx("ALENDRONATE", "acide alendronique", "M05BA04", 70, "mg", "comprimé", 1, "cp", WEEKLY,
                       "weekly"),
    "methotrexate": _rx("METHOTREXATE", "méthotrexate", "L01BA01", 2.5, "mg", "comprimé", 4, "cp", WEEKLY,
                        "weekly"),
    "durogesic": _rx("DUROGESIC", "fentanyl", "N02AB03", 25, "µg/h", "patch", 1, "patch", EVERY_3_DAYS,
                     "patch", route="transdermique", dci_name="FENTANYL"),
    "butrans": _rx("BUTRANS", "buprénorphine", "N02AE01", 10, "µg/h", "patch", 1, "patch", PATCH_WEEK,
                   "patch", route="transdermique"),
    "lovenox": _rx("LOVENOX", "énoxaparine", "B01AB05", 4000, "UI/0,4 ml", "solution injectable", 1, "seringue",
                   SOIR, "strength", route="SC", dci_name="ENOXAPARINE"),
    "lantus": _rx("LANTUS", "insuline glargine", "A10AE04", 100, "UI/ml", "stylo", 20, "UI", SOIR,
                  "insulin", route="SC"),
    "novorapid": _rx("NOVORAPID", "insuline asparte", "A10AB05", 100, "UI/ml", "stylo", 6, "UI", TROIS,
                     "insulin", route="SC"),
    "levemir": _rx("LEVEMIR", "insuline détémir", "A10AE05", 100, "UI/ml", "stylo", 14, "UI", MATIN,
                   "insulin", route="SC"),
    "keppra_sol": _rx("KEPPRA", "lévétiracétam", "N03AX14", 100, "mg/ml", "solution buvable", 5, "ml", MATIN_SOIR,
                      "dose"),
    "keppra": _rx("KEPPRA", "lévétiracétam", "N03AX14", 500, "mg", "comprimé", 1, "cp", MATIN_SOIR,
                  "form", "strength", "route", dci_name="LEVETIRACETAM"),
    "depakine": _rx("DEPAKINE", "valproate de sodium", "N03AG01", 500, "mg", "comprimé", 1, "cp", MATIN_SOIR,
                    "form"),
    "skenan": _rx("SKENAN", "morphine", "N02AA01", 30, "mg", "gélule", 1, "gélule", MATIN_SOIR,
                  "release", release="LP"),
    "oxycontin": _rx("OXYCONTIN", "oxycodone", "N02AA05", 10, "mg", "comprimé LP", 1, "cp", MATIN_SOIR,
                     "release", release="LP"),
    "actiskenan_sb": _rx("ACTISKENAN", "morphine", "N02AA01", 5, "mg", "gélule", 1, "gélule", AS_NEEDED,
                         "as_needed", as_needed="si douleur", max_text="maximum 6 par jour", max_count=6),
    "seresta_sb": _rx("SERESTA", "oxazépam", "N05BA04", 10, "mg", "comprimé", 1, "cp", AS_NEEDED,
                      "as_needed", as_needed="si anxiété", max_text="maximum 3 par jour", max_count=3),
    "digoxine": _rx("DIGOXINE", "digoxine", "C01AA05", 0.25, "mg", "comprimé", 1, "cp", MATIN, "mg_ug"),
    "xanax": _rx("XANAX", "alprazolam", "N05BA12", 0.25, "mg", "comprimé", 1, "cp", SOIR, "mg_ug",
                 dci_name="ALPRAZOLAM"),
    "esidrex": _rx("ESIDREX", "hydrochlorothiazide", "C03AA03", 25, "mg", "comprimé", 1, "cp", MATIN,
                   "dose", "frequency"),
    "plavix": _rx("PLAVIX", "clopidogrel", "B01AC04", 75, "mg", "comprimé", 1, "cp", MATIN,
                  "dose", dci_name="CLOPIDOGREL"),
    "diffu_k": _rx("DIFFU-K", "chlorure de potassium", "A12BA01", 600, "mg", "gélule", 1, "gélule", MATIN_SOIR,
                   "dose", "frequency"),
    "lyrica": _rx("LYRICA", "prégabaline", "N03AX16", 75, "mg", "gélule", 1, "gélule", MATIN_SOIR,
                  "dose", "frequency", dci_name="PREGABALINE"),
    "zyloric": _rx("ZYLORIC", "allopurinol", "M04AA01", 100, "mg", "comprimé", 1, "cp", MATIN,
                   "strength", "dose", dci_name="ALLOPURINOL"),
    "temesta": _rx("TEMESTA", "lorazépam", "N05BA06", 1, "mg", "comprimé", 1, "cp", SOIR, "dose"),
}

# other strengths of the same product (strength mutation, patch rate)
ALT_STRENGTH: dict[str, tuple[float, str]] = {
    "kardegic": (160, "mg"), "lasilix": (20, "mg"), "tahor": (40, "mg"), "levothyrox": (100, "µg"),
    "amlor": (10, "mg"), "coversyl": (10, "mg"), "cardensiel": (5, "mg"), "eliquis": (2.5, "mg"),
    "aldactone": (50, "mg"), "seroplex": (20, "mg"), "zyloric": (300, "mg"), "keppra": (1000, "mg"),
    "lovenox": (6000, "UI/0,6 ml"), "durogesic": (50, "µg/h"), "butrans": (20, "µg/h"),
}
# a drug of the same ATC level 4 given instead (class substitution)
SUBSTITUTE: dict[str, Rx] = {
    "tahor": _rx("CRESTOR", "rosuvastatine", "C10AA07", 10, "mg", "comprimé", 1, "cp", SOIR),
    "amlor": _rx("LERCAN", "lercanidipine", "C08CA13", 10, "mg", "comprimé", 1, "cp", MATIN),
    "coversyl": _rx("TRIATEC", "ramipril", "C09AA05", 5, "mg", "comprimé", 1, "cp", MATIN),
    "inexium": _rx("PANTOPRAZOLE", "pantoprazole", "A02BC02", 40, "mg", "comprimé", 1, "cp", MATIN),
    "stilnox": _rx("IMOVANE", "zopiclone", "N05CF01", 7.5, "mg", "comprimé", 1, "cp", COUCHER),
    "seroplex": _rx("DEROXAT", "paroxétine", "N06AB05", 20, "mg", "comprimé", 1, "cp", MATIN),
}
# a drug whose name looks like it (same strength and posology written)
LOOK_ALIKE: dict[str, tuple[str, str, str]] = {
    "hydroxyzine": ("HYDRALAZINE", "hydralazine", "C02DB02"),
    "prednisone": ("PREDNISOLONE", "prednisolone", "H02AB06"),
    "clobazam": ("CLONAZEPAM", "clonazépam", "N03AE01"),
    "lamictal": ("LAMISIL", "terbinafine", "D01AE15"),
}
# the immediate-release product of the same substance and strength (release-form change)
IMMEDIATE: dict[str, tuple[str, str]] = {"skenan": ("ACTISKENAN", "gélule"), "oxycontin": ("OXYNORM", "gélule")}
# the oral solution of the same drug, and the volume that gives the same amount per intake
SOLUTION: dict[str, tuple[float, float]] = {"keppra": (100, 5), "depakine": (200, 2.5)}
# the regular schedule of an as-needed line
REGULAR: dict[str, Sched] = {"doliprane_sb": TROIS_FOIS, "actiskenan_sb": EVERY_4_HOURS, "seresta_sb": TROIS}


def strength_in(rx: Rx, unit: str) -> Rx:
    """The same strength written in another unit ("1 g" ↔ "1000 mg", "0,125 mg" ↔ "125 µg")."""
    value = rx.strength * _MASS[rx.unit] / _MASS[unit]
    return replace(rx, strength=round(value, 6), unit=unit)


__all__ = ["ALT_STRENGTH", "CATALOGUE", "IMMEDIATE", "LOOK_ALIKE", "REGULAR", "SOLUTION", "SUBSTITUTE", "Rx",
           "Sched", "atc4", "category", "clinical", "daily", "differs", "fold", "mentions", "name_text",
           "plain_line", "posology_text", "route_text", "strength_in"]
