"""The rule extractor on small hand-written documents."""

from __future__ import annotations

import pytest

from recon.extract.rules import RuleExtractor
from recon.ingest import Document
from recon.link import default_linker
from recon.models import Medication


def extract(text: str) -> list[Medication]:
    doc = Document.from_pages(name="t.txt", media_type="text/plain", sha256="0" * 64, pages=[text])
    meds, _ = RuleExtractor(default_linker()).extract(doc)
    return meds


def only(text: str) -> Medication:
    meds = extract(text)
    assert len(meds) == 1, [m.drug_text for m in meds]
    return meds[0]


def per_day(med: Medication) -> float | None:
    return med.frequency.per_day if med.frequency else None


def test_simple_line() -> None:
    med = only("- KARDEGIC 75 mg : 1 sachet le midi\n")
    assert med.strength is not None and (med.strength.value, med.strength.unit) == (75, "mg")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (1, "sachet")
    assert per_day(med) == 1 and med.route == "orale" and med.status == "active"


@pytest.mark.parametrize(
    "text",
    [
        "Allergie : pénicilline (urticaire)\n",
        "Allergies : amoxicilline, codéine\n",
        "Intolérance à la metformine (diarrhées)\n",
        "Pas d'anticoagulant.\n",
        "Pas de traitement par metformine.\n",
        "Aucun traitement par amiodarone.\n",
        "Kaliémie : 5,8 mmol/l sous spironolactone\n",
        "Antécédents : traitement par amiodarone en 2019\n",
        "Interaction signalée au prescripteur : méthotrexate + kétoprofène.\n",
        "Vaccinations : grippe 10/2024, COVID 10/2024.\n",
        "Examen : SpO2 88 % en AA, FR 26/min, PA 98/56.\n",
        "Biologie : hémoglobine 8,9 g/dl, créatinine 118 µmol/l\n",
    ],
)
def test_not_a_prescription(text: str) -> None:
    assert extract(text) == []


def test_allergy_section_is_skipped() -> None:
    meds = extract("ALLERGIES :\n- amoxicilline\n- codéine\n\nTRAITEMENT :\n- ramipril 5 mg : 1 cp le matin\n")
    assert [m.drug_text for m in meds] == ["ramipril"]


def test_contraindication_after_the_drug_is_a_reason_not_an_allergy() -> None:
    med = only("Traitements arrêtés :\n   ADVIL (ibuprofène) : arrêt - AINS contre-indiqué\n")
    assert med.status == "stopped"


def test_brand_in_parentheses_is_not_a_second_medication() -> None:
    med = only("- Lévétiracétam (KEPPRA) 750 mg : 1 cp matin et soir\n")
    assert med.strength is not None and med.strength.value == 750
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (1, "comprimé")
    assert per_day(med) == 2


def test_replaced_drug_is_not_a_medication() -> None:
    med = only("- PANTOPRAZOLE 40 mg cp : 1 cp le matin (remplace INEXIUM)\n")
    assert "pantoprazole" in [s.name for s in med.substances]


def test_table_with_time_columns() -> None:
    text = (
        "MEDICAMENT                 MATIN   MIDI   SOIR  COUCHER   OBSERVATIONS\n"
        "RAMIPRIL 2,5 mg cp           1       -      -      -      PA 1x/sem\n"
        "PARACETAMOL 500 mg gél       2       2      2      -\n"
        "OXAZEPAM 10 mg cp            -       -      -     1/2\n"
    )
    meds = {m.drug_text.lower(): m for m in extract(text)}
    assert per_day(meds["ramipril"]) == 1
    assert meds["ramipril"].dose is not None and meds["ramipril"].dose.value == 1
    assert per_day(meds["paracetamol"]) == 3
    assert meds["paracetamol"].dose is not None and (meds["paracetamol"].dose.value,
                                                     meds["paracetamol"].dose.unit) == (2, "gélule")
    assert per_day(meds["oxazepam"]) == 1 and meds["oxazepam"].dose is not None
    assert meds["oxazepam"].dose.value == 0.5


