"""Clinical-safety mutation suite: ``python -m eval safety [--out eval/results/safety.md] [--quick]``.

Pairs of fictional documents — BEFORE, a GP's ordonnance (the usual treatment), and AFTER, a hospital
prescription — made from one another by ONE controlled change to one line (a strength, a dose, a
frequency, weekly ↔ daily, as-needed ↔ regular, a patch rate, insulin units, a route, a form, a silent
removal, a written stop or suspension, a class substitution, a look-alike name, a duplicate, and
changes of writing only: brand ↔ DCI, "1 g" ↔ "1000 mg", "0,125 mg" ↔ "125 µg", reordered lines), each
written in several layouts (plain lines, a pipe table, space-separated columns, a PDF), run through
Recon's public door and scored against what the change should give:

1. dangerous unchanged: report lines "unchanged" (and not to review) whose two lines differ by
   construction in substance, release, strength, form, route, dose, rhythm, daily dose or as-needed;
2. lines lost: a line of either document not extracted, or on no report line;
3. silent omissions flagged (``omission`` and ``needs_review``); 4. duplicates flagged;
5. daily doses exact (patches, oral solutions, injectables, insulins, weekly drugs, as-needed maxima),
   by ``recon.reconcile.compare.daily_dose`` and on the changes of the mutated lines;
6. false form/route changes on lines whose form and route are equal by construction;
7. status accuracy per mutation kind and layout.

Everything is written here (drugs in ``eval/safety_catalogue.py``); nothing is read from the dev set.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eval.safety_catalogue import (
    ALT_STRENGTH,
    CATALOGUE,
    COUNTABLE,
    IMMEDIATE,
    LOOK_ALIKE,
    MATIN,
    MATIN_SOIR,
    REGULAR,
    SOLUTION,
    SUBSTITUTE,
    TROIS,
    Rx,
    Sched,
    atc4,
    category,
    daily,
    differs,
    mentions,
    name_text,
    plain_line,
    posology_text,
    route_text,
)

ROOT = Path(__file__).resolve().parents[1]
# "pdf": the plain lines as a PDF; "pdf-columns": the columns as a PDF, each cell placed at its column;
# "mixed": BEFORE in plain lines, AFTER in space-separated columns
LAYOUTS = ("plain", "pipe", "columns", "pdf", "pdf-columns", "mixed")
SECTION_MARK = "§"  # a note so marked is written in a "Traitements arrêtés" section, not on the line
STOP_REASONS = ("hypotension", "insuffisance rénale aiguë", "hypokaliémie", "chute à domicile", "bradycardie",
                "saignement digestif", "cytolyse hépatique", "confusion")

# --------------------------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Kind:
    """One kind of controlled change: what it needs, what it does, what Recon should say."""

    name: str
    make: Callable[[str, Rx, int], tuple[Rx | None, list[Rx]]]  # (key, line, variant) → BEFORE line, AFTER lines
    accept: frozenset[str]          # statuses of the mutated line counted right
    core: frozenset[str]            # clinical facts that must differ (empty: a change of writing only)
    allowed: frozenset[str] = frozenset()  # facts that may differ too
    needs: Callable[[str, Rx], bool] = lambda key, rx: True
    review_ok: bool = False         # "unchanged" with needs_review is right (a missing dose, a look-alike)
    swap: bool = True               # odd variants run the change the other way round (AFTER → BEFORE)


def _tag(tag: str) -> Callable[[str, Rx], bool]:
    return lambda key, rx: tag in rx.tags


def _same(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, [rx]


def _strength(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    value, unit = ALT_STRENGTH[key]
    return rx, [replace(rx, strength=value, unit=unit)]


def _dose(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    assert rx.dose is not None
    new = rx.dose * 1.5 if rx.dose_unit == "ml" else (2.0 if rx.dose == 1 else 1.0)
    return rx, [replace(rx, dose=new)]


def _frequency(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    per_day = rx.sched.per_day
    sched = MATIN_SOIR if per_day == 1 else (TROIS if per_day == 2 else MATIN_SOIR)
    return rx, [replace(rx, sched=sched)]


def _daily(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, [replace(rx, sched=MATIN)]


def _regular(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, [replace(rx, sched=REGULAR[key], as_needed="", max_text="", max_daily=None, max_count=None)]


def _insulin(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    assert rx.dose is not None
    return rx, [replace(rx, dose=rx.dose + max(2, round(rx.dose * 0.3)))]


def _route(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    assert rx.dose is not None
    mg = rx.strength * rx.dose * (1000 if rx.unit == "g" else 1)
    return rx, [replace(rx, form="solution injectable", route="IV", dose=mg, dose_unit="mg")]


def _form(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    conc, volume = SOLUTION[key]
    return rx, [replace(rx, strength=conc, unit="mg/ml", form="solution buvable", dose=volume, dose_unit="ml")]


def _removal(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, []


def _stop(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    reason = STOP_REASONS[v % len(STOP_REASONS)]
    if v % 3 == 2:  # in a section of stopped drugs after the prescription
        return rx, [rx.stopped(f"{SECTION_MARK}arrêt : {reason}")]
    return rx, [rx.stopped(f"arrêt : {reason}" if v % 2 == 0 else f"arrêt (cause : {reason})")]


def _suspend(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    reason = STOP_REASONS[(v + 3) % len(STOP_REASONS)]
    return rx, [rx.stopped(f"suspendu : {reason}" if v % 2 == 0 else f"suspendu pendant l'hospitalisation ({reason})")]


def _substitute(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, [SUBSTITUTE[key]]


def _look_alike(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    anchor, substance, atc = LOOK_ALIKE[key]
    return rx, [replace(rx, anchor=anchor, substance=substance, atc=atc, dci_name="", tags=frozenset())]


def _duplicate(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    other = _frequency(key, rx, v)[1][0] if rx.sched.per_day in (1, 2) else _dose(key, rx, v)[1][0]
    return rx, [rx, replace(other, anchor=rx.dci_name)]


def _brand_dci(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, [replace(rx, anchor=rx.dci_name)]


def _unit(from_unit: str, to_unit: str) -> Callable[[str, Rx, int], tuple[Rx, list[Rx]]]:
    from eval.safety_catalogue import strength_in

    def make(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
        return rx, [strength_in(rx, to_unit if rx.unit == from_unit else from_unit)]
    return make


# the same schedule in other words
REWRITE = {"le matin": "1 fois par jour, le matin", "le soir": "1 fois par jour, le soir",
           "le midi": "1 fois par jour, à midi", "au coucher": "1 fois par jour, au coucher",
           "matin et soir": "2 fois par jour", "matin, midi et soir": "3 fois par jour",
           "3 fois par jour": "matin, midi et soir", "le lundi, une fois par semaine": "une fois par semaine, le lundi",
           "tous les 3 jours": "toutes les 72 heures", "à changer une fois par semaine": "à changer tous les 7 jours",
           "toutes les 4 heures": "6 fois par jour"}


def _rewrite(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    return rx, [replace(rx, sched=Sched(REWRITE[rx.sched.text], rx.sched.per_day, rx.sched.weekly))]


def _dose_in_mg(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    """'1 cp' of 40 mg written '40 mg'."""
    assert rx.dose is not None
    mg = rx.dose * rx.strength * {"mg": 1.0, "g": 1000.0, "µg": 1e-3}[rx.unit]
    return rx, [replace(rx, dose=round(mg, 6), dose_unit="mg")]


def _release(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    anchor, form = IMMEDIATE[key]
    return rx, [replace(rx, anchor=anchor, release="", form=form, dose_unit="gélule" if form == "gélule" else "cp")]


def _dose_missing(key: str, rx: Rx, v: int) -> tuple[Rx, list[Rx]]:
    base = replace(rx, dose=2.0) if rx.dose_unit in COUNTABLE and v % 4 >= 2 else rx  # "2 cp le soir" → "le soir"
    return base, [replace(base, dose=None)]


def _plain_dose(key: str, rx: Rx) -> bool:
    return rx.dose is not None and not rx.as_needed and rx.dose_unit in (*COUNTABLE, "ml", "UI")


_DOSE_FACTS = frozenset({"per_intake", "daily"})
KINDS: tuple[Kind, ...] = (
    Kind("strength", _strength, frozenset({"modified"}), frozenset({"strength"}), _DOSE_FACTS,
         lambda k, rx: k in ALT_STRENGTH and rx.form != "patch"),
    Kind("dose", _dose, frozenset({"modified"}), _DOSE_FACTS, needs=_tag("dose")),
    Kind("frequency", _frequency, frozenset({"modified"}), frozenset({"per_day", "daily"}), needs=_tag("frequency")),
    Kind("weekly ↔ daily", _daily, frozenset({"modified"}), frozenset({"per_day", "daily"}), needs=_tag("weekly")),
    Kind("as-needed ↔ regular", _regular, frozenset({"modified"}), frozenset({"as_needed"}),
         frozenset({"per_day", "daily"}), _tag("as_needed")),
    Kind("patch rate", _strength, frozenset({"modified"}), frozenset({"strength"}), _DOSE_FACTS, _tag("patch")),
    Kind("insulin units", _insulin, frozenset({"modified"}), _DOSE_FACTS, needs=_tag("insulin")),
    Kind("route PO → IV", _route, frozenset({"modified"}), frozenset({"route", "form"}), needs=_tag("route")),
    Kind("form cp → solution", _form, frozenset({"modified"}), frozenset({"form", "strength"}), needs=_tag("form")),
    Kind("silent removal", _removal, frozenset({"stopped"}), frozenset(), swap=False),
    Kind("written stop", _stop, frozenset({"stopped"}), frozenset({"status"}), frozenset({"daily"}), swap=False),
    Kind("suspension", _suspend, frozenset({"suspended"}), frozenset({"status"}), frozenset({"daily"}), swap=False),
    Kind("class substitution", _substitute, frozenset({"substituted"}), frozenset({"substance"}),
         frozenset({"strength", "form", "per_intake", "daily"}), _tag("substitution")),
    Kind("look-alike name", _look_alike, frozenset({"stopped", "substituted", "modified"}),
         frozenset({"substance"}), needs=_tag("look_alike"), review_ok=True, swap=False),
    Kind("duplicate", _duplicate, frozenset({"unchanged", "modified"}), frozenset(),
         needs=lambda k, rx: bool(rx.dci_name) and _plain_dose(k, rx) and rx.form != "patch", swap=False),
    Kind("brand ↔ DCI", _brand_dci, frozenset({"unchanged"}), frozenset(), needs=lambda k, rx: bool(rx.dci_name)),
    Kind("1 g ↔ 1000 mg", _unit("mg", "g"), frozenset({"unchanged"}), frozenset(), needs=_tag("g_mg")),
    Kind("0,125 mg ↔ 125 µg", _unit("µg", "mg"), frozenset({"unchanged"}), frozenset(), needs=_tag("mg_ug")),
    Kind("posology rewritten", _rewrite, frozenset({"unchanged"}), frozenset(),
         needs=lambda k, rx: rx.sched.text in REWRITE and not rx.as_needed and not rx.note),
    Kind("dose count ↔ mg", _dose_in_mg, frozenset({"unchanged"}), frozenset(),
         needs=lambda k, rx: rx.dose_unit in ("cp", "gélule") and rx.unit in ("mg", "g", "µg")
         and rx.dose is not None and rx.dose * rx.strength >= 1),
    Kind("reordered lines", _same, frozenset({"unchanged"}), frozenset(), swap=False),
    Kind("release LP → immediate", _release, frozenset({"modified", "substituted"}), frozenset({"release"}),
         frozenset({"form"}), _tag("release")),
    Kind("dose missing", _dose_missing, frozenset({"modified"}), frozenset({"dose_written"}), _DOSE_FACTS,
         _plain_dose, review_ok=True),
    Kind("identical (control)", _same, frozenset({"unchanged"}), frozenset(), swap=False),
)
KIND_BY_NAME = {k.name: k for k in KINDS}

# ------------------------------------------------------------------------------------------------- pairs


@dataclass
class Pair:
    id: str
    kind: str
    layout: str
    before: list[Rx]
    after: list[Rx]
    target_b: int | None            # index of the mutated line in BEFORE
    target_a: list[int]             # indices of its line(s) in AFTER (none: removed)
    header: dict[str, str] = field(default_factory=dict)

    @property
    def expected_pairs(self) -> list[tuple[int, int]]:
        """(BEFORE index, AFTER index) of the lines expected on one report line (the mutated one first)."""
        out = []
        if self.target_b is not None and self.target_a:
            out.append((self.target_b, self.target_a[0]))
        used_b = {self.target_b}
        used_a = set(self.target_a)
        for i, rx in enumerate(self.before):
            if i in used_b:
                continue
            j = next(j for j, ra in enumerate(self.after) if j not in used_a and ra == rx)
            used_a.add(j)
            out.append((i, j))
        return out


_PEOPLE = ("Claire Fontaine", "Julien Marchetti", "Agnès Roussel", "Thierry Vasseur", "Nadia Belkacem",
           "Hélène Garnier", "Paul-Henri Delorme", "Sophie Lambertin")
_PATIENTS = (("Mme", "Odile", "PERRIN", "12/05/1941"), ("M.", "Roger", "TISSERAND", "03/11/1938"),
             ("Mme", "Yvette", "CAMBON", "27/01/1946"), ("M.", "Marcel", "LEFRANC", "19/08/1950"),
             ("Mme", "Jacqueline", "ROBIN", "08/03/1935"), ("M.", "Ahmed", "SAIDI", "14/06/1944"))
_HOSPITALS = ("Centre hospitalier de Valbrune", "Hôpital Saint-Aubert", "CHU de Montclair")
_SERVICES = ("médecine interne", "gériatrie aiguë", "cardiologie", "pneumologie")


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("/".join(map(str, parts)).encode("utf-8")))


def _compatible(rx: Rx, chosen: list[Rx]) -> bool:
    for other in chosen:
        if rx.substance == other.substance or atc4(rx) == atc4(other):
            return False
        names = [rx.anchor, rx.dci_name] if rx.dci_name else [rx.anchor]
        others = [other.anchor, other.dci_name] if other.dci_name else [other.anchor]
        if any(mentions(o, n) or mentions(n, o) for n in names for o in others):
            return False
    return True


def make_pair(kind: Kind, layout: str, n: int) -> Pair:
    rng = _rng(kind.name, layout, n)
    eligible = sorted(k for k, rx in CATALOGUE.items() if kind.needs(k, rx))
    if kind.name in ("reordered lines", "identical (control)"):
        key = None
        target_b: Rx | None = None
        after_t: list[Rx] = []
        chosen: list[Rx] = []
        size = rng.randint(4, 8)
    else:
        key = eligible[n % len(eligible)]
        target_b, after_t = kind.make(key, CATALOGUE[key], n)
        assert target_b is not None
        chosen = [target_b, *after_t]
        size = rng.randint(3, 7)
    others: list[Rx] = []
    pool = sorted(CATALOGUE)
    rng.shuffle(pool)
    for k in pool:
        if len(others) >= size:
            break
        if k != key and _compatible(CATALOGUE[k], [*chosen, *others]):
            others.append(CATALOGUE[k])
    pos = rng.randint(0, len(others))
    swap = kind.swap and n % 2 == 1
    if target_b is None:
        before, after = list(others), list(others)
        tb, ta = None, []
        if kind.name == "reordered lines":
            while after == before:
                rng.shuffle(after)
    elif swap:  # the change the other way round: the changed line is the usual one
        assert len(after_t) == 1
        before = others[:pos] + after_t + others[pos:]
        after = [*others[:pos], target_b, *others[pos:]]
        tb, ta = pos, [pos]
    else:
        before = [*others[:pos], target_b, *others[pos:]]
        after = others[:pos] + after_t + others[pos:]
        tb, ta = pos, list(range(pos, pos + len(after_t)))
    civ, first, last, dob = rng.choice(_PATIENTS)
    header = {"gp": rng.choice(_PEOPLE), "doctor": rng.choice(_PEOPLE), "hospital": rng.choice(_HOSPITALS),
              "service": rng.choice(_SERVICES), "patient": f"{civ} {first} {last}", "dob": dob,
              "day": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025"}
    slug = kind.name.split()[0].strip(",").lower()
    return Pair(f"{slug}-{layout}-{n}", kind.name, layout, before, after, tb, ta, header)


def generate(*, quick: bool = False, variants: int = 4) -> list[Pair]:
    """The suite: each kind in each layout, ``variants`` times (quick: each kind in three layouts, once)."""
    pairs = []
    for ki, kind in enumerate(KINDS):
        if quick:
            for j in range(3):
                li = (ki + j) % len(LAYOUTS)
                pairs.append(make_pair(kind, LAYOUTS[li], ki + j))
        else:
            for v in range(variants):
                for li, layout in enumerate(LAYOUTS):
                    pairs.append(make_pair(kind, layout, v * len(LAYOUTS) + li))
    return pairs


# ---------------------------------------------------------------------------------------------- documents


def body(lines: list[Rx], layout: str) -> list[str]:
    """The lines of a prescription in a layout; lines stopped in a section come after it, under a title."""
    section = [rx for rx in lines if rx.note.startswith(SECTION_MARK)]
    lines = [rx for rx in lines if rx not in section]
    tail = ["", "Traitements arrêtés :", *(f"- {name_text(rx)} ({rx.note.split(':', 1)[1].strip()})"
                                          for rx in section)] if section else []
    return _body(lines, layout) + tail


def _body(lines: list[Rx], layout: str) -> list[str]:
    if layout in ("plain", "pdf"):
        return [plain_line(rx) for rx in lines]
    rows = [(name_text(rx), posology_text(rx), route_text(rx)) for rx in lines]
    head = ("Médicament", "Posologie", "Voie")
    if layout == "pipe":
        return [" | ".join(head), *(" | ".join(r) for r in rows)]
    widths = [max(len(r[i]) for r in [head, *rows]) + 4 for i in range(2)]
    return [f"{r[0]:<{widths[0]}}{r[1]:<{widths[1]}}{r[2]}".rstrip() for r in [head, *rows]]


def document_text(pair: Pair, side: str) -> str:
    h = pair.header
    if side == "before":
        top = [f"Dr {h['gp']}", "Médecine générale - 14 rue des Tilleuls, 69003 Lyon", "",
               f"Ordonnance du {h['day']}", f"{h['patient']}, né(e) le {h['dob']}", ""]
        end = ["", "Ordonnance à renouveler pendant 3 mois."]
        lines = pair.before
    else:
        top = [f"{h['hospital']} - Service de {h['service']}",
               f"Prescription médicale à l'admission du {h['day']}",
               f"Patient : {h['patient']} - né(e) le {h['dob']}", ""]
        end = ["", f"Prescripteur : Dr {h['doctor']}"]
        lines = pair.after
    layout = {"mixed": "plain" if side == "before" else "columns", "pdf-columns": "columns"}.get(pair.layout,
                                                                                               pair.layout)
    return "\n".join([*top, *body(lines, layout), *end]) + "\n"


def pdf_bytes(text: str, *, columns: bool = False) -> bytes:
    """The text as a PDF, a line per line (Helvetica); with ``columns``, the chunks a line's runs of spaces
    separate are placed at their column's position, as a word processor's table would."""
    import re

    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    left = pdf.l_margin
    for line in text.splitlines():
        line = line.encode("latin-1", "replace").decode("latin-1")
        chunks = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)] if columns else []
        if len(chunks) < 2:
            pdf.cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
            continue
        y = pdf.get_y()
        for start, chunk in chunks:
            pdf.set_xy(left + 2.0 * start, y)
            pdf.cell(pdf.get_string_width(chunk) + 1, 5, chunk)
        pdf.set_xy(left, y + 5)
    return bytes(pdf.output())


def documents(pair: Pair) -> tuple[Any, Any]:
    from recon.ingest import read_bytes

    out = []
    for side in ("before", "after"):
        text = document_text(pair, side)
        if pair.layout.startswith("pdf"):
            pdf = pdf_bytes(text, columns=pair.layout == "pdf-columns")
            out.append(read_bytes(pdf, name=f"{side}.pdf", suffix=".pdf"))
        else:
            out.append(read_bytes(text.encode("utf-8"), name=f"{side}.txt", suffix=".txt"))
    return out[0], out[1]


# ------------------------------------------------------------------------------------------------ scoring

_CHECKS = ("dangerous", "lost", "omission", "duplicate", "false_form_route", "status")


def _match(lines: list[Rx], meds: list[Any]) -> list[Any]:
    """Each constructed line's extracted medication (by its name written as whole words), or None."""
    used: set[str] = set()
    out = []
    for rx in lines:
        hit = None
        for attr in ("drug_text", "text"):
            hit = next((m for m in meds if m.id not in used and mentions(getattr(m, attr) or "", rx.anchor)), None)
            if hit is not None:
                break
        if hit is not None:
            used.add(hit.id)
        out.append(hit)
    return out


