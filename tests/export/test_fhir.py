"""The FHIR R4 document Bundle: valid for fhir.resources, one MedicationStatement per report line."""

from __future__ import annotations

import json

import pytest

from recon.errors import RenderError
from recon.export import build_bundle, bundle_json, validate_bundle
from recon.export.fhir import FHIR_STATUS
from recon.letter import write_letter
from recon.letter.render import MISSING_REASON
from tests.letter import factory as F

pytest.importorskip("fhir.resources", reason="the FHIR export needs fhir.resources")


@pytest.fixture(scope="module")
def bundle() -> dict:
    return build_bundle(F.all_statuses(), F.stay(), today=F.TODAY)


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_with_fhir_resources(bundle) -> None:
    from fhir.resources.R4B.bundle import Bundle

    parsed = Bundle.model_validate_json(json.dumps(bundle))
    assert parsed.type == "document"
    assert validate_bundle(bundle) is not None


def test_composition_first_typed_discharge_summary(bundle) -> None:
    comp = bundle["entry"][0]["resource"]
    assert comp["resourceType"] == "Composition"
    assert comp["type"]["coding"][0] == {"system": "http://loinc.org", "code": "11490-0",
                                         "display": "Physician Discharge summary"}
    assert comp["status"] == "preliminary"
    assert bundle["identifier"]["value"].startswith("urn:uuid:") and bundle["timestamp"]


def test_one_statement_per_line_listed_by_the_medication_section(bundle) -> None:
    report = F.all_statuses()
    statements = _resources(bundle, "MedicationStatement")
    assert sorted(s["identifier"][0]["value"] for s in statements) == sorted(line.id for line in report.lines)
    comp = bundle["entry"][0]["resource"]
    meds = next(s for s in comp["section"] if s["code"]["coding"][0]["code"] == "10183-2")
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    listed = [urls[ref["reference"]] for ref in meds["entry"]]
    assert sorted(id(x) for x in listed) == sorted(id(x) for x in statements)
    by_line = {s["identifier"][0]["value"]: s for s in statements}
    for line in report.lines:
        s = by_line[line.id]
        assert s["status"] == FHIR_STATUS[line.status]
        assert s["extension"][0]["valueCode"] == line.status


def test_every_reference_resolves_inside_the_bundle(bundle) -> None:
    urls = {e["fullUrl"] for e in bundle["entry"]}
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("reference"), str):
                refs.append(node["reference"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(bundle)
    assert refs and set(refs) <= urls


def test_statement_content(bundle) -> None:
    by_line = {s["identifier"][0]["value"]: s for s in _resources(bundle, "MedicationStatement")}
    stopped = by_line["l8"]
    assert stopped["medicationCodeableConcept"]["coding"][0] == {"system": "http://www.whocc.no/atc",
                                                                 "code": "A12BA01",
                                                                 "display": "chlorure de potassium"}
    assert stopped["statusReason"][0]["text"] == "Hyperkaliémie 5,8 mmol/l"
    assert by_line["l7"]["status"] == "on-hold"
    new = by_line["l10"]
    assert new["reasonCode"][0]["text"].startswith("FA")
    repeat = new["dosage"][0]["timing"]["repeat"]
    assert repeat["frequency"] == 2 and repeat["periodUnit"] == "d" and repeat["when"] == ["MORN", "EVE"]
    assert by_line["l11"]["dosage"][0]["timing"]["repeat"]["boundsDuration"]["code"] == "d"
    assert by_line["l2"]["dosage"][0]["asNeededBoolean"] is True
    assert any(MISSING_REASON in n["text"] for n in by_line["l9"]["note"])
    assert any("Remplace" in n["text"] and "TAHOR" in n["text"] for n in by_line["l5"]["note"])


def test_stay_in_patient_practitioners_and_encounter(bundle) -> None:
    patient = _resources(bundle, "Patient")[0]
    assert patient["name"][0]["text"] == "DUPONT Marie"
    assert patient["birthDate"] == "1950-05-01" and patient["gender"] == "female"
    names = {p["name"][0]["text"] for p in _resources(bundle, "Practitioner")}
    assert names == {"Dr Jean MEDECIN", "Dr Anne ADRESSEUR", "Dr Paul HOSPITALIER"}
    encounter = _resources(bundle, "Encounter")[0]
    assert encounter["period"] == {"start": "2024-03-02", "end": "2024-03-09"}
    comp = bundle["entry"][0]["resource"]
    assert comp["author"][0]["display"] == "Dr Paul HOSPITALIER"
    titles = [s["title"] for s in comp["section"]]
    assert titles == ["Motif d’hospitalisation", "Allergies et intolérances", "Synthèse du séjour",
                      "Traitement médicamenteux de sortie", "Résultats d’examens en attente", "Suites à donner"]


def test_without_stay_and_without_lines_the_bundle_is_still_valid() -> None:
    data = build_bundle(F.empty(), today=F.TODAY)
    comp = data["entry"][0]["resource"]
    allergies, meds = comp["section"][0], comp["section"][1]
    assert allergies["emptyReason"]["coding"][0]["code"] == "unavailable"  # none written, not "none known"
    assert "aucune allergie connue renseignée" in allergies["text"]["div"]
    assert meds["emptyReason"]["coding"][0]["code"] == "nilknown"
    assert "Aucun traitement médicamenteux" in meds["text"]["div"]
    assert not _resources(data, "MedicationStatement") and _resources(data, "Patient")


def test_same_report_same_ids() -> None:
    a = bundle_json(F.all_statuses(), F.stay(), today=F.TODAY)
    b = bundle_json(F.all_statuses(), F.stay(), today=F.TODAY)
    assert a == b


def test_invalid_bundle_is_a_render_error_without_values() -> None:
    with pytest.raises(RenderError, match="E300") as e:
        validate_bundle({"resourceType": "Bundle", "type": "document",
                         "entry": [{"resource": {"resourceType": "MedicationStatement", "status": "active",
                                                 "note": [{"text": "SECRET"}]}}]})
    assert "SECRET" not in str(e.value)


def test_write_letter_json(tmp_path) -> None:
    out = write_letter(F.all_statuses(), tmp_path / "letter.json", stay=F.stay())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["resourceType"] == "Bundle"
    validate_bundle(data)
