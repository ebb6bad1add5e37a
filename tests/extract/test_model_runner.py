"""The model extractor: ONNX NER spans → medication lines (skipped when the artefact is not built)."""

from __future__ import annotations

import sys

import pytest

from recon.extract.model_runner import ModelExtractor, Span, _decode, _slots, _whole_word, model_available
from recon.ingest import Document
from recon.link import default_linker

needs_model = pytest.mark.skipif(not model_available(), reason="model artefact not built (nlp_models.train)")


def _doc(text: str) -> Document:
    return Document.from_pages(name="t.txt", media_type="text/plain", sha256="0" * 64, pages=[text])


def _extract(text: str):
    meds, warnings = ModelExtractor(default_linker()).extract(_doc(text))
    assert warnings == []
    return meds


@needs_model
def test_finds_kardegic() -> None:
    meds = _extract("KARDEGIC 75 mg : 1 sachet par jour")
    assert len(meds) == 1
    med = meds[0]
    assert med.drug_text == "KARDEGIC"
    assert med.atc == "B01AC06"
    assert [s.name for s in med.substances] == ["acide acétylsalicylique"]
    assert med.strength is not None and (med.strength.value, med.strength.unit) == (75, "mg")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (1, "sachet")
    assert med.frequency is not None and med.frequency.per_day == 1
    assert med.link.method == "exact"
    assert med.id == "m1" and med.span == (0, len("KARDEGIC 75 mg : 1 sachet par jour"))


@needs_model
def test_document_lines() -> None:
    text = ("Dr Jean DUPONT - 12 rue des Lilas - 69003 LYON\n"
            "Allergie : pénicilline (urticaire)\n\n"
            "1) BISOPROLOL 2,5 mg cp : 1 cp le matin\n"
            "2) LASILIX 40 mg cp\n"
            "   1 cp le matin\n"
            "3) DOLIPRANE 1000 mg : 1 cp si douleur, max 3 cp/j\n")
    meds = _extract(text)
    atcs = [m.atc for m in meds]
    assert atcs == ["C07AB07", "C03CA01", "N02BE01"]
    lasilix = meds[1]
    assert lasilix.dose is not None and lasilix.dose.unit == "comprimé"  # from the continuation line
    doliprane = meds[2]
    assert doliprane.as_needed
    assert doliprane.frequency is not None and doliprane.frequency.per_day == 3


@needs_model
def test_fuzzy_name_links_with_method_model() -> None:
    meds = _extract("CLOPIDOGRELL 75 mg cp : 1 cp à midi")
    assert len(meds) == 1
    assert meds[0].substances[0].name == "clopidogrel"
    assert meds[0].link.method == "model"


@needs_model
@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("INEXIUM 40 : 1 cp le soir", 40, "mg"),
        ("Levothyrox 100 : 1 cp à jeun", 100, "µg"),
    ],
)
def test_bare_number_tagged_as_strength_takes_the_usual_unit(text: str, value: float, unit: str) -> None:
    meds = _extract(text)
    assert len(meds) == 1
    assert meds[0].strength is not None and (meds[0].strength.value, meds[0].strength.unit) == (value, unit)
    assert meds[0].substances[0].strength == meds[0].strength


@needs_model
def test_number_of_a_name_is_not_a_strength() -> None:
    meds = _extract("MACROGOL 4000 : 2 sachets le matin")
    assert len(meds) == 1 and meds[0].strength is None


@pytest.mark.parametrize(("start", "end", "whole"),
                         [(9, 11, True), (9, 10, False), (10, 11, False), (14, 15, False), (16, 17, False),
                          (14, 17, True)])
def test_whole_word(start: int, end: int, whole: bool) -> None:
    text = "KARDEGIC 75 : 1,5 sachet"
    assert _whole_word(Span(start, end, "STRENGTH", text[start:end], 1.0), text) is whole


@needs_model
def test_serving_does_not_import_torch() -> None:
    _extract("RAMIPRIL 5 mg : 1 cp le soir")
    assert "torch" not in sys.modules or "nlp_models.train" in sys.modules  # a training test may have loaded it


def test_decode_spans() -> None:
    text = "KARDEGIC 75 mg"
    offsets = [(0, 0), (0, 8), (9, 11), (12, 14), (0, 0)]
    spans = _decode(text, offsets, [1, 0, 0, 0, 1], ["O", "B-DRUG", "B-STRENGTH", "I-STRENGTH", "O"],
                    [1.0, 0.9, 0.8, 0.6, 1.0])
    assert [(s.text, s.label) for s in spans] == [("KARDEGIC", "DRUG"), ("75 mg", "STRENGTH")]
    assert spans[1].score == pytest.approx(0.7)
    # an I- without its B- opens a span
    spans = _decode(text, offsets, [1, 0, 0, 0, 1], ["O", "I-DRUG", "O", "I-STRENGTH", "O"], [1.0] * 5)
    assert [(s.text, s.label) for s in spans] == [("KARDEGIC", "DRUG"), ("mg", "STRENGTH")]


def test_slot_cells() -> None:
    freq, dose = _slots("1     -     1     -")
    assert freq.per_day == 2 and freq.times_of_day == ["matin", "soir"]
    assert dose == (1.0, "")
    freq, dose = _slots("6 UI | 8 UI | 6 UI | -")
    assert freq.per_day == 3 and dose is None
    assert _slots("1 cp le matin") is None