def _base(q: Any) -> tuple[float, str] | None:
    if q is None:
        return None
    unit = (q.unit or "").strip()
    table = {"mg": 1.0, "g": 1000.0, "µg": 1e-3, "μg": 1e-3, "mcg": 1e-3}
    if unit in table:
        return q.value * table[unit], "mg"
    if unit.lower() in ("ui", "u", "unités", "unité"):
        return q.value, "UI"
    return q.value, unit


def _exact(got: tuple[float, str] | None, want: tuple[float, str]) -> bool:
    return got is not None and got[1] == want[1] and abs(got[0] - want[0]) <= 5e-3 * max(abs(want[0]), 1e-6)


def _fmt_q(q: tuple[float, str] | None) -> str:
    return "none" if q is None else f"{q[0]:g} {q[1]}"


def _said(line: Any) -> dict[str, Any] | None:
    if line is None:
        return None
    return {"status": line.status, "changes": [c.field for c in line.changes], "needs_review": line.needs_review,
            "review_reasons": line.review_reasons[:3], "reason": line.reason,
            **{k: getattr(line, k, None) for k in ("omission", "duplicate", "documented")}}


def score(pair: Pair, report: Any) -> dict[str, Any]:
    """What Recon said on one pair, against what the change should give."""
    from recon.reconcile.compare import daily_dose

    kind = KIND_BY_NAME[pair.kind]
    bm = _match(pair.before, report.before.medications)
    am = _match(pair.after, report.after.medications)
    by_b: dict[str, Any] = {}
    by_a: dict[str, Any] = {}
    for line in report.lines:
        if line.before:
            by_b.setdefault(line.before, line)
        if line.after:
            by_a.setdefault(line.after, line)
    rx_of_b = {m.id: rx for rx, m in zip(pair.before, bm, strict=True) if m is not None}
    rx_of_a = {m.id: rx for rx, m in zip(pair.after, am, strict=True) if m is not None}
    res: dict[str, Any] = {"id": pair.id, "kind": pair.kind, "layout": pair.layout, "lines": 0, "lost": [],
                           "dangerous": [], "equal_form_route": 0, "false_form_route": [], "equal_lines": 0,
                           "false_change": [], "others": 0, "others_right": 0, "daily": [], "change_daily": []}
    # (2) lines lost
    for side, lines, meds, index in (("before", pair.before, bm, by_b), ("after", pair.after, am, by_a)):
        for rx, m in zip(lines, meds, strict=True):
            res["lines"] += 1
            if m is None:
                res["lost"].append({"side": side, "line": plain_line(rx), "why": "not extracted"})
            elif m.id not in index:
                res["lost"].append({"side": side, "line": plain_line(rx), "why": "on no report line"})
    # (1) dangerous unchanged and (6) false form/route changes, on every line that pairs two constructed lines
    for line in report.lines:
        rb, ra = rx_of_b.get(line.before or ""), rx_of_a.get(line.after or "")
        if rb is None or ra is None:
            continue
        diff = differs(rb, ra)
        if line.status == "unchanged" and not line.needs_review and diff:
            res["dangerous"].append({"before": plain_line(rb), "after": plain_line(ra), "differs": sorted(diff)})
        if not diff & {"form", "route", "release"} and not rb.note and not ra.note:
            res["equal_form_route"] += 1
            fields = [c.field for c in line.changes if c.field in ("form", "route")]
            if fields:
                res["false_form_route"].append({"before": plain_line(rb), "after": plain_line(ra),
                                                "changes": fields})
        if not diff:
            res["equal_lines"] += 1
            if line.status != "unchanged":
                res["false_change"].append({"before": plain_line(rb), "after": plain_line(ra),
                                            "said": _said(line)})
    # the other lines: expected unchanged, paired one to one
    for i, j in pair.expected_pairs[1 if pair.target_b is not None and pair.target_a else 0:]:
        res["others"] += 1
        b, a = bm[i], am[j]
        line = by_b.get(b.id) if b is not None else None
        if line is not None and a is not None and line.after == a.id and line.status == "unchanged":
            res["others_right"] += 1
    # (5) daily doses by Recon's function, on every constructed line it extracted
    for lines, meds in ((pair.before, bm), (pair.after, am)):
        for rx, m in zip(lines, meds, strict=True):
            want = daily(rx)
            if m is None or want is None:
                continue
            try:
                got = _base(daily_dose(m))
            except Exception as e:
                got = (float("nan"), f"error {type(e).__name__}")
            res["daily"].append({"category": category(rx), "line": plain_line(rx), "layout": pair.layout,
                                 "want": _fmt_q(want), "got": _fmt_q(got), "exact": _exact(got, want)})
    # the mutated line
    target_line = None
    if pair.target_b is not None:
        b = bm[pair.target_b]
        target_line = by_b.get(b.id) if b is not None else None
    elif pair.target_a:
        a = am[pair.target_a[0]]
        target_line = by_a.get(a.id) if a is not None else None
    res["said"] = _said(target_line)
    if pair.target_b is not None:
        res["before_line"] = plain_line(pair.before[pair.target_b])
        res["after_lines"] = [plain_line(pair.after[j]) for j in pair.target_a]
    right = _right(pair, kind, bm, am, by_a, target_line)
    if pair.target_b is None:
        right = res["others_right"] == res["others"] and not res["lost"]
    res["right"] = right
    if pair.kind == "silent removal":
        res["omission_flagged"] = bool(target_line is not None
                                       and getattr(target_line, "omission", None) is True
                                       and target_line.needs_review)
    if pair.kind == "written stop":
        res["documented"] = bool(target_line is not None and getattr(target_line, "documented", None) is True
                                 and getattr(target_line, "omission", None) is not True)
    if pair.kind == "duplicate":
        res["duplicate_flagged"] = right
    # daily doses carried by the mutated line's changes
    if target_line is not None and target_line.changes and pair.target_b is not None and pair.target_a:
        c = target_line.changes[0]
        for label, q, rx in (("before", c.daily_dose_before, pair.before[pair.target_b]),
                             ("after", c.daily_dose_after, pair.after[pair.target_a[0]])):
            want = daily(rx)
            if want is not None:
                got = _base(q)
                res["change_daily"].append({"category": category(rx), "side": label, "line": plain_line(rx),
                                            "want": _fmt_q(want), "got": _fmt_q(got), "exact": _exact(got, want)})
    return res


