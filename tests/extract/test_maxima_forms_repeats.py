"""Maximum doses, doses through strengths and devices, deduced units, inhalation and release forms,
two prescriptions of one substance, French review reasons: on the rules, the model and the hybrid."""

from __future__ import annotations

import pytest

from recon.extract import posology as pos
from recon.extract.hybrid import HybridExtractor
from recon.extract.model_runner import ModelExtractor, model_available
from recon.extract.rules import RuleExtractor
from recon.ingest import Document
from recon.link import default_linker
from recon.messages import DRUG_NOT_IN_REFERENCE, POSOLOGY_NOT_FOUND
from recon.models import Medication, Quantity

EXTRACTORS = [
    "rules",
    pytest.param("model", marks=pytest.mark.skipif(not model_available(), reason="model artefact not built")),
    pytest.param("hybrid", marks=pytest.mark.skipif(not model_available(), reason="model artefact not built")),
]


def extract(text: str, extractor: str = "rules") -> list[Medication]:
    doc = Document.from_pages(name="t.txt", media_type="text/plain", sha256="0" * 64, pages=[text])
    linker = default_linker()
    cls = {"rules": RuleExtractor, "model": ModelExtractor, "hybrid": HybridExtractor}[extractor]
    meds, _ = cls(linker).extract(doc)
    return meds


def only(text: str, extractor: str = "rules") -> Medication:
    meds = extract(text, extractor)
    assert len(meds) == 1, [m.drug_text for m in meds]
    return meds[0]


def q(quantity: Quantity | None) -> tuple[float, str] | None:
    return None if quantity is None else (quantity.value, quantity.unit)


# -- 1. maximum doses ------------------------------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize(
    ("line", "dose", "per_day", "max_per_day", "max_dose"),
    [
        ("- DOLIPRANE 500 mg : 1 gélule si EVA > 4, max 6/j\n", (1, "gélule"), 6, 6, None),
        ("- DOLIPRANE 500 mg : 1 cp si douleur, max 3 cp/j\n", (1, "comprimé"), 3, 3, (3, "comprimé")),
        ("- PARACETAMOL : 1 g si douleur, max 3 g/j\n", (1, "g"), 3, 3, (3, "g")),
        ("- PARACETAMOL 1 g : 1 cp si fièvre, maximum 4 prises par jour\n", (1, "comprimé"), 4, 4, None),
        ("- PARACETAMOL : 1 g si douleur, sans dépasser 4 g par jour\n", (1, "g"), 4, 4, (4, "g")),
        ("- PARACETAMOL 500 mg : 2 cp si douleur, max 8 cp/24h\n", (2, "comprimé"), 4, 4, (8, "comprimé")),
    ],
)
def test_maximum_on_an_as_needed_line(extractor: str, line: str, dose: tuple[float, str], per_day: float,
                                      max_per_day: float, max_dose: tuple[float, str] | None) -> None:
    med = only(line, extractor)
    assert med.as_needed
    assert q(med.dose) == dose
    assert med.frequency is not None
    assert med.frequency.per_day == per_day
    assert med.frequency.max_per_day == max_per_day
    assert q(med.frequency.max_dose) == max_dose


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_maximum_on_a_regular_line_is_a_ceiling(extractor: str) -> None:
    med = only("- PARACETAMOL 500 mg : 1 cp matin et soir, max 4/j\n", extractor)
    assert not med.as_needed
    assert med.frequency is not None and med.frequency.per_day == 2 and med.frequency.max_per_day == 4


def test_maximum_through_the_strength() -> None:
    # 3 g a day of 500 mg tablets taken one at a time: 6 intakes
    med = only("- DOLIPRANE 500 mg : 1 cp si douleur (max 3 g/j)\n")
    assert med.frequency is not None and med.frequency.per_day == 6 and q(med.frequency.max_dose) == (3, "g")


def test_a_later_step_target_is_not_a_maximum() -> None:
    med = only("- CORTANCYL 20 mg : 2 cp le matin, puis baisse de 5 mg par semaine jusqu'à 10 mg/j\n")
    assert med.frequency is not None and med.frequency.per_day == 1 and med.frequency.max_per_day is None


@pytest.mark.parametrize(
    ("text", "count", "amount"),
    [
        ("max 6/j", 6, None),
        ("maximum 4 prises par jour", 4, None),
        ("sans dépasser 4 g par jour", None, (4, "g")),
        ("max 8 cp/24h", None, (8, "comprimé")),
        ("ne pas dépasser 6 gél/j", None, (6, "gélule")),
        ("3 fois par jour au maximum", 3, None),
        ("2 sachets/j max", None, (2, "sachet")),
        ("1 cp matin et soir", None, None),
    ],
)
def test_parse_maximum(text: str, count: float | None, amount: tuple[float, str] | None) -> None:
    mx = pos.parse_maximum(text)
    if count is None and amount is None:
        assert mx is None
        return
    assert mx is not None and mx.count == count and q(mx.amount) == amount