def test_pipe_table_with_hour_columns() -> None:
    text = (
        "Produit              | 08h | 12h | 18h | Coucher | Remarques\n"
        "METFORMINE 850 mg cp | 1   | -   | 1   | -       |\n"
        "ZOPICLONE 7,5 mg cp  | -   | -   | -   | 1       | si insomnie\n"
    )
    meds = {m.drug_text.lower(): m for m in extract(text)}
    assert per_day(meds["metformine"]) == 2
    assert per_day(meds["zopiclone"]) == 1


def test_dispensing_history_line() -> None:
    med = only("18/10/2024  DEROXAT 20MG CPR SECABLE B/28  3  1 cp le matin\n")
    assert med.strength is not None and (med.strength.value, med.strength.unit) == (20, "mg")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (1, "comprimé")
    assert per_day(med) == 1 and med.route == "orale"


def test_continuation_line() -> None:
    med = only("1/ DUROGESIC 25 microgrammes/heure, dispositif transdermique :\n"
               "   appliquer 1 patch tous les 3 jours\n")
    assert med.strength is not None and (med.strength.value, med.strength.unit) == (25, "µg/h")
    assert per_day(med) == pytest.approx(1 / 3, abs=1e-4)
    assert med.route == "transdermique"


def test_stopped_line() -> None:
    med = only("INDAPAMIDE LP 1,5 mg cp    | ARRÊT    | PO   | hyponatrémie\n")
    assert med.status == "stopped"


def test_label_status_applies_to_the_list() -> None:
    meds = extract("Traitements personnels arrêtés : mélatonine et curcuma\n")
    assert [m.status for m in meds] == ["stopped", "stopped"]


def test_label_status_carries_to_indented_lines() -> None:
    meds = extract("SUSPENDUS : ONDANSETRON (à reprendre)\n            RAMIPRIL : hypotension\n")
    assert [m.status for m in meds] == ["suspended", "suspended"]


def test_new_label_before_the_drug() -> None:
    med = only("- NOUVEAU : Acide alendronique 70 mg : 1 cp le lundi matin à jeun\n")
    assert med.status == "new" and per_day(med) == pytest.approx(1 / 7, abs=1e-4)


def test_tapering_schedule_is_not_stopped() -> None:
    med = only("- PREDNISONE 20 mg cp : 2 cp le matin pendant 5 jours, puis 1 cp pendant 5 jours, puis arrêt\n")
    assert med.status == "active" and med.duration is not None and med.duration.days == 5
    assert med.dose is not None and med.dose.value == 2


def test_as_needed_with_maximum_in_dose_units() -> None:
    med = only("DOLIPRANE 500 mg cp : 2 cp si douleur, maximum 6 cp par jour\n")
    assert med.as_needed and per_day(med) == 3


def test_as_needed_section_header() -> None:
    med = only("TRAITEMENTS SI BESOIN :\nXANAX 0,25 mg cp        1 cp le soir\n")
    assert med.as_needed


def test_several_prescriptions_on_one_line() -> None:
    meds = extract("TRIATEC 5 mg 1 cp le matin - PARIET 10 mg 1 cp le matin - SERESTA 10 mg 1 cp au coucher\n")
    assert len(meds) == 3
    assert all(per_day(m) == 1 for m in meds)


def test_combination_written_with_a_slash() -> None:
    med = only("AMOXICILLINE/AC. CLAVULANIQUE 1 g/125 mg : 1 sachet matin, midi et soir\n")
    assert {s.name for s in med.substances} == {"amoxicilline", "acide clavulanique"}
    assert per_day(med) == 3


def test_elided_article_before_a_drug() -> None:
    med = only("Arrêt de l'amlodipine (hypotension orthostatique).\n")
    assert med.status == "stopped"


def test_unknown_drug_on_a_prescription_line_is_kept_for_review() -> None:
    med = only("- Curcumaxol 500 mg : 1 gél matin et soir\n")
    assert med.link.method == "none" and med.needs_review
    assert per_day(med) == 2


