"""The hybrid extractor keeps every rules line, adds what only the model found, fills gaps."""

from __future__ import annotations

from importlib import resources

import pytest

from recon.extract.hybrid import HybridExtractor, merge
from recon.extract.model_runner import model_available
from recon.extract.rules import RuleExtractor
from recon.ingest import Document
from recon.link import default_linker
from recon.models import Frequency, Link, Medication, Quantity, Substance


def _doc(text: str) -> Document:
    return Document.from_pages(name="t.txt", media_type="text/plain", sha256="0" * 64, pages=[text])


def _med(drug: str, atc: str | None, substances: list[str], span: tuple[int, int], *, method: str = "exact",
         **attrs) -> Medication:
    fields = {"strength": None, "form": None, "route": None, "dose": None, "frequency": None, "duration": None}
    fields.update(attrs)
    return Medication(id="m0", text=drug, span=span, page=1, drug_text=drug,
                      substances=[Substance(name=s, atc=atc) for s in substances], atc=atc,
                      link=Link(method=method, score=1.0), confidence=1.0, **fields)  # type: ignore[arg-type]


def test_merge_fills_gaps_on_the_same_line() -> None:
    rule = _med("KARDEGIC", "B01AC06", ["acide acétylsalicylique"], (0, 34))
    model = _med("KARDEGIC", "B01AC06", ["acide acétylsalicylique"], (0, 34),
                 dose=Quantity(value=1, unit="sachet"), frequency=Frequency(per_day=1.0),
                 strength=Quantity(value=75, unit="mg"))
    rule.strength = Quantity(value=100, unit="mg")
    out = merge([rule], [model])
    assert len(out) == 1
    assert out[0].dose == model.dose and out[0].frequency == model.frequency
    assert out[0].strength == Quantity(value=100, unit="mg")  # what the rules read is never overwritten
    assert rule.dose is None  # inputs are not modified


def test_merge_adds_missed_drugs_only() -> None:
    rules = [_med("BISOPROLOL", "C07AB07", ["bisoprolol"], (0, 30)), _med("RAMIPRIL", "C09AA05", ["ramipril"],
                                                                         (60, 90))]
    model = [
        _med("BISOPROLOL", "C07AB07", ["bisoprolol"], (0, 30)),  # a repeat: not added
        _med("LASILLIX", "C03CA01", ["furosémide"], (31, 59), method="model",  # missed by the rules: added
             dose=Quantity(value=1, unit="comprimé")),
        _med("INEXIUM", "A02BC05", ["ésoméprazole"], (40, 50), dose=Quantity(value=1, unit="comprimé")),  # skipped
        _med("LEVOTHYRROX", "H03AA01", ["lévothyroxine"], (45, 55), method="model"),  # no posology: not added
        _med("RAMIPRIL", "C09AA05", ["ramipril"], (200, 220)),  # restated elsewhere: one entry
        _med("XYZ", None, [], (100, 110), method="none"),  # unlinked: not added
    ]
    out = merge(rules, model)
    assert [m.drug_text for m in out] == ["BISOPROLOL", "LASILLIX", "RAMIPRIL"]
    assert [m.id for m in out] == ["m1", "m2", "m3"]
    assert merge(rules, model, add_missed=False)[1].drug_text == "RAMIPRIL"


@pytest.mark.skipif(not model_available(), reason="model artefact not built (nlp_models.train)")
def test_hybrid_reads_a_bare_strength_the_model_tags() -> None:
    doc = _doc("INEXIUM 40 : 1 cp le soir\nLevothyrox 100 : 1 cp à jeun\n")
    linker = default_linker()
    rules, _ = RuleExtractor(linker).extract(doc)
    assert [m.strength for m in rules] == [None, None]  # the rules read the number as part of the name
    hybrid, _ = HybridExtractor(linker).extract(doc)
    assert [(m.strength.value, m.strength.unit) for m in hybrid if m.strength] == [(40, "mg"), (100, "µg")]
    assert [(m.dose, m.frequency) for m in hybrid] == [(m.dose, m.frequency) for m in rules]


@pytest.mark.skipif(not model_available(), reason="model artefact not built (nlp_models.train)")
@pytest.mark.parametrize("name", ["ordonnance_ville.txt", "ordonnance_sortie.txt"])
def test_hybrid_never_loses_a_rules_line(name: str) -> None:
    text = resources.files("recon.examples").joinpath(name).read_text(encoding="utf-8")
    noisy = text.replace("KARDEGIC", "KARDEGYC").replace("é", "e")
    linker = default_linker()
    for t in (text, noisy, "KARDEGIC 75 mg : 1 sachet par jour\nPas d'anticoagulant\n"):
        doc = _doc(t)
        rules, _ = RuleExtractor(linker).extract(doc)
        hybrid, _ = HybridExtractor(linker).extract(doc)
        assert len(hybrid) >= len(rules)
        got = [(m.span, m.drug_text, m.atc, m.status) for m in hybrid]
        for r in rules:
            assert (r.span, r.drug_text, r.atc, r.status) in got
            h = next(m for m in hybrid if m.span == r.span and m.drug_text == r.drug_text)
            for f in ("strength", "dose", "frequency", "route", "form", "duration"):
                if getattr(r, f) is not None:
                    assert getattr(h, f) == getattr(r, f)


def test_hybrid_falls_back_to_rules_without_the_model(tmp_path) -> None:
    linker = default_linker()
    doc = _doc("KARDEGIC 75 mg : 1 sachet par jour\n")
    meds, warnings = HybridExtractor(linker, model_dir=tmp_path).extract(doc)
    rules, _ = RuleExtractor(linker).extract(doc)
    assert [m.model_dump() for m in meds] == [m.model_dump() for m in rules]
    assert [w.code for w in warnings] == ["W290"]


def test_merge_adds_another_posology_of_a_rules_drug() -> None:
    one = Quantity(value=1, unit="comprimé")
    rules = [_med("LASILIX", "C03CA01", ["furosémide"], (0, 30), dose=one,
                  frequency=Frequency(per_day=1, times_of_day=["matin"]))]
    model = [
        # a name the lexicon does not know, with its own posology on another line: its own prescription
        _med("FUROSEMIDD", "C03CA01", ["furosémide"], (40, 70), method="model", dose=Quantity(value=2, unit="comprimé"),
             frequency=Frequency(per_day=1, times_of_day=["midi"])),
        # the same line restated elsewhere: one entry
        _med("LASILLIX", "C03CA01", ["furosémide"], (80, 110), method="model", dose=one,
             frequency=Frequency(per_day=1, times_of_day=["matin"])),
    ]
    assert [m.drug_text for m in merge(rules, model)] == ["LASILIX", "FUROSEMIDD"]
