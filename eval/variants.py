"""Layout variants: the same prescriptions written in other shapes, gold carried over.

``python -m eval variants DATASET [--extractors rules,model,hybrid] [--out eval/results/variants.md]``

From each case of a gold-format data set, both documents are written again from their gold medications in
shapes other writers and other software use — lines, a table with separate dose / unit / time cells (pipes,
shuffled columns, runs of spaces), running prose, a one-line comma list, wrapped lines, upper case, lost
accents, OCR-like character noise — and each shape is scored with the measures of the reference scorer. The
real documents are scored too ("original"). This tells how extraction generalises to shapes it was not tuned
on, without looking at the cases it is evaluated on. Nothing here is written by hand for one case: every
shape is a function of the gold fields only.
"""

from __future__ import annotations

import json
import random
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval.accuracy import Extraction, Reconciliation
from eval.dataset import Case, load_dataset

Med = dict[str, Any]

_UNIT_SHORT = {"comprimé": "cp", "gélule": "gél", "sachet": "sachet", "goutte": "gtte", "bouffée": "bouffée",
               "ampoule": "amp", "seringue": "ser", "suppositoire": "suppo", "application": "application",
               "capsule": "caps", "patch": "patch", "dose": "dose", "stylo": "stylo", "flacon": "flacon"}
_PLURAL_WORDS = {"comprimé": "comprimés", "gélule": "gélules", "sachet": "sachets", "goutte": "gouttes",
                 "bouffée": "bouffées", "ampoule": "ampoules", "seringue": "seringues",
                 "suppositoire": "suppositoires", "application": "applications", "capsule": "capsules",
                 "dose": "doses", "flacon": "flacons"}
_ROUTE_WRITTEN = {"intraveineuse": "IV", "sous-cutanée": "SC", "intramusculaire": "IM", "inhalée": "inhalation",
                  "transdermique": "transdermique", "ophtalmique": "dans les yeux", "nasale": "nasale",
                  "cutanée": "application cutanée", "rectale": "voie rectale", "sublinguale": "sublinguale",
                  "vaginale": "voie vaginale", "auriculaire": "voie auriculaire", "buccale": "voie buccale"}
_ORAL_UNITS = {"comprimé", "gélule", "sachet", "capsule", "goutte"}
_TIMES = {1: ["matin"], 2: ["matin", "soir"], 3: ["matin", "midi", "soir"], 4: ["matin", "midi", "soir", "coucher"]}
_CLOCK = {"matin": "08h", "midi": "12h", "soir": "20h", "coucher": "22h"}
_STATUS_WORD = {"stopped": "arrêté", "suspended": "suspendu", "new": "nouveau"}


