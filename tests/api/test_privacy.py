"""Canaries: unique patient strings sent through every endpoint never reach the logs, an error body,
or the database — unless the caller asks to store the report."""

from __future__ import annotations

import logging
import random
import string
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ALICE, bearer, dump_database
from tests.pdfgen import text_to_pdf
from tests.test_cli import HOSPITAL, ORDONNANCE

CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore")  # the test client's own request log, not the server's


def _requests(canary: str, report: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Successful and failing requests, each carrying the canary in patient-text positions."""
    before = ORDONNANCE + f"{canary} 5 mg cp : 1 cp le matin\n"
    after = f"Patient {canary}\n" + HOSPITAL
    pdf = text_to_pdf(before)
    stay = {"patient": {"name": canary, "birth_date": "1941-06-11"}, "reason": canary}
    ml = report["before"]
    return [
        ("POST", "/v1/extract", {"json": {"text": before, "name": f"{canary}.txt"}}),
        ("POST", "/v1/extract", {"files": {"file": (f"{canary}.txt", before.encode())}}),
        ("POST", "/v1/extract", {"files": {"file": (f"{canary}.pdf", pdf, "application/pdf")}}),
        ("POST", "/v1/reconcile", {"json": {"before": {"text": before}, "after": {"text": after},
                                            "during": {"text": after}}}),
        ("POST", "/v1/reconcile", {"files": {"before": (f"{canary}.txt", before.encode()),
                                             "after": ("a.pdf", text_to_pdf(after), "application/pdf")}}),
        ("POST", "/v1/reconcile", {"json": {"before": report["before"], "after": report["after"]}}),
        ("POST", "/v1/letters", {"json": {"report": report, "stay": stay}}),
        ("POST", "/v1/letters", {"json": {"report": report, "stay": stay}, "headers": {"Accept": "application/pdf"}}),
        ("GET", f"/v1/drugs?q={canary}", {}),
        # failures
        ("POST", "/v1/extract", {"files": {"file": (f"{canary}.docx", canary.encode())}}),
        ("POST", "/v1/extract", {"files": {"file": (f"{canary}.pdf", canary.encode() * 50)}}),
        ("POST", "/v1/extract", {"files": {"file": (f"{canary}.txt", b"\x00" + canary.encode())}}),
        ("POST", "/v1/extract", {"files": {"file": (f"{canary}.txt", b"   ")}}),
        ("POST", "/v1/extract", {"json": {"text": before, "name": f"../{canary}"}}),
        ("POST", "/v1/extract", {"json": {"text": before, "side": canary}}),
        ("POST", "/v1/extract", {"json": {"text": before, canary: canary}}),
        ("POST", "/v1/extract", {"content": b'{"text": "' + canary.encode(), "headers": {"Content-Type":
                                                                                          "application/json"}}),
        ("POST", "/v1/extract", {"content": canary.encode(), "headers": {"Content-Type": "text/plain"}}),
        ("POST", f"/v1/extract?side={canary}", {"json": {"text": before}}),
        ("POST", "/v1/reconcile", {"json": {"before": {"text": before}}}),
        ("POST", "/v1/reconcile", {"json": {"before": {**ml, "medications": [{"text": canary}]}, "after": ml}}),
        ("POST", "/v1/letters", {"json": {"report": report, "stay": {"patient": {"birth_date": canary}}}}),
        ("POST", "/v1/letters", {"json": {"report": report, "stay": {canary: canary}}}),
        ("POST", "/v1/letters", {"json": {"report": {**report, "lines": canary}}}),
        ("POST", "/v1/letters", {"json": {"report": report}, "headers": {"Accept": canary}}),
        ("GET", f"/v1/reports/{canary}", {}),
        ("GET", "/v1/drugs?q=" + canary * 30, {}),
    ]


def _send(client: TestClient, method: str, path: str, kwargs: dict[str, Any]) -> Any:
    kwargs = dict(kwargs)
    headers = {**bearer(ALICE), **kwargs.pop("headers", {})}
    return client.request(method, path, headers=headers, **kwargs)


def test_canaries_never_reach_logs_error_bodies_or_the_database(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    canary = "CANARY" + "".join(random.choice(string.ascii_uppercase) for _ in range(12))
    report = client.post("/v1/reconcile", headers=bearer(ALICE),
                         json={"before": {"text": ORDONNANCE + f"{canary} 5 mg cp : 1 cp\n"},
                               "after": {"text": HOSPITAL}}).json()
    caplog.set_level(logging.DEBUG)
    statuses = []
    for method, path, kwargs in _requests(canary, report):
        r = _send(client, method, path, {**kwargs, "headers": {**kwargs.get("headers", {}),
                                                                 "Idempotency-Key": uuid.uuid4().hex}})
        statuses.append(r.status_code)
        assert r.status_code < 500, (path, r.status_code)
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), path
            assert canary not in r.text, (path, r.text)
    assert statuses.count(200) >= 8 and sum(s >= 400 for s in statuses) >= 15
    server_logs = [rec for rec in caplog.records if not rec.name.startswith(CLIENT_LOGGERS)]
    assert server_logs, "the access log is on"
    for rec in server_logs:
        text = rec.getMessage() + (rec.exc_text or "") + str(rec.exc_info or "")
        assert canary not in text, (rec.name, text)
    assert canary not in dump_database(client)

    stored = client.post("/v1/reconcile?store=true", headers=bearer(ALICE),
                         json={"before": {"text": ORDONNANCE + f"{canary} 5 mg cp : 1 cp\n", "name": f"{canary}.txt"},
                               "after": {"text": HOSPITAL}})
    assert stored.status_code == 201
    assert canary in dump_database(client)  # asked for: stored
    audit_rows = [line for line in dump_database(client).splitlines() if "create" in line or "read" in line]
    assert audit_rows and all(canary not in line for line in audit_rows)


def test_validation_errors_name_fields_not_values(client: TestClient, contract: Callable) -> None:
    r = client.post("/v1/extract", json={"text": "x", "name": "SECRET/NAME"}, headers=bearer(ALICE))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "name"] and "SECRET" not in r.text