# -- 2. doses through strengths and devices --------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize(
    "line",
    ["- LOVENOX 4000 UI/0,4 ml : 1 injection le soir\n", "- ENOXAPARINE 6000 UI/0,6 ml : 1 injection SC le soir\n"],
)
def test_an_injection_of_a_prefilled_strength_is_a_syringe(extractor: str, line: str) -> None:
    med = only(line, extractor)
    assert med.strength is not None and med.strength.unit == "UI" and med.strength.text and "ml" in med.strength.text
    assert q(med.dose) == (1, "seringue")
    assert med.route == "sous-cutanée"


def test_a_syringe_abbreviated_in_a_table_cell() -> None:
    med = only("| ENOXAPARINE 2000 UI/0,2 ml | 1 ser | soir |\n")
    assert q(med.strength) == (2000, "UI") and q(med.dose) == (1, "seringue")


def test_an_injection_whose_amount_is_written_keeps_the_amount() -> None:
    med = only("- ENOXAPARINE 6000 UI/0,6 ml : 1 injection SC (6000 UI) le soir\n")
    assert q(med.dose) == (6000, "UI")


def test_an_injection_of_a_depot_is_not_a_syringe() -> None:
    med = only("- DECAPEPTYL LP 3 mg : 1 injection IM par mois\n")
    assert med.dose is None or med.dose.unit != "seringue"
    assert med.form is None and med.route == "intramusculaire"


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_oral_solution_volume(extractor: str) -> None:
    med = only("- KEPPRA 100 mg/ml solution buvable : 7,5 ml matin et soir\n", extractor)
    assert q(med.strength) == (100, "mg/ml") and q(med.dose) == (7.5, "ml")
    assert med.frequency is not None and med.frequency.per_day == 2


@pytest.mark.parametrize(
    ("line", "dose"),
    [
        ("- VENTOLINE 100 µg/dose : 2 inh si besoin\n", (2, "bouffée")),
        ("- SERETIDE DISKUS 250/50 : 1 inhalation matin et soir\n", (1, "bouffée")),
        ("- VERSATIS 5 % : 1 emplâtre le soir\n", (1, "patch")),
        ("- FORLAX 10 g : 2 sach le matin\n", (2, "sachet")),
    ],
)
def test_device_words(line: str, dose: tuple[float, str]) -> None:
    assert q(only(line).dose) == dose


def test_a_plaster_acts_on_the_skin() -> None:
    med = only("- VERSATIS 5 % : 1 emplâtre le soir\n")
    assert med.form == "patch" and med.route == "cutanée"


# -- 3. a unit deduced, not written ----------------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize("line", ["- BISOPROLOL 2,5 mg : 1-0-0\n", "- BISOPROLOL 2,5 mg : 1 le matin\n"])
def test_a_deduced_unit_is_marked(extractor: str, line: str) -> None:
    med = only(line, extractor)
    assert med.dose is not None and med.dose.value == 1 and med.dose.unit == "comprimé"
    assert med.dose.text == "1" and pos.deduced(med.dose)
    assert med.form is None  # no form invented from a deduced unit


@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize("line", ["- BISOPROLOL 2,5 mg : 1 cp le matin\n", "- BISOPROLOL 2,5 mg cp : 1-0-0\n",
                                  "- BISOPROLOL 2,5 mg comprimé : 1 le matin\n"])
def test_a_written_unit_is_not_marked(extractor: str, line: str) -> None:
    med = only(line, extractor)
    assert q(med.dose) == (1, "comprimé") and med.dose is not None and med.dose.text is None
    assert not pos.deduced(med.dose) and med.form == "comprimé"


def test_half_a_deduced_tablet() -> None:
    med = only("- ZOPICLONE 7,5 mg : ½-0-0\n")
    assert med.dose is not None and med.dose.value == 0.5 and pos.deduced(med.dose)


# -- 4. inhalation forms ---------------------------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize(
    ("line", "form"),
    [
        ("- SPIRIVA 18 µg gélule pour inhalation : 1 inhalation par jour\n", "poudre pour inhalation"),
        ("- BUDESONIDE 200 µg poudre pour inhalation : 1 bouffée matin et soir\n", "poudre pour inhalation"),
        ("- SERETIDE DISKUS 250/50 : 1 inhalation matin et soir\n", "poudre pour inhalation"),
        ("- RELVAR ELLIPTA 184/22 : 1 inhalation le matin\n", "poudre pour inhalation"),
        ("- SYMBICORT TURBUHALER 400/12 : 1 inh matin et soir\n", "poudre pour inhalation"),
        ("- SPIRIVA RESPIMAT 2,5 µg : 2 bouffées le matin\n", "solution pour inhalation"),
    ],
)
def test_inhalation_forms(extractor: str, line: str, form: str) -> None:
    med = only(line, extractor)
    assert med.form == form and med.route == "inhalée"