def _right(pair: Pair, kind: Kind, bm: list[Any], am: list[Any], by_a: dict[str, Any], line: Any) -> bool:
    if pair.kind == "duplicate":  # both AFTER lines on the report, each flagged
        ids = [am[j].id if am[j] is not None else None for j in pair.target_a]
        lines = [by_a.get(i) for i in ids if i is not None]
        return len(lines) == 2 and all(getattr(x, "duplicate", None) is True or x.needs_review for x in lines)
    if line is None:
        return False
    if line.status == "unchanged" and kind.review_ok:
        return bool(line.needs_review)
    if line.status not in kind.accept:
        return False
    if pair.kind == "look-alike name" and line.status != "stopped":
        return bool(line.needs_review) or line.status == "substituted"
    if pair.target_a and line.status in ("modified", "substituted", "unchanged"):
        a = am[pair.target_a[0]]
        return a is not None and line.after == a.id
    return True


# ----------------------------------------------------------------------------------------------- the run


def run(pairs: list[Pair], *, progress: Callable[[list[Pair]], Any] | None = None) -> dict[str, Any]:
    from recon.pipeline import reconcile_documents

    results = []
    start = time.perf_counter()
    for pair in (progress(pairs) if progress else pairs):
        doc_b, doc_a = documents(pair)
        results.append(score(pair, reconcile_documents(doc_b, doc_a)))
    return summarise(results, time.perf_counter() - start)


