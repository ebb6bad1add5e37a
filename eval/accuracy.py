"""Accuracy against gold: drugs, attributes, whole lines, reconciliation statuses and discrepancies.

The matching rules are those of the gold format (``gold-format.md``) and of the contract's
reference scorer, so the figures agree with it: medications pair by substance set (ATC code
or normalised DCI name), attributes are scored where the gold value is not null, and a
reconciliation line is right when its status is right.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SALT_WORDS = {
    "chlorhydrate", "hydrochlorure", "maleate", "besilate", "mesilate", "tosilate", "sodique", "potassique",
    "calcique", "magnesique", "de", "d", "sel", "sulfate", "tartrate", "fumarate", "succinate", "citrate",
    "acetate", "dihydrate", "monohydrate", "hemihydrate", "trihydrate", "anhydre", "base", "arginine",
    "erbumine", "tert-butylamine", "lysine", "disodique", "hyclate", "bromhydrate",
}
MASS = {"ng": 1e-6, "µg": 1e-3, "mcg": 1e-3, "ug": 1e-3, "mg": 1.0, "g": 1000.0}
VOLUME = {"ml": 1.0, "l": 1000.0}
FIELDS = ["strength", "dose", "per_day", "as_needed", "duration_days", "route", "status"]
STATUSES = ["unchanged", "modified", "substituted", "suspended", "stopped", "added"]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("'", " ").replace("-", " ").strip()


def substance_key(name: str) -> str:
    return " ".join(sorted(w for w in fold(name).split() if w not in SALT_WORDS))


def names_of(med: dict[str, Any]) -> frozenset[str]:
    out = set()
    for s in med.get("substances") or []:
        out.add(substance_key(s if isinstance(s, str) else s.get("name", "")))
    return frozenset(x for x in out if x)


def _atcs_of(med: dict[str, Any]) -> frozenset[str]:
    return frozenset(s.get("atc") for s in med.get("substances") or [] if isinstance(s, dict) and s.get("atc"))


def same_drug(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    if gold.get("atc") and pred.get("atc") and gold["atc"] == pred["atc"]:
        return True
    g, p = names_of(gold), names_of(pred)
    if g and g == p:
        return True
    pa = _atcs_of(pred) | ({pred["atc"]} if pred.get("atc") else set())
    return bool(gold.get("atc") and len(g) <= 1 and gold["atc"] in pa and len(p) <= 1)


def quantity_equal(g: dict[str, Any] | None, p: dict[str, Any] | None) -> bool:
    if not g or not p or p.get("value") is None:
        return False
    gu = fold(str(g.get("unit", ""))).replace("μ", "µ")
    pu = fold(str(p.get("unit", ""))).replace("μ", "µ")
    try:
        gv, pv = float(g["value"]), float(p["value"])
    except (TypeError, ValueError):
        return False
    for table in (MASS, VOLUME):
        if gu in table and pu in table:
            return abs(gv * table[gu] - pv * table[pu]) <= 1e-6 * max(1.0, abs(gv * table[gu]))
    return gu.rstrip("s") == pu.rstrip("s") and abs(gv - pv) <= 1e-6 * max(1.0, abs(gv))


def attr_values(pred: dict[str, Any]) -> dict[str, Any]:
    strength = pred.get("strength")
    if not strength:
        subs = pred.get("substances") or []
        if len(subs) == 1 and isinstance(subs[0], dict):
            strength = subs[0].get("strength")
    freq = pred.get("frequency") or {}
    dur = pred.get("duration") or {}
    return {"strength": strength, "dose": pred.get("dose"), "per_day": freq.get("per_day"),
            "as_needed": bool(pred.get("as_needed")), "duration_days": dur.get("days"), "route": pred.get("route"),
            "status": pred.get("status") or "active"}


def attr_correct(name: str, gold_value: Any, pred_value: Any) -> bool:
    if name in ("strength", "dose"):
        return quantity_equal(gold_value, pred_value)
    if name in ("per_day", "duration_days"):
        try:
            return pred_value is not None and abs(float(gold_value) - float(pred_value)) <= 1e-3 * max(
                1.0, abs(float(gold_value)))
        except (TypeError, ValueError):
            return False
    if name == "route":
        return pred_value is not None and fold(str(gold_value)) == fold(str(pred_value))
    return bool(gold_value == pred_value)


def pair_medications(gold_meds: list[dict[str, Any]], pred_meds: list[dict[str, Any]]
                     ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    used: set[int] = set()
    pairs = []
    for g in gold_meds:
        candidates = [i for i, p in enumerate(pred_meds) if i not in used and same_drug(g, p)]
        found = next((i for i in candidates if quantity_equal(g.get("strength"),
                                                              attr_values(pred_meds[i])["strength"])), None)
        if found is None and candidates:
            found = candidates[0]
        if found is not None:
            used.add(found)
        pairs.append((g, pred_meds[found] if found is not None else None))
    return pairs


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Extraction:
    gold: int = 0
    pred: int = 0
    found: int = 0
    attr_ok: Counter[str] = field(default_factory=Counter)
    attr_n: Counter[str] = field(default_factory=Counter)
    lines_exact: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def add(self, label: str, gold_meds: list[dict[str, Any]], pred_meds: list[dict[str, Any]]) -> None:
        self.gold += len(gold_meds)
        self.pred += len(pred_meds)
        matched = set()
        for g, p in pair_medications(gold_meds, pred_meds):
            if p is None:
                self.misses.append(f"{label}: {g.get('drug_text')}")
                continue
            self.found += 1
            matched.add(id(p))
            values = attr_values(p)
            exact = True
            for name in FIELDS:
                gv = g.get(name, False if name == "as_needed" else ("active" if name == "status" else None))
                if gv is None or (name == "strength" and len(g.get("substances") or []) > 1):
                    continue
                self.attr_n[name] += 1
                if attr_correct(name, gv, values[name]):
                    self.attr_ok[name] += 1
                else:
                    exact = False
            self.lines_exact += exact
        self.extras += [f"{label}: {p.get('drug_text')}" for p in pred_meds if id(p) not in matched]

    def figures(self) -> dict[str, Any]:
        p, r, f = prf(self.found, self.pred, self.gold)
        return {"drug": {"precision": p, "recall": r, "f1": f, "gold": self.gold, "pred": self.pred,
                         "found": self.found},
                "attributes": {k: (self.attr_ok[k] / self.attr_n[k] if self.attr_n[k] else None) for k in FIELDS},
                "attribute_counts": dict(self.attr_n),
                "line_exact": self.lines_exact / self.gold if self.gold else 0.0}


@dataclass
class Reconciliation:
    gold_lines: int = 0
    status_ok: int = 0
    gold_disc: int = 0
    pred_disc: int = 0
    disc_tp: int = 0
    changes_n: int = 0
    changes_ok: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted or "missing")

    def add(self, gold: dict[str, Any], report: dict[str, Any]) -> None:
        before = {m["id"]: m for m in report.get("before", {}).get("medications", [])}
        after = {m["id"]: m for m in report.get("after", {}).get("medications", [])}
        pred = []
        for line in report.get("lines", []):
            b = before.get(line.get("before")) if line.get("before") else None
            a = after.get(line.get("after")) if line.get("after") else None
            pred.append({"status": line.get("status"), "before": names_of(b) if b else frozenset(),
                         "after": names_of(a) if a else frozenset(),
                         "changes": {c.get("field") for c in line.get("changes", [])}, "used": False})
        for gl in gold["lines"]:
            if "substances" in gl:
                gb = ga = frozenset(substance_key(s) for s in gl["substances"])
            else:
                gb = frozenset(substance_key(s) for s in gl.get("before", []))
                ga = frozenset(substance_key(s) for s in gl.get("after", []))
            status = gl["status"]
            match = None
            for pl in pred:
                if pl["used"]:
                    continue
                if (status in ("stopped", "suspended") and gb and pl["before"] == gb) or (
                        status == "added" and ga and pl["after"] == ga) or (
                        status not in ("stopped", "suspended", "added")
                        and ((gb and pl["before"] == gb) or (ga and pl["after"] == ga))):
                    match = pl
                    break
            self.gold_lines += 1
            self.gold_disc += status != "unchanged"
            if match is None:
                self.confusion[(status, "missing")] += 1
                continue
            match["used"] = True
            self.confusion[(status, match["status"])] += 1
            if match["status"] == status:
                self.status_ok += 1
                if status == "modified" and gl.get("changes"):
                    self.changes_n += 1
                    self.changes_ok += set(gl["changes"]) <= match["changes"]
            pred_disc = match["status"] != "unchanged"
            self.disc_tp += status != "unchanged" and pred_disc
            self.pred_disc += pred_disc
        self.pred_disc += sum(1 for pl in pred if not pl["used"] and pl["status"] != "unchanged")

    def figures(self) -> dict[str, Any]:
        dp, dr, df = prf(self.disc_tp, self.pred_disc, self.gold_disc)
        by_status = {s: {"correct": self.confusion[(s, s)],
                         "gold": sum(v for (g, _), v in self.confusion.items() if g == s)} for s in STATUSES}
        return {"status_accuracy": self.status_ok / self.gold_lines if self.gold_lines else 0.0,
                "by_status": by_status,
                "discrepancy": {"precision": dp, "recall": dr, "f1": df},
                "modified_changes_recall": self.changes_ok / self.changes_n if self.changes_n else None,
                "confusion": {f"{g}->{p}": v for (g, p), v in sorted(self.confusion.items())}}
