"""Posology grammar: strength, dose, frequency, duration, route, form, as-needed, status.

Each parser takes a piece of a medication line and returns contract values, or None
when nothing is written: never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recon.extract import patterns as P
from recon.models import Duration, Frequency, Medication, Quantity


def _alt(variants: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = [(canon, v) for canon, vs in variants.items() for v in vs]
    # compound units ("UI/ml", "µg/h") before simple ones, then longest first
    return sorted(pairs, key=lambda p: ("/" not in p[1], -len(p[1])))


def _unit_regex(variants: dict[str, list[str]]) -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    alts = "|".join(f"(?:{v})" for _, v in _alt(variants))
    each = {canon: re.compile(rf"^(?:{'|'.join(vs)})$", re.IGNORECASE) for canon, vs in variants.items()}
    return re.compile(alts, re.IGNORECASE), each


_STRENGTH_ALT, _STRENGTH_EACH = _unit_regex(P.STRENGTH_UNITS)
_DOSE_ALT, _DOSE_EACH = _unit_regex(P.DOSE_UNITS)

STRENGTH_RE = re.compile(
    rf"(?<![\w/,.])(?P<num>{P.NUM})\s*(?P<unit>{_STRENGTH_ALT.pattern})(?![A-Za-zÀ-ÿ])"
    rf"(?P<per>\s*/\s*(?P<pnum>\d+(?:[.,]\d+)?)\s*(?P<punit>m[lL]|g|dose)\b)?",
    re.IGNORECASE,
)
# multi-component strength: "92/55/22 µg", "50µg/0,5mg/g", "20 mg/ml + 5 mg/ml"
MULTI_STRENGTH_RE = re.compile(rf"(?<![\w,.]){P.NUM}\s*(?:/\s*{P.NUM}\s*){{1,3}}(?:µg|μg|mcg|mg)\b", re.IGNORECASE)
DOSE_RE = re.compile(
    rf"(?<![\w/,.])(?P<num>{P.DOSE_NUM}){P.ET_DEMI}[\s-]{{0,2}}(?:d[e'’]\s*)?(?:demi[- ])?(?P<unit>{_DOSE_ALT.pattern})"
    rf"(?![A-Za-zÀ-ÿ])"
    rf"(?P<half>\s*(?:et\s+)?(?:demi(?:e)?\b|½))?",
    re.IGNORECASE,
)
# a bare number before a time of day or a condition: "1 matin et soir", "1 le soir", "1 si douleur"
BARE_DOSE_RE = re.compile(
    r"(?<![\w/,.:])(?P<num>\d(?:[.,]5)?|[½¼¾]|1/2|1/4|3/4)(?P<half>\s+(?:et\s+)?demi(?:e)?)?\s+"
    r"(?=(?:le\s+|la\s+|au\s+|[àa]\s+|chaque\s+)?(?:matin|midi|soir|coucher|nuit|si\b|x\s*\d|fois\b|par\s+jour|/\s*j\b"
    r"|[àa]\s+jeun|\+|en\s+cas|toutes\s+les|tous\s+les|avant|apr[èe]s|pendant|au\s+cours|d[ée]j|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche))",
    re.IGNORECASE,
)
DOSE_MASS_RE = re.compile(
    rf"(?<![\w/,.])(?P<num>{P.NUM})\s*(?P<unit>mg|g|µg|μg|mcg|UI|U\.I\.|U|ml|mmol|mEq)(?![A-Za-zÀ-ÿ.])"
    rf"(?!\s*/(?!\s*24\s*h))"
    rf"(?!\s*/\s*(?:m[lL]|h|dose|g)\b)",
    re.IGNORECASE,
)
_FORMS = [(re.compile(rx, re.IGNORECASE), form, route) for rx, form, route in P.FORMS]
_ROUTES = [(re.compile(rx, re.IGNORECASE), route) for rx, route in P.ROUTES]
_TIMES = [(re.compile(rx, re.IGNORECASE), slot) for rx, slot in P.TIMES_OF_DAY]
_PER_DAY = [(re.compile(rx, re.IGNORECASE), kind) for rx, kind in P.PER_DAY_PATTERNS]
_STATUS = [(re.compile(rx, re.IGNORECASE), status) for rx, status in P.STATUS_CUES]
_HALF_WORDS = re.compile(r"\bet\s+demi(?:e)?\b", re.IGNORECASE)


def number(text: str) -> float | None:
    t = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if t in P.FRACTIONS:
        return P.FRACTIONS[t]
    if t.lower() in P.WORD_NUMBERS:
        return float(P.WORD_NUMBERS[t.lower()])
    if re.fullmatch(r"\d+/\d+", t):
        a, b = t.split("/")
        return int(a) / int(b) if int(b) else None
    t = re.sub(r"(?<=\d)[ ](?=\d{3}\b)", "", t).replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _canon(unit: str, table: dict[str, re.Pattern[str]]) -> str | None:
    u = " ".join(unit.split())
    for canon, rx in table.items():
        if rx.match(u):
            return canon
    return None


def _num(value: float) -> float:
    return int(value) if float(value).is_integer() else round(value, 6)


@dataclass(slots=True)
class Posology:
    strength: Quantity | None = None
    dose: Quantity | None = None
    frequency: Frequency | None = None
    duration: Duration | None = None
    route: str | None = None
    form: str | None = None
    as_needed: bool = False
    as_needed_reason: str | None = None
    status: str = "active"
    notes: list[str] = field(default_factory=list)


def parse_strength(text: str) -> Quantity | None:
    """The first strength written: '75 mg', '1 000 mg', '100 UI/ml', '2,5 mg/0,5 ml' (→ 2.5 mg)."""
    multi = MULTI_STRENGTH_RE.search(text)
    m = STRENGTH_RE.search(text)
    if multi and (m is None or multi.start() <= m.start()):
        first = re.match(rf"{P.NUM}", multi.group(0))
        unit = re.search(r"(µg|μg|mcg|mg)\s*$", multi.group(0), re.IGNORECASE)
        if first and unit:
            value = number(first.group(0))
            canon = _canon(unit.group(1), _STRENGTH_EACH)
            if value is not None and canon:
                return Quantity(value=_num(value), unit=canon, text=multi.group(0).strip())
    if not m:
        return None
    value = number(m.group("num"))
    unit = _canon(m.group("unit"), _STRENGTH_EACH)
    if value is None or unit is None:
        return None
    text_out = None
    if m.group("per"):
        pnum = number(m.group("pnum")) or 1
        text_out = m.group(0).strip()
        if unit in ("mg", "µg", "UI", "g") and m.group("punit").lower() == "ml" and pnum == 1:
            unit = f"{unit}/ml"
            text_out = None
    return Quantity(value=_num(value), unit=unit, text=text_out)


_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def bare_strength(text: str, *, atc: str | None, dose_unit: str | None) -> Quantity | None:
    """A strength written as a bare number ('75' in 'Kardégic 75 : 1 sachet'), in the usual unit of
    the drug's class for a tablet, capsule or sachet (see ``patterns.BARE_STRENGTH_UNIT_OF_ATC``);
    None when the text is not a bare number, the form is another, or the class's unit is not one.
    The caller decides that the number is a strength (the rules read it as part of the name)."""
    if not _BARE_NUMBER.fullmatch(text.strip()) or dose_unit not in P.BARE_STRENGTH_DOSE_UNITS:
        return None
    value = number(text)
    if not value:
        return None
    if not atc or len(atc) != 7:
        return None  # no single substance to know the unit of
    prefixes = [p for p in P.BARE_STRENGTH_UNIT_OF_ATC if atc.startswith(p)]
    unit = P.BARE_STRENGTH_UNIT_OF_ATC[max(prefixes, key=len)] if prefixes else P.BARE_STRENGTH_DEFAULT_UNIT
    if unit is None or value > P.BARE_STRENGTH_MAX.get(unit, float("inf")):
        return None
    return Quantity(value=_num(value), unit=unit)


def parse_dose(text: str, *, strength: Quantity | None = None, form: str | None = None,
               countable_only: bool = False, context: str | None = None) -> Quantity | None:
    """The amount taken at once: '1 cp', '½ cp', '1 cp et demi', '2 bouffées', '14 UI', '40 mg'.

    Parenthesised remarks ("(100 ml)", "(soit 15 mg/semaine)") are read last. A bare number
    before a time of day ("1 matin et soir") counts units of the ``form``. ``context`` is the whole line
    when ``text`` is a piece of it (its remarks tell what an injection holds).
    """
    bare = _PARENS.sub(lambda x: " " * len(x.group(0)), text)
    whole = text if context is None else context
    found = _dose(bare, strength, form, whole, deduce=True)
    if found is None and not countable_only:
        found = _dose(text, strength, None, whole)
    if found is not None and countable_only and _canon(found.unit, _DOSE_EACH) is None:
        return None
    return found


_PARENS = re.compile(r"\([^()]*\)")


def _dose(text: str, strength: Quantity | None, form: str | None, whole: str, *,
          deduce: bool = False) -> Quantity | None:
    m = DOSE_RE.search(text)
    mass = DOSE_MASS_RE.search(text)
    # a bare number counts units of the form written; with no form written, tablets of a strength in mass
    # units (the unit is deduced, not written: the dose's ``text`` is the number alone, see ``deduced``)
    guessed = form is None and deduce and strength is not None and strength.unit in _MASS_TO_MG
    bare = BARE_DOSE_RE.search(text) if form or guessed else None
    unit_of_form = P.DOSE_UNIT_OF_FORM.get(form or "") or ("comprimé" if guessed else None)
    first = bare is not None and all(x is None or bare.start() < x.start() for x in (m, mass))
    if bare and unit_of_form and first:
        value = number(bare.group("num"))
        if value is not None:
            value = _num(value + (0.5 if bare.group("half") else 0))
            return Quantity(value=value, unit=unit_of_form, text=f"{value:g}" if guessed else None)
    if m and (mass is None or m.start() <= mass.start() or _is_strength_echo(mass, strength)):
        value = number(m.group("num")) if m.group("num").lower() != "demi" else 0.5
        if value is not None:
            if re.match(r"(?:un|une|1)\s*demi[- ]", m.group(0), re.IGNORECASE):
                value = 0.5  # "un demi-comprimé"
            elif _HALF_WORDS.search(m.group(0)) or m.group("half"):
                value += 0.5
            unit = _canon(m.group("unit"), _DOSE_EACH)
            if unit == "injection":
                unit = _injection_unit(whole, strength, form)
            if unit:
                return Quantity(value=_num(value), unit=unit)
    if mass:
        value = number(mass.group("num"))
        unit = "UI" if mass.group("unit") == "U" else _canon(mass.group("unit"), _STRENGTH_EACH)
        if value is not None and unit:
            return Quantity(value=_num(value), unit=unit)
    return None


_PER_VOLUME = re.compile(r"/\s*\d+(?:[.,]\d+)?\s*ml\b", re.IGNORECASE)


def _injection_unit(text: str, strength: Quantity | None, form: str | None) -> str | None:
    """What '1 injection' counts: a pen's ('stylo injectable'), or a prefilled syringe when the strength is
    the content of one ('4000 UI/0,4 ml'); None otherwise (a vial, a depot: the amount is not known),
    and None when a remark writes the amount ('1 injection SC (4000 UI)')."""
    remark = _PARENS.findall(text)
    if any(DOSE_MASS_RE.search(r) for r in remark):
        return None
    if form == "stylo injectable":
        return "stylo"
    if strength is not None and strength.text and _PER_VOLUME.search(strength.text):
        return "seringue"
    return None


def deduced(quantity: Quantity | None) -> bool:
    """A dose whose unit was deduced, not written ('1-0-1', '1 le matin' with no form on the line): its
    ``text`` is what was written, a number without letters."""
    return quantity is not None and quantity.text is not None and not _LETTERS.search(quantity.text)


def deduced_dose(value: float, unit: str, written: str | None = None) -> Quantity:
    """A dose of ``value`` in a ``unit`` deduced, not written; ``written`` is the number as written."""
    return Quantity(value=_num(value), unit=unit, text=(written or f"{_num(value):g}").strip())


_LETTERS = re.compile(r"[A-Za-zÀ-ÿµ]")


def _is_strength_echo(mass: re.Match[str], strength: Quantity | None) -> bool:
    return False if strength is None else number(mass.group("num")) == strength.value


def parse_slots(text: str) -> tuple[list[float], re.Match[str]] | None:
    m = P.SLOTS.search(text)
    if not m:
        return None
    values = [number(v) for v in re.split(r"\s*-\s*", m.group(1))]
    if any(v is None for v in values) or len(values) not in (3, 4):
        return None
    if any(v is not None and v > 40 for v in values):
        return None
    return [float(v) for v in values if v is not None], m


def slot_dose(text: str, form: str | None) -> Quantity | None:
    """'½-0-½' → ½ of the form's unit (tablets, deduced, when no form is written); None when the slots
    differ ('1-0-2')."""
    vals = {number(v) for v in re.split(r"\s*-\s*", text)} - {0.0, None}
    if len(vals) != 1:
        return None
    value = vals.pop()
    if value is None:
        return None
    if form is None:
        return deduced_dose(value, "comprimé")
    unit = P.DOSE_UNIT_OF_FORM.get(form)
    return Quantity(value=_num(value), unit=unit) if unit else None


def parse_frequency(text: str, *, as_needed: bool = True) -> Frequency | None:
    """Intakes per day and times of day from the posology text.

    A maximum ("max 3/j") is the frequency of an as-needed line; on a regular line the
    regular rhythm ("matin et soir") comes first and the maximum is a fallback. Remarks in
    parentheses ("(1 fl/mois)", "(50 mg/j)") and the later steps of a schedule ("… puis 1 cp
    tous les 2 jours") are read only when the first step says nothing.
    """
    first = P.THEN.split(_PARENS.sub(lambda x: " " * len(x.group(0)), text))[0]
    for candidate in (first, text):
        freq = _parse_frequency(candidate, as_needed)
        if freq is not None:
            return freq
    return None


def _parse_frequency(text: str, as_needed: bool) -> Frequency | None:
    slots = parse_slots(text)
    if slots:
        values, m = slots
        times = [P.SLOT_ORDER[i] for i, v in enumerate(values) if v > 0]
        return Frequency(per_day=float(len(times)), times_of_day=times, text=m.group(1))  # type: ignore[arg-type]
    fallback: Frequency | None = None
    for rx, kind in _PER_DAY:
        for m in rx.finditer(text):
            freq = _frequency_of(kind, m, text)
            if freq is not None and kind == "max" and not as_needed:
                fallback = fallback or freq
                break
            if freq is not None:
                return freq
    if fallback is not None and not _times(text):
        return fallback
    times = _times(text)
    if times:
        return Frequency(per_day=float(len(times)), times_of_day=times)  # type: ignore[arg-type]
    clocks = {int(h) for h in P.CLOCK_TIME.findall(text)} or {int(h) for h in P.BARE_CLOCK.findall(text)}
    if clocks:
        return Frequency(per_day=float(len(clocks)), times_of_day=[])
    return None


def _frequency_of(kind: str, m: re.Match[str], text: str) -> Frequency | None:
    g = m.groupdict()
    if kind in ("count", "max"):
        n = number(g["n"])
        return Frequency(per_day=_num(n), times_of_day=_times(text), text=m.group(0)) if n else None  # type: ignore[arg-type]
    if kind == "interval_hours":
        h = number(g["n"])
        return Frequency(per_day=round(24 / h, 6), interval_hours=_num(h), text=m.group(0)) if h else None
    if kind == "every_days":
        d = number(g["n"])
        return Frequency(per_day=round(1 / d, 6), text=m.group(0)) if d else None
    if kind == "every_weeks":
        w = number(g["n"])
        return Frequency(per_day=round(1 / (7 * w), 6), text=m.group(0)) if w else None
    if kind == "every_months":
        mo = 1.0 if g.get("one") else number(g.get("n") or "1")
        return Frequency(per_day=round(1 / (30 * mo), 6), text=m.group(0)) if mo else None
    if kind == "one_in":
        d = number(g["m"])
        return Frequency(per_day=round(1 / d, 6), text=m.group(0)) if d else None
    if kind == "days_of_week":
        n = number(g.get("n") or g.get("n2") or "")
        return Frequency(per_day=round(n / 7, 6), times_of_day=_times(text), text=m.group(0)) if n else None  # type: ignore[arg-type]
    if kind == "per_week":
        n = 1.0 if g.get("w") else number(g.get("n") or "1")
        return Frequency(per_day=round(n / 7, 6), text=m.group(0)) if n else None
    if kind == "weekdays":
        return Frequency(per_day=round(5 / 7, 6), times_of_day=_times(text), text=m.group(0))  # type: ignore[arg-type]
    if kind == "weekday_list":
        days = {d.group(1).lower() for d in P.WEEKDAY.finditer(text)
                if not P.WEEKDAY_EXCLUDED.search(text[max(0, d.start() - 12) : d.start()])}
        if not days or P.WEEKDAY_EXCLUDED.search(text[max(0, m.start() - 12) : m.start()]):
            return None
        return Frequency(per_day=round(len(days) / 7, 6), text=m.group(0).strip())
    if kind == "single":
        return Frequency(per_day=1.0, text=m.group(0))
    if kind == "meals":
        times = _times(text)
        if times:  # "1 cp matin + soir, avant les repas": the meals say when, not how often
            return Frequency(per_day=float(len(times)), times_of_day=times, text=m.group(0))  # type: ignore[arg-type]
        return Frequency(per_day=3.0, times_of_day=["matin", "midi", "soir"], text=m.group(0))
    if kind == "clock_list":
        hours = {int(h) for h in re.findall(r"(\d{1,2})\s*h", m.group(0))}
        return Frequency(per_day=float(len(hours)), times_of_day=[], text=m.group(0)) if hours else None
    if kind == "daily":
        times = _times(text)
        return Frequency(per_day=float(max(1, len(times))), times_of_day=times, text=m.group(0))  # type: ignore[arg-type]
    return None


_MAX_UNIT_ALT = rf"(?:{P.MAX_COUNT_WORDS}|{_DOSE_ALT.pattern}|mg|g|µg|μg|mcg|UI|ml)"
_MAX_N = rf"(?P<n>{P.NUM}|une|deux|trois|quatre|cinq|six)"
MAXIMUM_RES = [
    re.compile(rf"{P.MAX_LEAD}\s*:?\s*(?:de\s+)?{_MAX_N}\s*(?P<u>{_MAX_UNIT_ALT})?(?![A-Za-zÀ-ÿ])\s*{P.MAX_PER_DAY}",
               re.IGNORECASE),
    re.compile(rf"(?<![\w/,.]){_MAX_N}\s*(?P<u>{_MAX_UNIT_ALT})?(?![A-Za-zÀ-ÿ])\s*(?:{P.MAX_PER_DAY}|par\s+jour)"
               rf"{P.MAX_AFTER}", re.IGNORECASE),
]
_MAX_COUNT = re.compile(rf"^(?:{P.MAX_COUNT_WORDS})$", re.IGNORECASE)
_MASS_TO_MG = {"µg": 0.001, "mg": 1.0, "g": 1000.0}


@dataclass(frozen=True, slots=True)
class Maximum:
    """A written maximum a day: a count of intakes ('max 6/j', '4 prises'), or an amount ('3 g', '6 cp')."""

    count: float | None
    amount: Quantity | None
    start: int
    end: int
    text: str


def parse_maximum(text: str) -> Maximum | None:
    """The first maximum a day written ('max 3 cp/j', 'sans dépasser 4 g par jour', '3 fois par jour au maximum')."""
    best: re.Match[str] | None = None
    text = P.THEN.split(text)[0]  # "… puis baisse jusqu'à 20 mg/j": a later step's target, not a maximum
    for rx in MAXIMUM_RES:
        m = rx.search(text)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    n = number(best.group("n"))
    if not n:
        return None
    unit_text = best.group("u")
    count: float | None = None
    amount: Quantity | None = None
    if unit_text is None or _MAX_COUNT.match(unit_text.strip()) or _canon(unit_text, _DOSE_EACH) == "injection":
        count = _num(n)
    else:
        unit = _canon(unit_text, _DOSE_EACH) or _canon(unit_text, _STRENGTH_EACH)
        if unit is None:
            return None
        amount = Quantity(value=_num(n), unit=unit)
    return Maximum(count, amount, best.start(), best.end(), best.group(0).strip())


def without_maximum(text: str) -> str:
    """The text with its maximum a day blanked out (same length), so that a rhythm is read apart from it."""
    for rx in MAXIMUM_RES:
        text = rx.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _intakes(amount: Quantity, dose: Quantity | None, strength: Quantity | None) -> float | None:
    """How many intakes of ``dose`` a maximum amount a day allows ('max 6 cp/j' of 2 cp → 3), None when unknown."""
    if dose is None or not dose.value:
        return amount.value if _canon(amount.unit, _DOSE_EACH) else None
    if amount.unit == dose.unit:
        return _num(round(amount.value / dose.value, 6))
    if amount.unit in _MASS_TO_MG and dose.unit in _MASS_TO_MG:
        return _num(round(amount.value * _MASS_TO_MG[amount.unit] / (dose.value * _MASS_TO_MG[dose.unit]), 6))
    if (amount.unit in _MASS_TO_MG and strength is not None and strength.unit in _MASS_TO_MG and strength.value
            and _canon(dose.unit, _DOSE_EACH)):
        per_intake = dose.value * strength.value * _MASS_TO_MG[strength.unit]
        return _num(round(amount.value * _MASS_TO_MG[amount.unit] / per_intake, 6))
    return None


def apply_maximum(frequency: Frequency | None, text: str, *, dose: Quantity | None, strength: Quantity | None,
                  as_needed: bool) -> Frequency | None:
    """The frequency with the maximum a day written in ``text`` (``max_per_day``, ``max_dose``).

    On an as-needed line the maximum is the line's ``per_day`` (as the gold format asks): 'max 6/j' → 6,
    '2 cp si douleur, max 6 cp/j' → 3, '1 g si douleur, max 3 g/j' → 3. On a regular line the rhythm
    read apart from the maximum stays ``per_day`` ('1 cp matin et soir, max 4/j' → 2); the maximum is
    ``per_day`` only when no rhythm is written. ``frequency`` is what was read with the maximum blanked out.
    """
    mx = parse_maximum(text)
    if mx is None:
        return frequency
    per = mx.count if mx.count is not None else _intakes(mx.amount, dose, strength) if mx.amount else None
    per = float(per) if per is not None else None
    update: dict[str, object] = {"max_per_day": per, "max_dose": mx.amount}
    if frequency is None:
        return Frequency(per_day=per, text=mx.text, max_per_day=per, max_dose=mx.amount)
    if as_needed and per is not None:
        update["per_day"] = per
    return frequency.model_copy(update=update)


def _times(text: str) -> list[str]:
    text = P.SAME_INTAKE.sub(lambda m: _same_intake(m.group(0)), text)
    found: list[tuple[int, str]] = []
    for rx, slot in _TIMES:
        m = rx.search(text)
        if m:
            found.append((P.SLOT_ORDER.index(slot) if slot in P.SLOT_ORDER else 9, slot))
    return [slot for _, slot in sorted(set(found))]


def _same_intake(text: str) -> str:
    """'le soir au coucher' → 'coucher'; 'le matin à jeun' → 'matin'."""
    low = text.lower()
    if "coucher" in low:
        return "coucher"
    for word in ("matin", "midi", "soir"):
        if word in low:
            return word
    return text


def parse_duration(text: str) -> Duration | None:
    """How long the treatment lasts: 'pendant 10 jours', 'pdt 5 j, puis … pdt 5 j' (10 days), 'x 48 h',
    'dose unique' (1 day). Prescription lengths ('QSP 3 mois') are not durations."""
    if not text:
        return None
    steps: list[tuple[re.Match[str], float, str, float]] = []
    for m in P.DURATION.finditer(text):
        prefix = text[max(0, m.start() - 12) : m.start()]
        if P.PRESCRIPTION_LENGTH.search(prefix + m.group(0)):
            continue
        word = m.group("n").lower()
        n = float(P.DURATION_WORDS[word]) if word in P.DURATION_WORDS else number(word)
        unit_word = m.group("u").lower()
        if n is None or unit_word not in P.DURATION_UNITS:
            continue
        unit, days = P.DURATION_UNITS[unit_word]
        if days < 1:  # hours: only whole days, and never "sur 24 h" (a rate)
            if n % 24 or m.group(0).lower().startswith("sur"):
                continue
            n, days = n / 24, 1
        steps.append((m, n, unit, days))
        break  # a tapering schedule's duration is its first step's (the dose written is the first step's)
    if not steps:
        single = P.SINGLE_DOSE.search(text)
        if single:
            return Duration(value=1, unit="day", days=1, text=single.group(0))
        for m in P.BARE_DURATION.finditer(text):
            if P.NOT_A_DURATION_BEFORE.search(text[max(0, m.start() - 25) : m.start() + 1]):
                continue
            n = number(m.group("n"))
            unit, days = P.DURATION_UNITS[m.group("u").lower()]
            if n:
                return Duration(value=_num(n), unit=unit, days=_num(n * days), text=m.group(0).strip(" -–,;("))  # type: ignore[arg-type]
        return None
    if len(steps) == 1:
        m, n, unit, days = steps[0]
        return Duration(value=_num(n), unit=unit, days=_num(n * days), text=m.group(0).strip())  # type: ignore[arg-type]
    total = sum(n * days for _, n, _, days in steps)
    text_out = text[steps[0][0].start() : steps[-1][0].end()].strip()
    return Duration(value=_num(total), unit="day", days=_num(total), text=text_out)


_RELEASE_ONLY = "release"
_PARENTERAL = re.compile(r"\binjections?\b|\binj\b|\bI\.?M\.?\b|\bS\.?C\.?\b|\bI\.?V\.?\b|intramusculaire"
                         r"|sous[- ]cutan|intraveineu", re.IGNORECASE)
_RELEASED = {"comprimé": "comprimé à libération prolongée", "gélule": "gélule à libération prolongée"}


def parse_form(text: str, *, context: str = "") -> tuple[str | None, str | None]:
    """(canonical form, implied route) of the first form word written.

    A release marker ("LP", "LM", "à libération prolongée") goes with the form written beside it:
    "SKENAN LP 30 mg gélule" is a "gélule à libération prolongée", "TRAMADOL LP … 1 cp" a "comprimé à
    libération prolongée"; alone it reads as a prolonged-release tablet, unless the line (``text``, then
    ``context``: the rest of the line) tells an injection ("DECAPEPTYL LP … 1 injection IM": no form).
    """
    found = _first_form(text)
    if found is None or found[0] != _RELEASE_ONLY:
        return found or (None, None)
    base = _first_form(_RELEASE_RE.sub(" ", text)) or _first_form(_RELEASE_RE.sub(" ", context))
    if base is not None and base[0] != _RELEASE_ONLY:
        return (_RELEASED.get(base[0], base[0]), base[1])
    if _PARENTERAL.search(text) or _PARENTERAL.search(context):
        return None, None
    return "comprimé à libération prolongée", "orale"


_RELEASE_RE = re.compile(P.RELEASE_MARKER, re.IGNORECASE)


def _first_form(text: str) -> tuple[str, str | None] | None:
    best: tuple[int, str, str | None] | None = None
    subtype: tuple[str, str | None] | None = None
    for rx, form, route in _FORMS:
        m = rx.search(text)
        if m is None:
            continue
        if rx.pattern == P.RELEASE_MARKER:
            form = _RELEASE_ONLY
        if best is None or m.start() < best[0]:
            best = (m.start(), form, route)
        if (form.startswith("comprimé ") or form == _RELEASE_ONLY) and subtype is None:
            subtype = (form, route)
    if best and best[1] == "comprimé" and subtype:  # "cp orodispersible", "cp … LP"
        return ("comprimé à libération prolongée", subtype[1]) if subtype[0] == _RELEASE_ONLY else subtype
    if best and best[1] == "gélule" and subtype and subtype[0] == _RELEASE_ONLY:  # "gélule … LP"
        return "gélule à libération prolongée", best[2]
    return (best[1], best[2]) if best else None


def parse_route(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for rx, route in _ROUTES:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), route)
    return best[1] if best else None


def parse_as_needed(text: str) -> tuple[bool, str | None]:
    """'si besoin', 'SB', 'si douleur', 'max 3/j si…'; a cue inside parentheses is a remark, not a condition."""
    m = None
    for cand in P.AS_NEEDED.finditer(text):
        before = text[: cand.start()]
        if before.count("(") > before.count(")"):
            continue
        m = cand
        break
    if not m:
        return False, None
    tail = text[m.start() :]
    reason = re.split(r"[,;|)(]|\s{2,}|\bmax", tail)[0].strip()
    return True, reason or m.group(0)


def status_cue_start(text: str) -> int | None:
    """Where the first status cue that counts begins (None when the line states none)."""
    best: int | None = None
    for rx, _status in _STATUS:
        for m in rx.finditer(text):
            if P.STATUS_NOT_AFTER.search(text[: m.start()]):
                continue
            best = m.start() if best is None else min(best, m.start())
            break
    return best


def parse_status(text: str) -> str:
    """The status a line states; cues after 'puis', 'ne pas', 'au' ('au nouveau palier') do not count."""
    best: tuple[int, str] | None = None
    for rx, status in _STATUS:
        for m in rx.finditer(text):
            before = text[: m.start()]
            if P.STATUS_NOT_AFTER.search(before):
                continue
            if status == "new" and (P.NEW_PAST.search(text[m.end() :]) or P.NEW_REMARK.search(before)):
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), status)
            break
    return best[1] if best else "active"


# -- repeats -----------------------------------------------------------------------------------------
def same_quantity(a: Quantity | None, b: Quantity | None, *, units: bool = True) -> bool:
    """Both unknown, or the same amount ('1 g' is '1000 mg'); ``units`` False compares the values only."""
    if a is None or b is None:
        return a is b
    if a.unit in _MASS_TO_MG and b.unit in _MASS_TO_MG:
        return abs(a.value * _MASS_TO_MG[a.unit] - b.value * _MASS_TO_MG[b.unit]) <= 1e-9 * max(1.0, a.value)
    return abs(a.value - b.value) <= 1e-9 * max(1.0, a.value) and (not units or a.unit == b.unit)


def has_posology(med: Medication) -> bool:
    return med.dose is not None or med.frequency is not None


def is_repeat(first: Medication, later: Medication) -> bool:
    """Whether ``later`` (the same drug) restates ``first``: one entry, not two prescriptions.

    A mention without any posology of its own ("arrêt du Kardégic", a name in a justification) is a
    repeat; so is the same line restated (same strength, dose, frequency and as-needed; what one of them
    leaves unwritten does not differ), and a later line that says the posology changed ("réduite"). A
    line with another strength or another posology is its own medication ("LASILIX 40 mg : 1 cp le
    matin" and "FUROSEMIDE 40 mg : 2 cp le midi").
    """
    if first.strength is not None and later.strength is not None and not same_quantity(first.strength,
                                                                                       later.strength):
        return False
    if not has_posology(first) or not has_posology(later):
        return True
    if P.CHANGE_CUE.search(later.text):  # "… : 18 UI le soir - réduite": the same prescription, changed
        return True
    if first.as_needed != later.as_needed:
        return False
    if first.dose is not None and later.dose is not None and not same_quantity(
            first.dose, later.dose, units=not (deduced(first.dose) or deduced(later.dose))):
        return False
    fa, fb = first.frequency, later.frequency
    if fa is not None and fb is not None:
        if fa.per_day is not None and fb.per_day is not None and abs(fa.per_day - fb.per_day) > 1e-6:
            return False
        if fa.times_of_day and fb.times_of_day and fa.times_of_day != fb.times_of_day:
            return False
    return True