def _num(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _strength(m: Med) -> str:
    s = m.get("strength")
    return f"{_num(s['value'])} {s['unit']}" if s else ""


def _dose_parts(m: Med, *, long: bool = False) -> tuple[str, str]:
    d = m.get("dose")
    if not d:
        return "", ""
    unit = d["unit"]
    if long:
        word = _PLURAL_WORDS.get(unit, unit) if d["value"] > 1 else unit
        return _num(d["value"]), word
    return _num(d["value"]), _UNIT_SHORT.get(unit, unit)


def _per_day_int(m: Med) -> int | None:
    n = m.get("per_day")
    if n is None or m.get("as_needed"):
        return None
    return int(n) if float(n).is_integer() and 1 <= n <= 4 else None


def _rhythm(m: Med) -> str:
    """The frequency in words, as a French prescriber writes it."""
    n = m.get("per_day")
    if m.get("as_needed"):
        return "si besoin" + (f", max {_num(n)}/j" if n else "")
    if n is None:
        return ""
    whole = _per_day_int(m)
    if whole is not None:
        times = _TIMES[whole]
        if whole == 4:
            return "4 fois par jour"
        return "le " + times[0] if whole == 1 else " et ".join([", ".join(times[:-1]), times[-1]])
    for k in range(1, 7):
        if abs(n - k / 7) < 1e-3:
            return "1 fois par semaine" if k == 1 else f"{k} fois par semaine"
    if abs(n - 0.5) < 1e-3:
        return "1 jour sur 2"
    if n < 1 and abs(1 / n - round(1 / n)) < 1e-2:
        days = round(1 / n)
        return "1 fois par mois" if days == 30 else f"tous les {days} jours"
    return f"{_num(n)} fois par jour"


def _route(m: Med) -> str:
    route = m.get("route")
    if not route:
        return ""
    if route == "orale":
        d = m.get("dose")
        return "" if d and d["unit"] in _ORAL_UNITS else "per os"
    return _ROUTE_WRITTEN.get(route, f"voie {route}")


def _duration(m: Med) -> str:
    days = m.get("duration_days")
    return f"pendant {_num(days)} jours" if days else ""


def _posology(m: Med) -> str:
    value, unit = _dose_parts(m)
    parts = [f"{value} {unit}".strip(), _rhythm(m), _route(m), _duration(m)]
    return " ".join(p for p in parts if p)


def _form_word(m: Med) -> str:
    """The form of a line that gives no dose (a stopped drug): from the gold form or dose unit."""
    unit = (m.get("dose") or {}).get("unit")
    return m.get("form") or (_UNIT_SHORT.get(unit, "") if unit else "")


def _line(m: Med) -> str:
    name = " ".join(p for p in (m["drug_text"], _strength(m)) if p)
    status = m.get("status", "active")
    if status in ("stopped", "suspended"):
        form = _form_word(m)
        return f"{name} {form} : {_STATUS_WORD[status]}" if form else f"{name} : {_STATUS_WORD[status]}"
    text = f"{name} : {_posology(m)}".rstrip(" :")
    return f"{text}, {_STATUS_WORD[status]}" if status == "new" else text


def _header(side: str) -> list[str]:
    if side == "before":
        return ["Ordonnance", "Dr A. Exemple, médecin généraliste", "", "Traitement habituel :"]
    return ["Prescription hospitalière", "Service de médecine", "", "Traitement :"]


# -- shapes ---------------------------------------------------------------------------------------------


def shape_lines(meds: list[Med], side: str, rng: random.Random) -> str:
    return "\n".join([*_header(side), *(_line(m) for m in meds)]) + "\n"


_COLUMNS = ["Médicament", "Dose", "Unité", "Horaires", "Voie", "Statut", "Commentaire"]


def _cells(m: Med) -> dict[str, str]:
    value, unit = _dose_parts(m)
    whole = _per_day_int(m)
    hours = " - ".join(_CLOCK[t] for t in _TIMES[whole]) if whole else ""
    comment = "" if whole else _rhythm(m)
    comment = " ".join(p for p in (comment, _duration(m)) if p)
    status = m.get("status", "active")
    return {"Médicament": " ".join(p for p in (m["drug_text"], _strength(m)) if p),
            "Dose": value if status not in ("stopped", "suspended") else "",
            "Unité": unit if status not in ("stopped", "suspended") else "",
            "Horaires": hours if status not in ("stopped", "suspended") else "",
            "Voie": (m.get("route") or "").replace("orale", "PO").replace("intraveineuse", "IV")
            .replace("sous-cutanée", "SC"),
            "Statut": {"active": "en cours", "new": "nouveau", "stopped": "arrêté", "suspended": "suspendu"}[status],
            "Commentaire": comment if status not in ("stopped", "suspended") else ""}


def _table(meds: list[Med], side: str, columns: list[str], sep: str) -> str:
    rows = [columns] + [[_cells(m)[c] for c in columns] for m in meds]
    if sep == "spaces":
        widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
        body = ["   ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    else:
        body = [" | ".join(r) for r in rows]
    return "\n".join([*_header(side)[:-1], *body]) + "\n"


def shape_table(meds: list[Med], side: str, rng: random.Random) -> str:
    return _table(meds, side, _COLUMNS, "pipes")


def shape_table_shuffled(meds: list[Med], side: str, rng: random.Random) -> str:
    rest = _COLUMNS[1:]
    rng.shuffle(rest)
    return _table(meds, side, [_COLUMNS[0], *rest], "pipes")


def shape_table_spaces(meds: list[Med], side: str, rng: random.Random) -> str:
    return _table(meds, side, _COLUMNS, "spaces")


def _clause(m: Med) -> str:
    value, unit = _dose_parts(m, long=True)
    name = " ".join(p for p in (m["drug_text"], _strength(m)) if p)
    status = m.get("status", "active")
    if status == "stopped":
        return f"le {name} est arrêté"
    if status == "suspended":
        return f"le {name} est suspendu"
    dose = f"à raison de {value} {unit}" if value else ""
    rest = " ".join(p for p in (dose, _rhythm(m), _route(m), _duration(m)) if p)
    article = "de l’" if _strip_accents(name[:1]).lower() in "aeiouyh" else "du "
    return f"{article}{name}" + (f", {rest}" if rest else "")


def shape_prose(meds: list[Med], side: str, rng: random.Random) -> str:
    opener = ("Son traitement habituel comporte" if side == "before" else "À la sortie, nous prescrivons")
    sentences = []
    for i, m in enumerate(meds):
        clause = _clause(m)
        if m.get("status") in ("stopped", "suspended"):
            sentences.append(clause[0].upper() + clause[1:] + ".")
        elif i == 0:
            sentences.append(f"{opener} {clause}.")
        else:
            sentences.append(f"{rng.choice(['Il prend également', 'Elle prend aussi', 'Il reçoit aussi'])} {clause}.")
    title = _header(side)[:2]
    return "\n".join([*title, "", " ".join(sentences)]) + "\n"


def shape_comma_list(meds: list[Med], side: str, rng: random.Random) -> str:
    label = "Traitement habituel" if side == "before" else "Traitement de sortie"
    items = [_line(m).replace(" : ", " ") for m in meds]
    return "\n".join([*_header(side)[:2], "", f"{label} : " + ", ".join(items) + "."]) + "\n"


def shape_wrapped(meds: list[Med], side: str, rng: random.Random) -> str:
    out = _header(side)
    for m in meds:
        text = _line(m)
        if len(text) > 34 and " : " in text:
            name, rest = text.split(" : ", 1)
            out += [f"{name} :", f"    {rest}"]
        else:
            out.append(text)
    return "\n".join(out) + "\n"


def shape_upper(meds: list[Med], side: str, rng: random.Random) -> str:
    return shape_lines(meds, side, rng).upper()


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c) or c == "µ")