# -- 5. release forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize(
    ("line", "form", "unit"),
    [
        ("- SKENAN LP 60 mg gélule : 1 matin et soir\n", "gélule à libération prolongée", "gélule"),
        ("- MORPHINE 60 mg gélule à libération prolongée : 1 matin et soir\n", "gélule à libération prolongée",
         "gélule"),
        ("- TRAMADOL 200 mg cp LP : 1 le soir\n", "comprimé à libération prolongée", "comprimé"),
        ("- TRAMADOL LP 200 mg : 1 cp le soir\n", "comprimé à libération prolongée", "comprimé"),
        ("- ACTISKENAN 10 mg gélule : 1 gélule si douleur\n", "gélule", "gélule"),
    ],
)
def test_release_forms(extractor: str, line: str, form: str, unit: str) -> None:
    med = only(line, extractor)
    assert med.form == form and med.dose is not None and med.dose.unit == unit and med.route == "orale"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("gélule LP", "gélule à libération prolongée"),
        ("comprimé à libération modifiée", "comprimé à libération prolongée"),
        ("cp LM", "comprimé à libération prolongée"),
        ("LP", "comprimé à libération prolongée"),
        ("gélule", "gélule"),
        ("gélule pour inhalation", "poudre pour inhalation"),
    ],
)
def test_parse_form_release_and_inhalation(text: str, form: str) -> None:
    assert pos.parse_form(text)[0] == form


def test_a_release_marker_goes_with_the_form_written_after() -> None:
    assert pos.parse_form("SKENAN LP 60 mg", context="1 gél matin et soir")[0] == "gélule à libération prolongée"
    assert pos.parse_form("DECAPEPTYL LP 3 mg", context="1 injection IM par mois") == (None, None)


# -- 6. two prescriptions of one substance ---------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize(
    "text",
    [
        "- LASILIX 40 mg : 1 cp le matin\n- FUROSEMIDE 40 mg : 2 cp le midi\n",
        "- amiodarone 200 mg 1 cp/j\n- CORDARONE 200 mg 2 cp/j\n",
        "- DOLIPRANE 1 g 1 cp matin, midi et soir\n- DOLIPRANE 1 g 1 cp si douleur\n",
        "- BISOPROLOL 5 mg : 1 cp le matin\n- BISOPROLOL 5 mg : 1 cp le soir\n",
    ],
)
def test_two_posologies_are_two_lines(extractor: str, text: str) -> None:
    assert len(extract(text, extractor)) == 2


@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize(
    "text",
    [
        # the same line restated
        "- LASILIX 40 mg : 1 cp le matin\n\nSynthèse : LASILIX 40 mg 1 cp le matin\n",
        # a mention without posology
        "- KARDEGIC 75 mg : 1 sachet le midi\nArrêt du KARDEGIC (saignement).\n",
        # what one line leaves unwritten does not differ
        "- RAMIPRIL 5 mg : 1 cp le matin\n- RAMIPRIL 5 mg le matin\n",
    ],
)
def test_true_repeats_are_one_line(extractor: str, text: str) -> None:
    assert len(extract(text, extractor)) == 1


def test_a_mention_without_posology_carries_its_status() -> None:
    med = only("- KARDEGIC 75 mg : 1 sachet le midi\nArrêt du KARDEGIC (saignement).\n")
    assert med.status == "stopped" and q(med.dose) == (1, "sachet")


def test_a_later_line_saying_the_posology_changed_restates_it() -> None:
    med = only("Traitement habituel : Lantus 20 UI le soir\n\n1. Insuline glargine : 14 UI le soir - diminuée\n")
    assert q(med.dose) == (14, "UI")


# -- 7. French review reasons ----------------------------------------------------------------------
@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_posology_not_found_is_french(extractor: str) -> None:
    med = only("- ATORVASTATINE 40 mg\n", extractor)
    assert med.review_reasons == [POSOLOGY_NOT_FOUND]


def test_drug_not_in_reference_is_french() -> None:
    med = only("- Zorblaxine 50 mg : 1 gél matin et soir\n")
    assert DRUG_NOT_IN_REFERENCE in med.review_reasons


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_no_english_reason(extractor: str) -> None:
    text = ("- ATORVASTATINE 40 mg\n- Zorblaxine 50 mg : 1 gél matin et soir\n- PARACETAMOL 1 g : 1 cp si douleur\n")
    english = ("not found", "drug", "uncertain", "name shared", "posology")
    for med in extract(text, extractor):
        assert not any(w in r for r in med.review_reasons for w in english), med.review_reasons
