"""The pydantic models and the contract's JSON Schemas agree."""

from __future__ import annotations

import json

import pytest

from recon.models import MedicationList, ReconciliationReport
from tests.conftest import CONTRACT


def test_models_generate_a_json_schema_with_the_contract_required_fields() -> None:
    ml = MedicationList.model_json_schema()
    med = ml["$defs"]["Medication"]
    contract_required = {"id", "text", "span", "page", "drug_text", "substances", "atc", "link", "strength",
                         "form", "route", "dose", "frequency", "as_needed", "duration", "status", "confidence",
                         "needs_review"}
    assert contract_required <= set(med["properties"])
    rc = ReconciliationReport.model_json_schema()
    assert {"schema_version", "before", "after", "lines", "summary"} <= set(rc["properties"])


@pytest.mark.skipif(not CONTRACT.exists(), reason="contract folder not beside the checkout")
def test_model_fields_cover_every_contract_field() -> None:
    schema = json.loads((CONTRACT / "medication-list.schema.json").read_text(encoding="utf-8"))
    contract_fields = set(schema["$defs"]["medication"]["properties"])
    model_fields = set(MedicationList.model_json_schema()["$defs"]["Medication"]["properties"])
    assert contract_fields <= model_fields


def test_optional_text_fields_are_left_out_when_unset(contract) -> None:
    from recon.models import DocumentInfo, Quantity

    q = Quantity(value=1, unit="mg")
    assert "text" not in q.model_dump(mode="json")
    doc = MedicationList(document=DocumentInfo(name="x.txt", side="city", media_type="text/plain", pages=1,
                                               sha256="0" * 64), medications=[])
    contract(json.loads(doc.to_json()), "medication-list")
