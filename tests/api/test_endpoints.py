"""Each resource: inputs it accepts, what it answers (contract documents, letters, drug hits), OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.routes.letters import negotiate
from tests.api.conftest import ALICE, bearer
from tests.pdfgen import text_to_pdf
from tests.test_cli import HOSPITAL, ORDONNANCE

H = bearer(ALICE)


def test_extract_json_text_and_pdf_upload(client: TestClient, contract: Callable) -> None:
    r = client.post("/v1/extract?side=city", json={"text": ORDONNANCE, "name": "ordo.txt"}, headers=H)
    assert r.status_code == 200
    contract(r.json(), "medication-list")
    assert r.json()["document"]["name"] == "ordo.txt" and r.json()["document"]["side"] == "city"
    pdf = text_to_pdf(ORDONNANCE)
    r = client.post("/v1/extract", files={"file": ("ordo.pdf", pdf, "application/pdf")}, headers=H)
    assert r.status_code == 200 and len(r.json()["medications"]) == 3
    contract(r.json(), "medication-list")


def test_reconcile_from_lists_and_with_during(client: TestClient, contract: Callable) -> None:
    b = client.post("/v1/extract", json={"text": ORDONNANCE}, headers=H).json()
    a = client.post("/v1/extract", json={"text": HOSPITAL}, headers=H).json()
    r = client.post("/v1/reconcile", json={"before": b, "after": a}, headers=H)
    assert r.status_code == 200
    contract(r.json(), "reconciliation")
    assert sorted(line["status"] for line in r.json()["lines"]) == ["added", "modified", "stopped", "substituted"]
    r = client.post("/v1/reconcile", json={"before": {"text": ORDONNANCE}, "after": {"text": HOSPITAL},
                                           "during": {"text": HOSPITAL}}, headers=H)
    assert r.status_code == 200 and len(r.json()["context"]["during"]["medications"]) == 3
    contract(r.json(), "reconciliation")
    files = {"before": ("b.txt", ORDONNANCE.encode()), "after": ("a.txt", HOSPITAL.encode()),
             "during": ("d.pdf", text_to_pdf(HOSPITAL), "application/pdf")}
    r = client.post("/v1/reconcile?store=true", files=files, headers=H)
    assert r.status_code == 201 and r.json()["context"]["during"]["document"]["media_type"] == "application/pdf"
    stored = client.get(r.headers["location"], headers=H).json()
    assert stored["context"] == r.json()["context"]


def test_letters_in_three_formats(client: TestClient) -> None:
    report = client.post("/v1/reconcile", json={"before": {"text": ORDONNANCE}, "after": {"text": HOSPITAL}},
                         headers=H).json()
    stay = {"patient": {"name": "EXEMPLE Jean"}, "reason": "Insuffisance cardiaque"}
    html = client.post("/v1/letters", json={"report": report, "stay": stay}, headers=H)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "EXEMPLE Jean" in html.text
    pdf = client.post("/v1/letters", json={"report": report}, headers={**H, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    fhir = client.post("/v1/letters", json={"report": report}, headers={**H, "Accept": "application/fhir+json"})
    if fhir.status_code == 406:
        pytest.skip("FHIR export not available in this checkout")
    assert fhir.status_code == 200 and json.loads(fhir.content)["resourceType"] == "Bundle"
    r = client.post("/v1/letters", json={"report": report}, headers={**H, "Accept": "image/png"})
    assert r.status_code == 406 and r.json()["code"] == "E406"


def test_letter_requests_are_checked(client: TestClient) -> None:
    for body in ({}, {"report_id": "0" * 32, "report": {}}, {"report_id": "not-an-id"}):
        r = client.post("/v1/letters", json=body, headers=H)
        assert r.status_code == 422 and r.json()["code"] == "E422"
    r = client.post("/v1/letters", content=b"report_id=1", headers={**H, "Content-Type": "text/plain"})
    assert r.status_code == 415


def test_accept_negotiation() -> None:
    assert negotiate(None) == "html" and negotiate("*/*") == "html"
    assert negotiate("application/pdf") == "pdf"
    assert negotiate("text/html;q=0.5, application/pdf;q=0.9") == "pdf"
    assert negotiate("application/pdf;q=0, text/html") == "html"


def test_drug_search(client: TestClient) -> None:
    r = client.get("/v1/drugs", params={"q": "doliprane", "limit": 2}, headers=H)
    assert r.status_code == 200
    body = r.json()
    assert body["method"] == "exact" and body["results"][0]["atc"] == "N02BE01" and len(body["results"]) <= 2
    assert client.get("/v1/drugs", params={"q": ""}, headers=H).status_code == 422
    assert client.get("/v1/drugs", params={"q": "x", "limit": 99}, headers=H).status_code == 422


def test_openapi_documents_every_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
    assert {("POST", "/v1/extract"), ("POST", "/v1/reconcile"), ("POST", "/v1/letters"),
            ("GET", "/v1/reports/{report_id}"), ("GET", "/v1/drugs"), ("GET", "/healthz"),
            ("GET", "/readyz")} <= ops
    assert "Problem" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path in ("/v1/extract", "/v1/reconcile", "/v1/letters"):
        op = spec["paths"][path]["post"]
        assert "401" in op["responses"] and "422" in op["responses"]
        assert "application/problem+json" in op["responses"]["422"]["content"]
    assert spec["paths"]["/v1/extract"]["post"]["requestBody"]["content"].keys() >= {"multipart/form-data",
                                                                                      "application/json"}
    assert spec["components"]["schemas"]["ExtractTextRequest"]["examples"]
    assert "example" in spec["paths"]["/v1/reconcile"]["post"]["requestBody"]["content"]["application/json"] or \
        spec["components"]["schemas"]["ReconcileTextRequest"]["examples"]


def test_unknown_paths_and_methods_are_problems(client: TestClient) -> None:
    r = client.get("/v1/nothing", headers=H)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    r = client.delete("/v1/extract", headers=H)
    assert r.status_code == 405 and r.json()["code"] == "E405"
