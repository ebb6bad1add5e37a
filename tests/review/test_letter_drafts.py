"""Through the API: a letter is a draft ('brouillon — conciliation non validée', FHIR Composition 'preliminary')
unless it is the letter of a validated stored reconciliation."""

from __future__ import annotations

import io
import json
from typing import Any

import pdfplumber
from fastapi.testclient import TestClient

from tests.api.conftest import (  # noqa: F401  (fixtures)
    ALICE,
    _clean_env,
    bearer,
    client,
    db_url,
    jwks_file,
    make_client,
    make_token,
    rsa_keys,
)
from tests.letter import factory as F
from tests.review.test_review import AFTER, BEFORE

DRAFT = "brouillon — conciliation non validée"
FHIR = {"Accept": "application/fhir+json"}
PDF = {"Accept": "application/pdf"}


def _composition(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return json.loads(response.content)["entry"][0]["resource"]


def _pdf(response: Any) -> str:
    assert response.status_code == 200
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        return " ".join(" ".join((p.extract_text() or "") for p in pdf.pages).replace("\u00a0", " ").split())


def test_a_letter_of_a_report_in_the_request_is_a_draft(client: TestClient) -> None:  # noqa: F811
    report = json.loads(F.views_report().to_json())
    h = bearer(ALICE)
    html = client.post("/v1/letters", json={"report": report}, headers=h)
    assert html.status_code == 200 and DRAFT in html.text
    assert DRAFT in _pdf(client.post("/v1/letters", json={"report": report}, headers={**h, **PDF}))
    comp = _composition(client.post("/v1/letters", json={"report": report}, headers={**h, **FHIR}))
    assert comp["status"] == "preliminary" and DRAFT in comp["title"]


def test_a_stored_letter_is_final_once_validated(client: TestClient) -> None:  # noqa: F811
    h = bearer(ALICE)
    files = [("before", ("ville.txt", BEFORE.encode(), "text/plain")),
             ("after", ("sortie.txt", AFTER.encode(), "text/plain"))]
    stored = client.post("/v1/reconcile?store=true", files=files, headers=h)
    assert stored.status_code == 201, stored.text
    rid = stored.json()["id"]
    body = {"report_id": rid}
    assert DRAFT in client.post("/v1/letters", json=body, headers=h).text
    assert _composition(client.post("/v1/letters", json=body, headers={**h, **FHIR}))["status"] == "preliminary"
    for line in client.get(f"/v1/reports/{rid}/review", headers=h).json()["pending"]:
        r = client.put(f"/v1/reports/{rid}/lines/{line}/qualification", headers=h,
                       json={"qualification": "documented", "comment": "compte rendu d'hospitalisation"})
        assert r.status_code == 200
    assert client.post(f"/v1/reports/{rid}/validation", headers=h).status_code == 200
    assert "brouillon" not in client.post("/v1/letters", json=body, headers=h).text
    assert "brouillon" not in _pdf(client.post("/v1/letters", json=body, headers={**h, **PDF}))
    comp = _composition(client.post("/v1/letters", json=body, headers={**h, **FHIR}))
    assert comp["status"] == "final" and "brouillon" not in comp["title"]
