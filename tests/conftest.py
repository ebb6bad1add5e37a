"""Shared fixtures: the contract validator, the dev set and small documents."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# tests run on the embedded drug reference, whatever a user imported on this machine
os.environ.setdefault("RECON_REFERENCE", "embedded")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RECON_SHARED_DIR", ROOT.parent / "shared"))
CONTRACT = SHARED / "contract"
DEVSET = SHARED / "data" / "devset"


def _contract_validators() -> dict[str, Any]:
    import jsonschema
    from referencing import Registry, Resource

    if (CONTRACT / "medication-list.schema.json").exists():
        ml = json.loads((CONTRACT / "medication-list.schema.json").read_text(encoding="utf-8"))
        rc = json.loads((CONTRACT / "reconciliation.schema.json").read_text(encoding="utf-8"))
    else:  # no contract folder beside the checkout: the models' own schemas
        from recon.models import MedicationList, ReconciliationReport

        ml = MedicationList.model_json_schema()
        rc = ReconciliationReport.model_json_schema()
        rc["properties"]["before"] = {"$ref": "medication-list.schema.json"}
        rc["properties"]["after"] = {"$ref": "medication-list.schema.json"}
        for schema in (ml, rc):  # pydantic does not name the dialect; the registry needs it
            schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    registry = Registry().with_resources([("medication-list.schema.json", Resource.from_contents(ml))])
    return {
        "medication-list": jsonschema.Draft202012Validator(ml, registry=registry),
        "reconciliation": jsonschema.Draft202012Validator(rc, registry=registry),
    }


@pytest.fixture(scope="session")
def contract() -> Callable[[dict[str, Any], str], None]:
    """``contract(doc, "medication-list" | "reconciliation")`` fails the test when ``doc`` breaks the contract."""
    validators = _contract_validators()

    def check(doc: dict[str, Any], kind: str) -> None:
        errors = sorted(validators[kind].iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, f"{kind} output breaks the contract: {errors[0].message} at {list(errors[0].path)}"

    return check


@pytest.fixture(scope="session")
def devset() -> Path:
    if not DEVSET.exists():
        pytest.skip(f"dev set not found at {DEVSET}")
    return DEVSET


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write