def test_repeated_drug_is_one_entry() -> None:
    meds = extract("- ramipril 5 mg : 1 cp le matin\n\nOrdonnance : ramipril 5 mg 1 cp le matin\n")
    assert len(meds) == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- Coumadine 2 mg : 1 cp et demi le soir\n", 1.5),
        ("- Furosémide 40 mg : 1 cp ½ le matin\n", 1.5),
        ("- Lexomil 6 mg : ¼ de cp le soir\n", 0.25),
        ("- Imovane 7,5 mg : 0-0-½\n", 0.5),
        ("- Metformine 850 mg cp : 1 matin et soir\n", 1),
    ],
)
def test_dose_notations_in_a_line(line: str, expected: float) -> None:
    med = only(line)
    assert med.dose is not None and med.dose.value == expected and med.dose.unit == "comprimé"


def test_table_with_single_spaced_columns() -> None:
    text = ("Médicament Matin Midi Soir Coucher\n"
            "Amlodipine 5 mg 1 0 0 0\n"
            "Metformine 1000 mg 1 0 1 0\n"
            "Zolpidem 10 mg 0 0 0 ½\n")
    meds = {m.drug_text.lower(): m for m in extract(text)}
    assert [per_day(meds[k]) for k in ("amlodipine", "metformine", "zolpidem")] == [1, 2, 1]
    assert meds["zolpidem"].dose is not None and meds["zolpidem"].dose.value == 0.5


def test_markdown_table_with_a_strength_column() -> None:
    text = ("| Médicament | Dosage | Matin | Midi | Soir | Nuit |\n"
            "|---|---|---|---|---|---|\n"
            "| Bisoprolol | 5 mg | 1 | | | |\n"
            "| Furosémide | 40 mg | 1 | 1 | | |\n")
    meds = {m.drug_text.lower(): m for m in extract(text)}
    assert meds["bisoprolol"].strength is not None and meds["bisoprolol"].strength.value == 5
    assert per_day(meds["bisoprolol"]) == 1 and per_day(meds["furosémide"]) == 2


def test_unknown_drug_without_strength() -> None:
    med = only("- Harpagophytum : 2 gél matin et soir\n")
    assert med.link.method == "none" and med.needs_review
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (2, "gélule") and per_day(med) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Posologie : 1 cp le matin\n",
        "Matin : 2 gél\n",
        "Poids : 72 kg\n",
        "Glycémie à jeun : 1,2 g/l\n",
        "Dextro 21h : 2,45 g/l - TA 105/60\n",
        "LBA : lymphocytose 45 %).\n",
    ],
)
def test_label_lines_are_not_unknown_drugs(text: str) -> None:
    assert extract(text) == []


def test_insulin_named_after_the_word_insuline() -> None:
    med = only("- Insuline Lantus : 18 U le soir\n")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (18, "UI")
    assert med.route == "sous-cutanée" and per_day(med) == 1


def test_units_of_insulin_before_a_time_are_a_dose() -> None:
    med = only("Traitement à l'entrée : Toujeo 28 UI le matin\n")
    assert med.strength is None
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (28, "UI")


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("Arrêt du Kardégic (relais par Eliquis).\n", "stopped"),
        ("Au cours du séjour, nous avons introduit du bisoprolol 2,5 mg le matin.\n", "new"),
        ("L'amiodarone a été arrêtée en raison d'une dysthyroïdie.\n", "stopped"),
        ("Le ramipril est suspendu jusqu'à la prochaine consultation.\n", "suspended"),
        ("- Omix suspendu, à réintroduire par l'urologue si besoin\n", "suspended"),
        ("- Gaviscon suspension buvable : 1 sachet si brûlures\n", "active"),
    ],
)
def test_status_in_prose(line: str, status: str) -> None:
    med = only(line)
    assert med.status == status


def test_as_needed_cue_after_a_stop_is_not_as_needed() -> None:
    med = only("- Omix suspendu, à réintroduire par l'urologue si besoin\n")
    assert not med.as_needed


def test_stopped_list_joined_by_et() -> None:
    meds = extract("- baisse du Coaprovel ; arrêt du Lercanidipine et du Moxonidine\n")
    stopped = [m for m in meds if m.status == "stopped"]
    assert len(stopped) == 2


def test_posology_on_the_continuation_row_of_a_table() -> None:
    text = ("INSULINE GLARGINE 100 UI/ml (LANTUS) stylo\n"
            "                   | 8 UI le soir   | SC   | NOUVEAU\n"
            "                   |                |      | + dextros 3x/j\n")
    med = only(text)
    assert per_day(med) == 1 and med.status == "new"
    assert med.strength is not None and med.strength.unit == "UI/ml"


