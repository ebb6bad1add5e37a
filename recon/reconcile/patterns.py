"""Vocabulary of the comparison, as data: release profiles of a product and the words that name them.

A product's release profile is part of what the patient takes: a prolonged-release morphine is not an
immediate-release one, a premixed (biphasic) insulin is not a rapid one, although the substance is the same.
"""

from __future__ import annotations

import re

# profile → words that name it in a drug name, a form or a line ("SKENAN LP", "gélule à libération prolongée",
# "NOVOMIX 30", "HUMALOG MIX 25", "insuline lispro biphasique")
RELEASE_PROFILES: dict[str, re.Pattern[str]] = {
    "libération prolongée": re.compile(
        r"\b(?:LP|LM|L\.P\.|XL|SR|CR|XR|retard|chrono|lib[ée]ration\s+(?:prolong[ée]e|modifi[ée]e|retard[ée]e))\b",
        re.IGNORECASE),
    "biphasique": re.compile(r"\b(?:mix|biphasique|premix|novomix|humalogmix)\b|\bmix\s*\d{2}\b", re.IGNORECASE),
}
# immediate-release products whose name says so (a brand of the prolonged one also exists)
IMMEDIATE_RELEASE_NAMES = re.compile(r"\b(?:actiskenan|oramorph|sevredol|oxynormoro|oxynorm)\b", re.IGNORECASE)

# units of a rate (continuous delivery, e.g. a transdermal patch): amount per hour or per day
RATE_HOURLY = {"µg/h": 1e-3, "mg/h": 1.0}
RATE_DAILY = {"mg/24h": 1.0, "µg/24h": 1e-3}
# units of a concentration, in mg/ml (w/v); "%" of a cream is w/w and compared as mg/ml
CONCENTRATION = {"%": 10.0, "mg/ml": 1.0, "µg/ml": 1e-3, "g/l": 1.0, "mg/l": 1e-3, "g/ml": 1000.0,
                 "g/100 ml": 10.0, "mg/g": 1.0, "µg/g": 1e-3}
UNITS_PER_ML = {"UI/ml": 1.0}

__all__ = ["CONCENTRATION", "IMMEDIATE_RELEASE_NAMES", "RATE_DAILY", "RATE_HOURLY", "RELEASE_PROFILES",
           "UNITS_PER_ML"]