def shape_no_accents(meds: list[Med], side: str, rng: random.Random) -> str:
    return _strip_accents(shape_lines(meds, side, rng))


_OCR_SWAPS = [("O", "0"), ("l", "1"), ("m", "rn"), ("é", "e"), ("µ", "u"), (" : ", " ; "), ("i", "l")]


def shape_ocr_noise(meds: list[Med], side: str, rng: random.Random) -> str:
    lines = shape_lines(meds, side, rng).splitlines()
    out = []
    for line in lines:
        for a, b in _OCR_SWAPS:
            if a in line and rng.random() < 0.15:
                i = line.index(a)
                line = line[:i] + b + line[i + len(a):]
        out.append(line)
    return "\n".join(out) + "\n"


SHAPES: dict[str, Callable[[list[Med], str, random.Random], str]] = {
    "lines": shape_lines,
    "table": shape_table,
    "table_shuffled": shape_table_shuffled,
    "table_spaces": shape_table_spaces,
    "prose": shape_prose,
    "comma_list": shape_comma_list,
    "wrapped": shape_wrapped,
    "upper": shape_upper,
    "no_accents": shape_no_accents,
    "ocr_noise": shape_ocr_noise,
}


def write_variant(cases: list[Case], shape: str, folder: Path, *, seed: int = 7) -> list[Case]:
    """The cases written in ``shape`` under ``folder`` (one sub-folder a case, gold.json copied)."""
    out = []
    for case in cases:
        rng = random.Random(f"{seed}:{case.id}:{shape}")
        case_dir = folder / case.id
        case_dir.mkdir(parents=True, exist_ok=True)
        paths = {}
        for side in ("before", "after"):
            path = case_dir / f"{side}.txt"
            path.write_text(SHAPES[shape](case.gold[side]["medications"], side, rng), encoding="utf-8")
            paths[side] = path
        (case_dir / "gold.json").write_text(json.dumps(case.gold, ensure_ascii=False), encoding="utf-8")
        out.append(Case(case.id, paths["before"], paths["after"], case.gold))
    return out