def test_weekday_list_across_a_line_break() -> None:
    med = only("• BACTRIM FORTE 800 mg/160 mg cp : 1 cp le lundi, le mercredi et le\n"
               "  vendredi - prévention\n")
    assert per_day(med) == pytest.approx(3 / 7, abs=1e-4)


def test_table_remark_naming_another_drug_is_not_a_medication() -> None:
    meds = extract(" 4 | SALBUTAMOL 100 µg/dose aérosol | 2 bouff. | si dyspnée | INH | Bricanyl non référencé\n")
    assert [m.drug_text for m in meds] == ["SALBUTAMOL"]


def test_past_dispensing_lines_are_not_medications() -> None:
    assert extract("Délivrance antérieure : AUGMENTIN 1g/125mg sach x 7 j le 12/12/23 (terminé).\n") == []


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Traitements arrêtés :", "stopped"),
        ("Traitements suspendus :", "suspended"),
        ("Nouveaux traitements :", "new"),
        ("Traitement de sortie :", "active"),
        ("Médicaments à ne pas arrêter :", "active"),
    ],
)
def test_section_header_status(header: str, status: str) -> None:
    med = only(f"{header}\n- ramipril 5 mg : 1 cp le matin\n")
    assert med.status == status


@pytest.mark.parametrize(
    ("line", "dose", "unit"),
    [
        ("Duphalac 1 sachet matin et soir si constipation\n", 1, "sachet"),
        ("Xalatan 1 goutte dans l'oeil droit le soir\n", 1, "goutte"),
        ("Préviscan 20 mg ¾ cp le soir\n", 0.75, "comprimé"),
        ("Seresta 10 mg : un demi-comprimé au coucher\n", 0.5, "comprimé"),
        ("Forlax 10 g : un sachet le matin\n", 1, "sachet"),
    ],
)
def test_dose_without_separator(line: str, dose: float, unit: str) -> None:
    med = only(line)
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (dose, unit)


def test_dose_right_after_the_strength_comes_before_the_maximum() -> None:
    med = only("10) DOLIPRANE 1000 mg cp 1 cp si douleur, max 3 cp/j\n")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (1, "comprimé")
    assert med.as_needed and per_day(med) == 3


def test_pack_volume_is_not_a_dose() -> None:
    med = only("02/04/25  LANTUS SOLOSTAR 100U/ML SOL INJ STYLO 3ML       1  22 UI LE SOIR\n")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (22, "UI")
    assert med.strength is not None and med.strength.unit == "UI/ml"


def test_insulin_units_with_a_route_before_the_time() -> None:
    med = only("• Insuline glargine (LANTUS) 20 UI SC le soir - diminution\n")
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (20, "UI")
    assert med.route == "sous-cutanée"


def test_upper_case_continuation_row_is_not_a_section_header() -> None:
    text = ("SITAGLIPTINE 50 MG CP | 1 CP LE MATIN | PO | NOUVEAU - RELAIS\n"
            " | | | | À ARRÊTER SI REPRISE DE L'OZEMPIC\n"
            "VALSARTAN 160 MG CP | 1 CP LE MATIN | PO |\n")
    meds = {m.drug_text.upper(): m for m in extract(text)}
    assert meds["VALSARTAN"].status == "active"


def test_table_row_whose_columns_are_out_of_line() -> None:
    text = ("MEDICAMENT  MATIN  MIDI  SOIR  COUCHER  OBSERVATIONS\n"
            "REPAGLINIDE 1 MG CPR  1  1  1  0  15 min avant le repas\n"
            "FUROSEMIDE 20 mg cp  1  -  -  -  pesée le lundi\n")
    meds = {m.drug_text.upper(): m for m in extract(text)}
    assert per_day(meds["REPAGLINIDE"]) == 3 and per_day(meds["FUROSEMIDE"]) == 1


def test_comma_list_items_do_not_share_posology() -> None:
    meds = extract("Traitement à l'entrée : Spiriva, Seretide 500/50, Ventoline si besoin, amlodipine 5 mg\n")
    spiriva = next(m for m in meds if m.drug_text.lower().startswith("spiriva"))
    assert not spiriva.as_needed
