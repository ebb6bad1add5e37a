"""Stay metadata: stay.json, French aliases, errors that name keys and never values."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from recon.errors import FileNotFound, InputError
from recon.letter.stay import Stay, load_stay, stay_from_dict
from tests.letter import factory as F


def test_load_stay(tmp_path) -> None:
    p = tmp_path / "stay.json"
    p.write_text(json.dumps(F.STAY_JSON), encoding="utf-8")
    stay = load_stay(p)
    assert stay.patient.name == "DUPONT Marie" and stay.patient.birth_date == dt.date(1950, 5, 1)
    assert stay.patient.identifier == "123456"
    assert stay.gp is not None and stay.gp.name == "Dr Jean MEDECIN"
    assert stay.discharge_date == dt.date(2024, 3, 9)
    assert stay.follow_up == ["Ionogramme à J7", "Consultation de cardiologie dans 1 mois"]
    assert stay.patient.age_on(dt.date(2024, 3, 9)) == 73


def test_french_keys_and_sex_words() -> None:
    stay = stay_from_dict({"patient": {"nom": "X", "sexe": "femme", "date_naissance": "2000-01-02"},
                           "medecin_traitant": {"nom": "Dr Y"}, "date_entree": "2024-01-01",
                           "date_sortie": "2024-01-05", "motif": "chute", "synthese": "RAS",
                           "resultats_en_attente": "biopsie", "suites": ["RDV"]})
    assert stay.patient.sex == "F" and stay.gp is not None and stay.gp.name == "Dr Y"
    assert stay.reason == "chute" and stay.pending_results == ["biopsie"]


def test_everything_is_optional() -> None:
    assert stay_from_dict({}) == Stay()


@pytest.mark.parametrize(
    ("data", "where"),
    [({"patient": {"nam": "SECRET NAME"}}, "patient.nam: unknown key"),
     ({"admission_date": "2024-13-45"}, "admission_date: expected a date"),
     ({"admission_date": "2024-03-09", "discharge_date": "2024-03-01"}, "discharge date is before"),
     ({"patient": {"sex": "SECRET"}}, "patient.sex")],
)
def test_invalid_stay_names_the_key_not_the_value(data, where) -> None:
    with pytest.raises(InputError) as e:
        stay_from_dict(data, name="stay.json")
    assert where in str(e.value)
    assert "SECRET" not in str(e.value)


def test_file_errors(tmp_path) -> None:
    with pytest.raises(FileNotFound):
        load_stay(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ secret", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as e:
        load_stay(bad)
    assert "secret" not in str(e.value)
    arr = tmp_path / "arr.json"
    arr.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="JSON object"):
        load_stay(arr)


def test_letter_takes_a_stay_object_dict_or_path(tmp_path) -> None:
    from recon.letter import render_html

    p = tmp_path / "stay.json"
    p.write_text(json.dumps(F.STAY_JSON), encoding="utf-8")
    report = F.all_statuses()
    html = render_html(report, F.stay(), today=F.TODAY)
    assert render_html(report, F.STAY_JSON, today=F.TODAY) == html
    assert render_html(report, p, today=F.TODAY) == html
    assert render_html(report, str(p), today=F.TODAY) == html
    with pytest.raises(InputError):
        render_html(report, 42, today=F.TODAY)  # type: ignore[arg-type]


def test_the_example_stay_loads() -> None:
    from recon.letter import example_stay

    stay = example_stay()
    assert stay.patient.name == "EXEMPLE Jean" and stay.discharge_date == dt.date(2025, 9, 22)
