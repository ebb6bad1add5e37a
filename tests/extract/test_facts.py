"""Allergies, patient identity, document kind, stay dates and author read from small fictional documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from recon.extract import extract_medications
from recon.extract.facts import allergen_atc, read_allergies, read_author, read_facts, read_patient
from recon.ingest import Document, read_bytes
from recon.merge import merge_lists
from recon.models import Allergy


def doc(text: str) -> Document:
    return read_bytes(text.encode("utf-8"), name="t.txt", suffix=".txt")


def allergies(text: str) -> list[Allergy] | None:
    return read_allergies(doc(text))


def only(text: str) -> Allergy:
    found = allergies(text)
    assert found is not None and len(found) == 1, found
    return found[0]


# -- allergies -------------------------------------------------------------------------------------------

def test_allergy_with_reaction() -> None:
    text = "Mme EXEMPLE Alice\nAllergie : pénicilline (urticaire)\n\n- ramipril 5 mg : 1 cp le matin\n"
    a = only(text)
    assert a.substance == "pénicilline" and a.reaction == "urticaire" and a.kind == "allergie"
    assert a.atc == ["J01C"] and a.page == 1
    d = doc(text)
    assert a.span is not None and d.text[a.span[0]:a.span[0] + len("pénicilline")] == "pénicilline"
    assert a.text == "Allergie : pénicilline (urticaire)"


def test_several_allergens_on_one_line() -> None:
    found = allergies("ALLERGIES : amoxicilline, iode\n")
    assert found is not None and [a.substance for a in found] == ["amoxicilline", "iode"]
    amox, iode = found
    assert "J01CA04" in amox.atc and "J01C" in amox.atc  # one penicillin covers the penicillins
    assert "V08A" in iode.atc


@pytest.mark.parametrize("text", [
    "Allergies connues : aucune\n",
    "Pas d'allergie connue.\n",
    "Allergies : néant\n",
    "ALLERGIE(S) : non connues\n",
    "Tabac : non. Aucune allergie connue.\n",
    "Poids 70 kg    Allergie : aucune connue    Taille 170 cm\n",
])
def test_no_allergy_is_an_empty_list(text: str) -> None:
    assert allergies(text) == []


def test_silence_is_none() -> None:
    assert allergies("Dr Test EXEMPLE\n- ramipril 5 mg : 1 cp le matin\n") is None


def test_intolerance_to_a_class() -> None:
    a = only("Intolérance aux AINS (gastralgies)\n")
    assert a.kind == "intolérance" and a.substance == "AINS" and a.reaction == "gastralgies"
    assert "M01A" in a.atc


def test_allergic_to() -> None:
    a = only("Patient allergique à la codéine, suivi en ville.\n")
    assert a.substance == "codéine" and "R05DA04" in a.atc and a.reaction is None


def test_allergy_section_one_per_line() -> None:
    text = "ALLERGIES :\n- amoxicilline (œdème)\n- latex\n\nTRAITEMENT :\n- ramipril 5 mg : 1 cp le matin\n"
    found = allergies(text)
    assert found is not None and [a.substance for a in found] == ["amoxicilline", "latex"]
    assert found[0].reaction == "œdème" and found[1].atc == []


def test_allergen_named_before_the_word() -> None:
    a = only("Surveillance de la tension. Éviter les sulfamides (allergie).\n")
    assert a.substance == "sulfamides" and a.atc == ["J01E"]


def test_mid_line_statement_ends_at_a_column_gap() -> None:
    a = only("EXEMPLE Jean, M, 70 ans - Allergie : produits de contraste iodés (érythème)   Poids 80 kg\n")
    assert a.substance == "produits de contraste iodés" and a.reaction == "érythème"


def test_not_a_reaction_in_parentheses() -> None:
    a = only("Allergie : iode ? (notion ancienne)\n")
    assert a.substance == "iode" and a.reaction is None


def test_a_reason_in_parentheses_is_not_an_allergy() -> None:
    assert allergies("Voie sous-cutanée (intolérance digestive de la forme orale)\n") is None


def test_unknown_class_without_colon_is_not_taken() -> None:
    assert allergies("Bilan allergique prévu en consultation.\n") is None


def test_class_table_before_the_linker() -> None:
    # the reference would read 'pénicilline' as another drug by its spelling; the class table wins
    assert allergen_atc("PÉNICILLINES") == (["J01C"], True)
    assert allergen_atc("bêta-lactamines")[0] == ["J01C", "J01D"]
    assert allergen_atc("fraises") == ([], False)


def test_allergy_lines_stay_out_of_the_medications() -> None:
    ml = extract_medications(doc("ALLERGIES :\n- amoxicilline\n\nTRAITEMENT :\n- ramipril 5 mg : 1 cp le matin\n"),
                             extractor="rules")
    assert [m.drug_text for m in ml.medications] == ["ramipril"]
    assert ml.allergies is not None and ml.allergies[0].substance == "amoxicilline"


# -- patient ---------------------------------------------------------------------------------------------

def test_patient_labelled() -> None:
    p = read_patient(doc("Patient : Mme DUPONT Marie    née le 12/03/1948    IPP : 123456\n"))
    assert p is not None
    assert (p.name, p.birth_date, p.sex, p.ipp) == ("DUPONT Marie", "1948-03-12", "F", "123456")


def test_patient_name_and_first_name_labels() -> None:
    p = read_patient(doc("Nom : MARTIN Prénom : Paul   Sexe : M   DDN : 01/02/1950\n"))
    assert p is not None and (p.name, p.sex, p.birth_date) == ("MARTIN Paul", "M", "1950-02-01")


def test_patient_after_civility_not_a_relative() -> None:
    text = ("Personne de confiance : M. EXEMPLE Luc (fils)\n"
            "M. Jean EXEMPLE, 80 ans\n"
            "Date de naissance : 3 avril 1944\n"
            "INS : 1 44 04 75 112 033 45\n")
    p = read_patient(doc(text))
    assert p is not None and p.name == "Jean EXEMPLE" and p.sex == "M"
    assert p.birth_date == "1944-04-03" and p.ins == "144047511203345"


def test_patient_bare_name_with_sex_letter() -> None:
    p = read_patient(doc("SERVICE TEST\nFICTIF Adèle | F | 88 a | IPP 4455667\n"))
    assert p is not None and (p.name, p.sex, p.ipp) == ("FICTIF Adèle", "F", "4455667")


def test_no_patient() -> None:
    assert read_patient(doc("- ramipril 5 mg : 1 cp le matin\n")) is None


# -- kind, dates, author ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    ("Hôpital Fictif - Service de Test\nORDONNANCE DE SORTIE\n", "discharge"),
    ("Hôpital Fictif\nLettre de liaison à la sortie - 02/05/2025\n", "discharge"),
    ("Hôpital Fictif\nPrescription médicale d'admission du 01/05/2025\n", "admission"),
    ("Hôpital Fictif\nPrescriptions en cours au 03/05/2025\n", "stay"),
    ("Pharmacie Fictive\nHistorique des délivrances du 01/01/2025 au 31/03/2025\n", "usual"),
    ("EHPAD Les Fictifs\nFiche de liaison EHPAD -> urgences\n", "usual"),
    ("Dr Test EXEMPLE\nMédecin généraliste\n\n- ramipril 5 mg : 1 cp le matin\n", "usual"),
    ("CH Fictif - Pharmacie\nBilan médicamenteux optimisé - entretien d'admission\n", "usual"),
    ("- ramipril 5 mg : 1 cp le matin\n", "unknown"),
])
def test_document_kind(text: str, kind: str) -> None:
    assert read_facts(doc(text)).kind == kind


def test_stay_dates_and_author() -> None:
    text = ("CHU de Fictiville - Service de Médecine interne\n"
            "Dr P. EXEMPLE - RPPS 00000000000\n"
            "ORDONNANCE DE SORTIE\n"
            "Mme TEST Zoé, hospitalisée du 28/12 au 04/01/2025\n"
            "Destinataire : Dr AUTRE, médecin traitant\n")
    facts = read_facts(doc(text))
    assert facts.kind == "discharge"
    assert (facts.admission_date, facts.discharge_date) == ("2024-12-28", "2025-01-04")
    assert facts.author == "Dr P. EXEMPLE"
    assert facts.hospital == "CHU de Fictiville" and facts.service == "Service de Médecine interne"
    assert facts.patient is not None and facts.patient.name == "TEST Zoé" and facts.patient.sex == "F"


def test_labelled_prescriber_and_admission_date() -> None:
    text = ("CH Fictif - Cardiologie\nPrescription d'entrée   Prescripteur : Dr A. TESTEUR\n"
            "Date d'entrée : 05/06/2025\n")
    facts = read_facts(doc(text))
    assert facts.kind == "admission" and facts.author == "Dr A. TESTEUR" and facts.admission_date == "2025-06-05"


def test_gp_named_as_addressee_is_not_the_author() -> None:
    assert read_author(doc("Médecin traitant : Dr FICTIF\nMT : Dr AUTRE\n")) is None


# -- the extracted list and its merge -------------------------------------------------------------------

def test_extracted_list_carries_allergies_and_facts(contract: Callable[[dict[str, Any], str], None]) -> None:
    text = ("Hôpital Fictif - Service de Test\nORDONNANCE DE SORTIE\nPatient : M. EXEMPLE Jean\n"
            "Allergie : codéine (nausées)\n\n- ramipril 5 mg : 1 cp le matin\n")
    ml = extract_medications(doc(text), extractor="rules")
    data = json.loads(ml.to_json())
    contract(data, "medication-list")
    assert data["allergies"][0]["substance"] == "codéine"
    assert data["facts"]["kind"] == "discharge" and data["facts"]["patient"]["name"] == "EXEMPLE Jean"
    assert [m["drug_text"] for m in data["medications"]] == ["ramipril"]


def test_no_allergy_key_when_the_document_is_silent() -> None:
    data = json.loads(extract_medications(doc("- ramipril 5 mg : 1 cp le matin\n"), extractor="rules").to_json())
    assert "allergies" not in data


def test_merge_unions_allergies_and_keeps_first_facts() -> None:
    first = extract_medications(doc("Ordonnance\nDr A. EXEMPLE\nAllergie : iode\n\n- ramipril 5 mg : 1 cp le matin\n"),
                                extractor="rules")
    second = extract_medications(doc("Pharmacie Fictive\nHistorique des délivrances\n"
                                     "Patient : Mme TEST Zoé, née le 02/02/1940\n"
                                     "Allergies : IODE (urticaire), codéine\n\n- amlodipine 5 mg : 1 cp le soir\n"),
                                 extractor="rules")
    merged = merge_lists([first, second])
    assert merged.allergies is not None
    assert [(a.substance, a.document) for a in merged.allergies] == [("iode", 1), ("codéine", 2)]
    assert merged.allergies[0].reaction == "urticaire"  # completed from the second document
    assert merged.facts is not None and merged.facts.author == "Dr A. EXEMPLE"
    assert merged.facts.patient is not None and merged.facts.patient.birth_date == "1940-02-02"