def score(cases: list[Case], extractor: str) -> dict[str, float]:
    from recon.pipeline import extract_document, reconcile

    ext, rec = Extraction(), Reconciliation()
    for case in cases:
        lists = {}
        for side, label in (("before", "city"), ("after", "hospital")):
            ml = extract_document(getattr(case, side), side=label, extractor=extractor)
            lists[side] = ml
            ext.add(f"{case.id}/{side}", case.gold[side]["medications"], json.loads(ml.to_json())["medications"])
        rec.add(case.gold, json.loads(reconcile(lists["before"], lists["after"]).to_json()))
    e, r = ext.figures(), rec.figures()
    return {"drug_f1": e["drug"]["f1"], "line_exact": e["line_exact"], "dose": e["attributes"]["dose"] or 0.0,
            "per_day": e["attributes"]["per_day"] or 0.0, "status_acc": r["status_accuracy"],
            "disc_f1": r["discrepancy"]["f1"]}


MEASURES = ["drug_f1", "line_exact", "dose", "per_day", "status_acc", "disc_f1"]


def run_variants(dataset: Path, *, extractors: list[str], shapes: list[str] | None = None
                 ) -> dict[str, dict[str, dict[str, float]]]:
    """{extractor: {shape: {measure: value}}}, 'original' first."""
    cases = load_dataset(dataset)
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="recon-variants-") as tmp:
        variants = {"original": cases}
        for shape in shapes or list(SHAPES):
            variants[shape] = write_variant(cases, shape, Path(tmp) / shape)
        for extractor in extractors:
            results[extractor] = {name: score(vc, extractor) for name, vc in variants.items()}
    return results


def report(results: dict[str, dict[str, dict[str, float]]], dataset: Path) -> str:
    lines = [f"# Layout variants — {dataset.name}", "",
             "Each case's documents written again from their gold medications in other shapes "
             "(`python -m eval variants`). Measures as the reference scorer's.", ""]
    for extractor, by_shape in results.items():
        lines += [f"## {extractor}", "", "| shape | " + " | ".join(MEASURES) + " |",
                  "|---|" + "---|" * len(MEASURES)]
        for shape, fig in by_shape.items():
            lines.append(f"| {shape} | " + " | ".join(f"{fig[m]:.3f}" for m in MEASURES) + " |")
        shaped = [f for s, f in by_shape.items() if s != "original"]
        if shaped:
            mean = {m: sum(f[m] for f in shaped) / len(shaped) for m in MEASURES}
            lines.append("| **mean of shapes** | " + " | ".join(f"{mean[m]:.3f}" for m in MEASURES) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m eval variants", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--extractors", default="rules,model,hybrid")
    parser.add_argument("--shapes", default=None, help=f"comma-separated, among: {', '.join(SHAPES)}")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "variants.md")
    args = parser.parse_args(argv)
    results = run_variants(args.dataset, extractors=args.extractors.split(","),
                           shapes=args.shapes.split(",") if args.shapes else None)
    text = report(results, args.dataset)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
