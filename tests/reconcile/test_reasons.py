"""The justification kept from a line's comment: the clinical reason only, never a cut word."""

from __future__ import annotations

import re

import pytest

from recon.reconcile.reasons import MAX_LENGTH, change_cue, justification, reason_for, substitution_cue
from tests.reconcile.helpers import med

# -- what is removed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", [
    "1 cp le matin | PO | 02/06/2025 | poursuivi",
    "Traitement personnel poursuivi",
    "traitement habituel inchangé",
    "1 cp le soir - nouveau",
    "NOUVEAU",
    "| | | |",
    "2 cp le soir pendant 10 jours puis 1 cp",
    "1 sachet si douleur",
    "à prendre 30 min avant le repas",
    "jusqu'à la consultation de contrôle",
    "Débuté le 02/06/2025",
    "dose réduite",
    "Dr R. Fictif, cardiologue",
    "validé par Dr Imaginaire ; signé interne",
])
def test_structure_status_posology_and_signatures_alone_give_no_reason(comment: str) -> None:
    assert justification(comment) is None


def test_table_cells_lose_their_status_route_and_date() -> None:
    assert justification("STOP | IV | 02/06/2025 | toux sèche sous IEC") == "toux sèche sous IEC"
    assert justification("ARRÊT IV 02/06/2025 toux sèche sous IEC") == "toux sèche sous IEC"
    assert justification("1 cp/j | PO | 02/06/2025 | Nouveau - goutte tophacée") == "goutte tophacée"


def test_a_cell_wrapped_on_the_next_row_is_joined_back_not_cut() -> None:
    comment = "ARRÊT | PO | 02/06/2025 | toux sèche | | | | persistante sous IEC"
    assert justification(comment) == "toux sèche persistante sous IEC"
    # the wrapped text continues the comment cell, not the route code before it
    assert justification("1 cp le soir | PO | équivalence livret du | | | losartan") == "équivalence livret du losartan"


def test_a_line_wrapped_in_lower_case_is_joined_back() -> None:
    assert justification("arrêt en raison d'une insuffisance\nrénale aiguë") == (
        "arrêt en raison d'une insuffisance rénale aiguë")


def test_signatures_and_roles_are_removed() -> None:
    assert justification("1 cp/j - hypotension orthostatique - Dr R. Fictif, cardiologue") == (
        "hypotension orthostatique")
    assert justification("hyperkaliémie, vu avec Pr Inventé ; validé par Dr Imaginaire") == "hyperkaliémie"
    assert justification("goutte, signé interne") == "goutte"


def test_services_pages_and_ward_codes_are_removed() -> None:
    assert justification("relais per os ; service de pneumologie ; page 2/3 ; lit 7 ; UF 4521") == "relais per os"


def test_dates_and_times_are_removed_inside_a_clause() -> None:
    assert justification("crise de goutte le 03/02/2025 à 09h30") == "crise de goutte"
    assert justification("fibroscopie du 14/01 : ulcère gastrique") == "fibroscopie : ulcère gastrique"


def test_a_blood_pressure_is_not_a_date() -> None:
    assert justification("PA 12/8 debout") == "PA 12/8 debout"
    assert justification("hypotension (PA 85/50)") == "hypotension (PA 85/50)"


def test_a_trailing_dose_is_removed_but_a_lab_value_kept() -> None:
    assert justification("prévention MTEV 4000 UI/0,4 ml") == "prévention MTEV"
    assert justification("hypokaliémie 2,9 mmol/l") == "hypokaliémie 2,9 mmol/l"
    assert justification("clairance 28 ml/min") == "clairance 28 ml/min"


def test_bare_change_words_are_removed_but_head_a_reason() -> None:
    assert justification("réduite ; somnolence diurne") == "somnolence diurne"
    assert justification("dose augmentée, TSH à 7,4") == "TSH à 7,4"
    assert justification("TSH à 7,4 : dose augmentée") == "TSH à 7,4"
    assert justification("majoration : LDL 1,9 g/l") == "majoration : LDL 1,9 g/l"


def test_administration_instructions_are_removed() -> None:
    assert justification("avec un grand verre d'eau, rester debout 30 min ; NOUVEAU : ostéoporose") == "ostéoporose"
    assert justification("sclérose en plaques ; kit à conserver au réfrigérateur") == "sclérose en plaques"
    assert justification("injection SC ; anémie de l'insuffisance rénale") == "anémie de l'insuffisance rénale"


