"""Posology grammar: strength, dose, frequency, duration, route, form, as-needed, status.

Each parser takes a piece of a medication line and returns contract values, or None
when nothing is written: never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recon.extract import patterns as P
from recon.models import Duration, Frequency, Quantity


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
    rf"(?<![\w/,.])(?P<num>{P.NUM}){P.ET_DEMI}\s*(?P<unit>{_DOSE_ALT.pattern})(?![A-Za-zÀ-ÿ])",
    re.IGNORECASE,
)
DOSE_MASS_RE = re.compile(
    rf"(?<![\w/,.])(?P<num>{P.NUM})\s*(?P<unit>mg|g|µg|μg|mcg|UI|U\.I\.|ml|mmol|mEq)(?![A-Za-zÀ-ÿ/])"
    rf"(?!\s*/\s*(?:m[lL]|h|24|dose|g)\b)",
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


def parse_dose(text: str, *, strength: Quantity | None = None) -> Quantity | None:
    """The amount taken at once: '1 cp', '½ cp', '1 cp et demi', '2 bouffées', '14 UI', '40 mg'."""
    m = DOSE_RE.search(text)
    mass = DOSE_MASS_RE.search(text)
    if m and (mass is None or m.start() <= mass.start() or _is_strength_echo(mass, strength)):
        value = number(m.group("num"))
        if value is not None:
            if _HALF_WORDS.search(m.group(0)):
                value += 0.5
            unit = _canon(m.group("unit"), _DOSE_EACH)
            if unit:
                return Quantity(value=_num(value), unit=unit)
    if mass:
        value = number(mass.group("num"))
        unit = _canon(mass.group("unit"), _STRENGTH_EACH)
        if value is not None and unit:
            return Quantity(value=_num(value), unit=unit)
    return None


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


def parse_frequency(text: str) -> Frequency | None:
    """Intakes per day and times of day from the posology text."""
    slots = parse_slots(text)
    if slots:
        values, m = slots
        times = [P.SLOT_ORDER[i] for i, v in enumerate(values) if v > 0]
        return Frequency(per_day=float(len(times)), times_of_day=times, text=m.group(1))  # type: ignore[arg-type]
    lowered = text
    for rx, kind in _PER_DAY:
        m = rx.search(lowered)
        if not m:
            continue
        if kind == "count":
            n = number(m.group("n"))
            if n:
                return Frequency(per_day=_num(n), times_of_day=_times(text), text=m.group(0))
        elif kind == "interval_hours":
            h = number(m.group("n"))
            if h:
                return Frequency(per_day=_num(24 / h), interval_hours=_num(h), text=m.group(0))
        elif kind == "every_days":
            d = number(m.group("n"))
            if d:
                return Frequency(per_day=round(1 / d, 6), text=m.group(0))
        elif kind == "one_in":
            d = number(m.group("m"))
            if d:
                return Frequency(per_day=round(1 / d, 6), text=m.group(0))
        elif kind == "per_week":
            n = 1.0 if m.groupdict().get("w") else number(m.group("n") or "1")
            if n:
                return Frequency(per_day=round(n / 7, 6), text=m.group(0))
        elif kind == "weekdays":
            return Frequency(per_day=round(5 / 7, 6), times_of_day=_times(text), text=m.group(0))
        elif kind == "daily":
            times = _times(text)
            return Frequency(per_day=float(max(1, len(times))), times_of_day=times, text=m.group(0))
    times = _times(text)
    if times:
        return Frequency(per_day=float(len(times)), times_of_day=times)
    clocks = {int(h) for h in P.CLOCK_TIME.findall(text)}
    if clocks:
        return Frequency(per_day=float(len(clocks)), times_of_day=[])
    return None


def _times(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for rx, slot in _TIMES:
        m = rx.search(text)
        if m:
            found.append((P.SLOT_ORDER.index(slot) if slot in P.SLOT_ORDER else 9, slot))
    return [slot for _, slot in sorted(set(found))]


def parse_duration(text: str) -> Duration | None:
    if not text:
        return None
    for m in P.DURATION.finditer(text):
        prefix = text[max(0, m.start() - 12) : m.start()]
        if P.PRESCRIPTION_LENGTH.search(prefix + m.group(0)):
            continue
        n = number(m.group("n"))
        unit_word = m.group("u").lower()
        unit_word = {"m": "m"}.get(unit_word, unit_word)
        if n is None or unit_word not in P.DURATION_UNITS:
            continue
        unit, days = P.DURATION_UNITS[unit_word]
        return Duration(value=_num(n), unit=unit, days=_num(n * days), text=m.group(0).strip())  # type: ignore[arg-type]
    return None


def parse_form(text: str) -> tuple[str | None, str | None]:
    """(canonical form, implied route) of the first form word written."""
    best: tuple[int, str, str | None] | None = None
    for rx, form, route in _FORMS:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), form, route)
    return (best[1], best[2]) if best else (None, None)


def parse_route(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for rx, route in _ROUTES:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), route)
    return best[1] if best else None


def parse_as_needed(text: str) -> tuple[bool, str | None]:
    m = P.AS_NEEDED.search(text)
    if not m:
        return False, None
    tail = text[m.start() :]
    reason = re.split(r"[,;|)(]|\s{2,}|\bmax", tail)[0].strip()
    return True, reason or m.group(0)


def parse_status(text: str) -> str:
    best: tuple[int, str] | None = None
    for rx, status in _STATUS:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), status)
    return best[1] if best else "active"