def summarise(results: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    def ratio(k: int, n: int) -> dict[str, Any]:
        return {"right": k, "total": n, "rate": round(k / n, 4) if n else None}

    by_cell: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        by_cell[r["kind"]][r["layout"]].append(r["right"])
        c = per_kind[r["kind"]]
        c["pairs"] += 1
        c["right"] += r["right"]
        c["dangerous"] += len(r["dangerous"])
        c["lost"] += len(r["lost"])
        c["false_form_route"] += len(r["false_form_route"])
        c["false_change"] += len(r["false_change"])
    daily_rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in results:
        for d in r["daily"]:
            daily_rows.setdefault((d["layout"], d["category"], d["line"]), d)
    daily_cat: dict[str, Counter[str]] = defaultdict(Counter)
    for d in daily_rows.values():
        daily_cat[d["category"]]["total"] += 1
        daily_cat[d["category"]]["exact"] += d["exact"]
    change_cat: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        for d in r["change_daily"]:
            change_cat[d["category"]]["total"] += 1
            change_cat[d["category"]]["exact"] += d["exact"]
    removal = [r for r in results if r["kind"] == "silent removal"]
    dup = [r for r in results if r["kind"] == "duplicate"]
    stops = [r for r in results if r["kind"] == "written stop"]
    differing = [r for r in results if KIND_BY_NAME[r["kind"]].core and r["kind"] != "silent removal"]
    totals = {
        "pairs": len(results),
        "lines": sum(r["lines"] for r in results),
        "dangerous_unchanged": sum(len(r["dangerous"]) for r in results),
        "pairs_with_a_clinical_difference": len(differing),
        "lines_lost": sum(len(r["lost"]) for r in results),
        "omissions_flagged": ratio(sum(r["omission_flagged"] for r in removal), len(removal)),
        "duplicates_flagged": ratio(sum(r["duplicate_flagged"] for r in dup), len(dup)),
        "written_stops_documented": ratio(sum(r["documented"] for r in stops), len(stops)),
        "false_form_route_changes": sum(len(r["false_form_route"]) for r in results),
        "lines_with_equal_form_route": sum(r["equal_form_route"] for r in results),
        "false_changes_on_equal_lines": sum(len(r["false_change"]) for r in results),
        "equal_lines": sum(r["equal_lines"] for r in results),
        "other_lines_unchanged": ratio(sum(r["others_right"] for r in results), sum(r["others"] for r in results)),
        "status_accuracy": ratio(sum(r["right"] for r in results), len(results)),
        "daily_dose_exact": ratio(sum(c["exact"] for c in daily_cat.values()),
                                  sum(c["total"] for c in daily_cat.values())),
        "seconds": round(seconds, 1),
    }
    return {
        "totals": totals,
        "per_kind": {k.name: dict(per_kind[k.name]) for k in KINDS if k.name in per_kind},
        "cells": {k: {lay: ratio(sum(v), len(v)) for lay, v in cells.items()} for k, cells in by_cell.items()},
        "daily_dose": {k: ratio(v["exact"], v["total"]) for k, v in sorted(daily_cat.items())},
        "change_daily_dose": {k: ratio(v["exact"], v["total"]) for k, v in sorted(change_cat.items())},
        "examples": _examples(results),
        "daily_dose_misses": [d for d in daily_rows.values() if not d["exact"]][:40],
        "results": results,
    }


def _examples(results: list[dict[str, Any]], per: int = 3) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for r in results:
        ctx = {"pair": r["id"], "kind": r["kind"], "layout": r["layout"]}
        for key in ("dangerous", "lost", "false_form_route", "false_change"):
            for item in r[key]:
                tag = (key, r["kind"])
                if tag in seen and len(out[key]) >= per:
                    continue
                if sum(1 for x in out[key] if x["kind"] == r["kind"]) < 1 or len(out[key]) < per:
                    out[key].append(ctx | item)
                    seen.add(tag)
        if not r["right"] and sum(1 for x in out["status"] if x["kind"] == r["kind"]) < 2:
            out["status"].append(ctx | {"before": r.get("before_line"), "after": r.get("after_lines"),
                                        "said": r["said"]})
    return dict(out)


# ------------------------------------------------------------------------------------------------ report

TARGETS = {"dangerous_unchanged": "0", "lines_lost": "0", "false_form_route_changes": "0",
           "omissions_flagged": "all", "duplicates_flagged": "all"}


def _cell(v: dict[str, Any] | None) -> str:
    return "—" if not v or not v["total"] else f"{v['right']}/{v['total']}"


def table(summary: dict[str, Any]) -> list[str]:
    layouts = [lay for lay in LAYOUTS if any(lay in c for c in summary["cells"].values())]
    lines = ["| mutation | " + " | ".join(layouts) + " | right | dangerous unchanged | lines lost | "
             "false form/route |", "|---" * (len(layouts) + 5) + "|"]
    for name, counts in summary["per_kind"].items():
        cells = summary["cells"][name]
        lines.append(f"| {name} | " + " | ".join(_cell(cells.get(lay)) for lay in layouts)
                     + f" | {counts['right']}/{counts['pairs']} | {counts.get('dangerous', 0)} | "
                     f"{counts.get('lost', 0)} | {counts.get('false_form_route', 0)} |")
    col: dict[str, list[int]] = {lay: [0, 0] for lay in layouts}
    for cells in summary["cells"].values():
        for lay, v in cells.items():
            col[lay][0] += v["right"]
            col[lay][1] += v["total"]
    t = summary["totals"]
    lines.append("| **all** | " + " | ".join(f"{col[lay][0]}/{col[lay][1]}" for lay in layouts)
                 + f" | {_cell(t['status_accuracy'])} | {t['dangerous_unchanged']} | {t['lines_lost']} | "
                 f"{t['false_form_route_changes']} |")
    return lines


def measures(summary: dict[str, Any]) -> list[str]:
    t = summary["totals"]
    rows = [
        ("(1) dangerous unchanged (target 0)", f"{t['dangerous_unchanged']} "
         f"(over {t['pairs_with_a_clinical_difference']} pairs with a clinical difference)"),
        ("(2) lines lost (target 0)", f"{t['lines_lost']} of {t['lines']} lines"),
        ("(3) silent omissions flagged (omission and needs_review)", _cell(t["omissions_flagged"])),
        ("(4) duplicates flagged (both lines present and flagged)", _cell(t["duplicates_flagged"])),
        ("written stops documented, not omission", _cell(t["written_stops_documented"])),
        ("(5) daily doses exact (distinct lines)", _cell(t["daily_dose_exact"])),
        ("(6) false form/route changes (target 0)", f"{t['false_form_route_changes']} of "
         f"{t['lines_with_equal_form_route']} lines with equal form and route"),
        ("equal lines not reported unchanged", f"{t['false_changes_on_equal_lines']} of {t['equal_lines']}"),
        ("other lines unchanged and paired", _cell(t["other_lines_unchanged"])),
        ("(7) status accuracy, all mutations", _cell(t["status_accuracy"])),
    ]
    return ["| measure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]


def write_report(summary: dict[str, Any], out: Path, *, command: str) -> Path:
    from eval.__main__ import machine

    t = summary["totals"]
    lines = ["# Recon clinical-safety mutation suite", "",
             f"{time.strftime('%Y-%m-%d %H:%M')} · {machine()} · `{command}` · {t['pairs']} pairs, "
             f"{t['lines']} lines, {t['seconds']:.0f} s", "",
             "Each pair: BEFORE (a GP's ordonnance) and AFTER (a hospital prescription) made from one another "
             "by one controlled change to one line; real drug names, fictional patients, prescribers and "
             "posologies, written by "
             "`eval/safety_catalogue.py`. A cell is the pairs whose mutated line got the right outcome "
             "(its status, paired with the right line; flags where the kind asks for them).", "",
             "## Mutation × layout", "", *table(summary), "", "## Measures", "", *measures(summary), "",
             "## Daily doses (`recon.reconcile.compare.daily_dose`, distinct lines)", "",
             "| family | exact |", "|---|---|",
             *(f"| {k} | {_cell(v)} |" for k, v in summary["daily_dose"].items()), "",
             "Daily doses carried by the mutated line's changes (`daily_dose_before/after`):", "",
             "| family | exact |", "|---|---|",
             *(f"| {k} | {_cell(v)} |" for k, v in summary["change_daily_dose"].items()), ""]
    misses = summary["daily_dose_misses"]
    if misses:
        lines += ["Daily doses missed (first of each family):", "", "| family | line | expected | Recon |",
                  "|---|---|---|---|"]
        shown: set[str] = set()
        for d in misses:
            if d["category"] in shown:
                continue
            shown.add(d["category"])
            lines.append(f"| {d['category']} | `{d['line']}` ({d['layout']}) | {d['want']} | {d['got']} |")
        lines.append("")
    ex = summary["examples"]
    titles = {"dangerous": "Dangerous unchanged", "lost": "Lines lost", "false_form_route": "False form/route "
              "changes", "false_change": "Equal lines not reported unchanged", "status": "Wrong outcomes"}
    for key, title in titles.items():
        if not ex.get(key):
            continue
        lines += [f"## {title} (examples)", ""]
        for e in ex[key][:8]:
            rest = {k: v for k, v in e.items() if k not in ("pair", "kind", "layout")}
            lines.append(f"- {e['kind']} / {e['layout']} (`{e['pair']}`): "
                         + "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in rest.items()))
        lines.append("")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    slim = {k: v for k, v in summary.items() if k != "results"}
    slim["command"] = command
    out.with_suffix(".json").write_text(json.dumps(slim, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval safety", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "safety.md")
    ap.add_argument("--quick", action="store_true", help="each mutation in three layouts, once (~70 pairs)")
    ap.add_argument("--variants", type=int, default=4, help="full run: pairs per mutation and layout")
    args = ap.parse_args(argv)
    from eval.__main__ import _progress

    pairs = generate(quick=args.quick, variants=args.variants)
    summary = run(pairs, progress=lambda xs: _progress(xs, "safety"))
    command = "python -m eval safety" + (" --quick" if args.quick else "")
    report = write_report(summary, args.out, command=command)
    print("\n".join(table(summary)))
    print()
    print("\n".join(measures(summary)))
    print(f"report: {report}", file=sys.stderr)
    return 0


__all__ = ["KINDS", "LAYOUTS", "Kind", "Pair", "document_text", "generate", "main", "run", "score", "summarise"]

if __name__ == "__main__":
    sys.exit(main())
