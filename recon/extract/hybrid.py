"""Hybrid extraction: the rules' lines, completed by the trained model.

- Every medication line of the rules is kept, in the rules' order.
- A drug the model finds that the rules missed is added when the rules could not have seen
  it: its name as written is not in the lexicon (a typo, a name cut differently: link method
  "model") but the linker links it, and its line has a strength, a dose or a frequency. A
  name the lexicon knows was seen by the rules and skipped on purpose (an allergy, a
  negation, a replaced drug, a history paragraph), so it is not added. Not added either:
  a repeat of a rules line of the same substances (``posology.is_repeat``: the same line
  restated, or a mention without posology; another posology of the same drug is its own
  line, as in the rules), or a name the linker cannot link.
- Attributes the rules left None (strength, dose, frequency, route, form, duration) are
  filled from the model's line for the same drug on the same text line. Chiefly a strength
  written as a bare number ("Levothyrox 75 : 1 cp"): the rules read the number as part of the
  name, the model tags it STRENGTH and the runner gives it the usual unit of the drug's class
  for a tablet, capsule or sachet (``posology.bare_strength``).
"""

from __future__ import annotations

from pathlib import Path

from recon.extract.model_runner import MODEL_DIR, ModelExtractor, _identity, model_available
from recon.extract.posology import is_repeat
from recon.extract.rules import RuleExtractor
from recon.ingest import Document
from recon.link import Linker
from recon.messages import POSOLOGY_NOT_FOUND
from recon.models import Medication, Warning

MODEL_MISSING = "W290"  # warning code when the model artefact is absent (the hybrid falls back to the rules)
FILLED = ("strength", "dose", "frequency", "route", "form", "duration")


class HybridExtractor:
    name = "hybrid"

    def __init__(self, linker: Linker, *, model_dir: Path | None = None, add_missed: bool = True,
                 fill: bool = True) -> None:
        self.linker = linker
        self.rules = RuleExtractor(linker)
        self.model = ModelExtractor(linker, model_dir=model_dir)
        self.add_missed = add_missed
        self.fill = fill

    def extract(self, doc: Document) -> tuple[list[Medication], list[Warning]]:
        rule_meds, warnings = self.rules.extract(doc)
        if not model_available(self.model.model_dir or MODEL_DIR):
            return rule_meds, [*warnings, Warning(code=MODEL_MISSING, message="le modèle NER n'est pas "
                                                  "installé : extraction par règles seule")]
        model_meds, _ = self.model.extract(doc)
        return merge(rule_meds, model_meds, add_missed=self.add_missed, fill=self.fill), warnings


def merge(rule_meds: list[Medication], model_meds: list[Medication], *, add_missed: bool = True,
          fill: bool = True) -> list[Medication]:
    """The rules' medications (never dropped), completed by the model's (see the module docstring)."""
    out = [m.model_copy(deep=True) for m in rule_meds]
    rule_ids = [_identity(m) for m in out]
    added: list[Medication] = []
    for med in model_meds:
        key = _identity(med)
        twin = next((r for r, rk in zip(out, rule_ids, strict=True) if rk == key and _same_line(r, med)), None)
        if twin is not None:
            if fill:
                _fill(twin, med)
            continue
        if not add_missed or med.link.method != "model" or not med.substances:
            continue  # a name the lexicon knows as written was seen by the rules, and skipped on purpose
        if med.strength is None and med.dose is None and med.frequency is None:
            continue  # not shaped like a prescription
        if any(key & rk and is_repeat(r, med) for r, rk in zip(out, rule_ids, strict=True)) or any(
                key == _identity(a) and is_repeat(a, med) for a in added):
            continue  # a repeat of a line already kept (another posology of the same drug is its own line)
        added.append(med.model_copy(deep=True))
    result = out
    for med in added:  # in document order among the rules' lines, whose order is kept
        start = (med.span or (0, 0))[0]
        at = next((i for i, r in enumerate(result) if r.span is not None and r.span[0] > start), len(result))
        result.insert(at, med)
    for i, med in enumerate(result, start=1):
        med.id = f"m{i}"
    return result


def _same_line(a: Medication, b: Medication) -> bool:
    """Both read from the same text line: the first line of one starts inside the other's span."""
    if a.span is None or b.span is None:
        return a.text.splitlines()[0].strip() == b.text.splitlines()[0].strip()
    return a.span[0] <= b.span[0] < max(a.span[1], a.span[0] + 1) or b.span[0] <= a.span[0] < max(b.span[1],
                                                                                                   b.span[0] + 1)


def _fill(target: Medication, source: Medication) -> None:
    for f in FILLED:
        if getattr(target, f) is None and getattr(source, f) is not None:
            setattr(target, f, getattr(source, f))
            if f == "strength" and len(target.substances) == 1 and target.substances[0].strength is None:
                target.substances[0].strength = source.strength
    if POSOLOGY_NOT_FOUND in target.review_reasons and (target.dose is not None or target.frequency is not None):
        target.review_reasons = [r for r in target.review_reasons if r != POSOLOGY_NOT_FOUND]
        target.needs_review = bool(target.review_reasons)


__all__ = ["HybridExtractor", "merge"]
