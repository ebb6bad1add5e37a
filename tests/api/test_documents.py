"""The HTTP API answers with contract documents, and with problem+json for bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from tests.test_cli import HOSPITAL, ORDONNANCE

client = TestClient(create_app())


def test_extract_upload_returns_a_medication_list(contract) -> None:
    r = client.post("/v1/extract", files={"file": ("ordo.txt", ORDONNANCE.encode(), "text/plain")})
    assert r.status_code == 200
    contract(r.json(), "medication-list")
    assert len(r.json()["medications"]) == 3


def test_reconcile_upload_returns_a_report(contract) -> None:
    files = {"before": ("b.txt", ORDONNANCE.encode()), "after": ("a.txt", HOSPITAL.encode())}
    r = client.post("/v1/reconcile", files=files)
    assert r.status_code == 200
    contract(r.json(), "reconciliation")


def test_bad_upload_is_a_problem_without_patient_text() -> None:
    r = client.post("/v1/extract", files={"file": ("x.docx", b"PATIENT-CANARY-123", "application/octet-stream")})
    assert r.status_code == 415
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "E102" and "CANARY" not in r.text


def test_health() -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