def test_the_lines_own_drug_name_is_not_a_reason() -> None:
    line = med("a1", "ramipril", drug_text="RAMIPRIL", comment="(TRIATEC) | ARRÊT | PO | 02/06/2025 | toux sèche")
    assert reason_for(line) == "toux sèche"


def test_a_bare_drug_name_is_not_a_reason_unless_the_line_is_a_substitution() -> None:
    assert justification("baisse du LASILIX ; arrêt du TAHOR ; hypotension") == "hypotension"
    assert justification("équivalence livret ; TAHOR 20 mg") == "équivalence livret ; TAHOR 20 mg"
    assert justification("non référencé au livret : remplacé par pantoprazole 40 mg") == (
        "non référencé au livret : remplacé par pantoprazole 40 mg")


# -- what is kept ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("comment", "expected"), [
    ("suspendu en raison d'une insuffisance rénale aiguë", "suspendu en raison d'une insuffisance rénale aiguë"),
    ("suspendu car INR à 5,2", "suspendu car INR à 5,2"),
    ("arrêt suite à une chute", "arrêt suite à une chute"),
    ("arrêt devant une toux persistante", "arrêt devant une toux persistante"),
    ("introduit pour une FA paroxystique", "introduit pour une FA paroxystique"),
    ("dose diminuée en raison de la somnolence", "dose diminuée en raison de la somnolence"),
    ("pas de reprise tant que PAS < 100 mmHg", "pas de reprise tant que PAS < 100 mmHg"),
    ("ne pas réintroduire : angio-œdème", "ne pas réintroduire : angio-œdème"),
    ("suspendu pendant la chimiothérapie", "suspendu pendant la chimiothérapie"),
    ("Arrêt 5 j avant coloscopie", "Arrêt 5 j avant coloscopie"),
    ("reprise à discuter selon créatinine", "reprise à discuter selon créatinine"),
])
def test_negation_and_causal_words_are_kept(comment: str, expected: str) -> None:
    assert justification(comment) == expected


def test_blood_pressure_written_pas_is_not_a_negation_to_strip() -> None:
    assert justification("SUSPENDU (PAS 92 mmHg)") == "PAS 92 mmHg"


def test_true_reasons_are_kept_as_written() -> None:
    assert justification("1 cp le matin (insuffisance rénale (DFG 25 ml/min))") == "insuffisance rénale (DFG 25 ml/min)"
    assert justification("1 g toutes les 8 h | IV | relais per os dès que possible") == "relais per os dès que possible"
    assert justification("équivalence livret") == "équivalence livret"
    assert justification("1 cp le soir - douleurs neuropathiques") == "douleurs neuropathiques"
    assert justification("SCA ST- ; jusqu'à la coronarographie") == "SCA ST-"


# -- length ------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’<>=%+-]+", text)


@pytest.mark.parametrize("comment", [
    "pneumopathie d'inhalation compliquée, " * 20,
    "insuffisance " * 60,
    "hypotension orthostatique symptomatique ; " + "chute à domicile avec traumatisme crânien léger " * 8,
    "a" * 40 + " " + "anticoagulation curative prolongée " * 15,
])
def test_a_long_reason_is_cut_at_a_word_boundary(comment: str) -> None:
    found = justification(comment)
    assert found and len(found) <= MAX_LENGTH
    source = set(_words(comment))
    assert all(w in source for w in _words(found)), found  # no word cut in its middle
    assert not found.endswith((" de", " à", " et", ",", ";", ":"))


def test_a_long_reason_ends_at_a_clause_when_it_can() -> None:
    comment = "hypotension orthostatique symptomatique ; " + "chute à domicile, " * 30
    found = justification(comment)
    assert found and len(found) <= MAX_LENGTH and found.endswith("chute à domicile")


# -- reason_for and cues -----------------------------------------------------------------------------


def test_reason_for_takes_the_first_line_with_a_reason_and_falls_back_on_the_text() -> None:
    silent = med("a1", "furosémide", comment="1 cp le matin | PO | 02/06/2025 | poursuivi")
    written = med("a2", "furosémide", comment=None, text="FUROSEMIDE 40 mg : 1 cp le matin (œdèmes des chevilles)")
    assert reason_for(None, silent) is None
    assert reason_for(silent, written) == "œdèmes des chevilles"


def test_cues_are_unchanged() -> None:
    assert substitution_cue(med("a1", "pantoprazole", comment="non référencé au livret : remplace ésoméprazole"))
    assert change_cue(med("a1", "ramipril", comment="dose doublée : PA 170/95"))
    assert not change_cue(med("a1", "ramipril", comment="pas de modification"))
