"""The authorisation matrix: every operation × every kind of caller; refusals leak nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN, ALICE, BOB, app_of, bearer
from tests.test_cli import HOSPITAL, ORDONNANCE

SECRET_LINE = "ZOLPIDEMCANARY 10 mg cp : 1 cp au coucher"


def _store_report(client: TestClient, headers: dict[str, str]) -> str:
    r = client.post("/v1/reconcile?store=true", headers=headers,
                    json={"before": {"text": ORDONNANCE + SECRET_LINE + "\n"}, "after": {"text": HOSPITAL}})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def operations(report_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request kwargs) for every operation that needs authentication."""
    texts = {"before": {"text": ORDONNANCE}, "after": {"text": HOSPITAL}}
    files = {"before": ("b.txt", ORDONNANCE.encode()), "after": ("a.txt", HOSPITAL.encode())}
    return [
        ("POST", "/v1/extract", {"json": {"text": ORDONNANCE}}),
        ("POST", "/v1/extract", {"files": {"file": ("o.txt", ORDONNANCE.encode())}}),
        ("POST", "/v1/reconcile", {"json": texts}),
        ("POST", "/v1/reconcile", {"files": files}),
        ("POST", "/v1/reconcile?store=true", {"json": texts}),
        ("POST", "/v1/letters", {"json": {"report_id": report_id}}),
        ("GET", f"/v1/reports/{report_id}", {}),
        ("GET", "/v1/drugs?q=doliprane", {}),
    ]


def bad_credentials(make_token: Callable[..., str]) -> dict[str, dict[str, str]]:
    return {
        "no token": {},
        "empty bearer": {"Authorization": "Bearer "},
        "basic scheme": {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        "unknown API key": bearer("not-a-key-0123456789"),
        "API key with a typo": bearer(ALICE[:-1] + "X"),
        "expired JWT": bearer(make_token(expires_in=-3600)),
        "JWT for another audience": bearer(make_token(aud="other-api")),
        "JWT from another issuer": bearer(make_token(iss="https://evil.example.test")),
        "JWT signed by another key": bearer(make_token(key="other")),
        "JWT with an unknown kid": bearer(make_token(kid="nope")),
        "JWT HS256": bearer(make_token(alg="HS256")),
        "malformed JWT": bearer("a.b.c"),
    }


def test_every_operation_refuses_every_bad_credential(client: TestClient, make_token: Callable[..., str]) -> None:
    rid = _store_report(client, bearer(ALICE))
    refused = total = 0
    for label, headers in bad_credentials(make_token).items():
        for method, path, kwargs in operations(rid):
            r = client.request(method, path, headers=headers, **kwargs)
            total += 1
            assert r.status_code == 401, (label, method, path, r.status_code)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert r.json()["code"] == "E401"
            assert "ZOLPIDEMCANARY" not in r.text and "KARDEGIC" not in r.text and rid not in r.text
            refused += 1
    assert refused == total == len(bad_credentials(make_token)) * len(operations(rid))


def test_another_users_report_is_refused_and_indistinguishable_from_a_missing_one(
        client: TestClient, make_token: Callable[..., str]) -> None:
    rid = _store_report(client, bearer(ALICE))
    others = {"bob (API key)": bearer(BOB), "carol (OIDC, no admin role)": bearer(make_token("carol")),
              "oidc user named alice": bearer(make_token("alice"))}
    missing = "0" * 32
    for label, headers in others.items():
        for method, path, kwargs in operations(rid):
            if rid not in path and rid not in str(kwargs):
                continue
            r = client.request(method, path, headers=headers, **kwargs)
            assert r.status_code == 404, (label, path, r.status_code)
            assert "ZOLPIDEMCANARY" not in r.text and "KARDEGIC" not in r.text and "alice" not in r.text
            m = client.request(method, path.replace(rid, missing), headers=headers,
                               **({"json": {"report_id": missing}} if "json" in kwargs else {}))
            assert m.status_code == 404 and m.json() == r.json()  # no oracle: same answer as a missing report


def test_owner_and_admins_can_read_a_stored_report(client: TestClient, make_token: Callable[..., str]) -> None:
    rid = _store_report(client, bearer(ALICE))
    for headers in (bearer(ALICE), bearer(ADMIN), bearer(make_token("dora", roles=["recon-admin"]))):
        r = client.get(f"/v1/reports/{rid}", headers=headers)
        assert r.status_code == 200 and r.json()["id"] == rid
        assert "ZOLPIDEMCANARY" in r.text
        letter = client.post("/v1/letters", json={"report_id": rid}, headers={**headers, "Accept": "text/html"})
        assert letter.status_code == 200 and letter.headers["content-type"].startswith("text/html")


def test_oidc_users_own_their_reports(client: TestClient, make_token: Callable[..., str]) -> None:
    carol = bearer(make_token("carol"))
    rid = _store_report(client, carol)
    assert client.get(f"/v1/reports/{rid}", headers=bearer(make_token("carol"))).status_code == 200
    assert client.get(f"/v1/reports/{rid}", headers=bearer(ALICE)).status_code == 404


def test_refused_and_granted_accesses_are_audited(client: TestClient) -> None:
    rid = _store_report(client, bearer(ALICE))
    client.get(f"/v1/reports/{rid}", headers=bearer(BOB))
    client.get(f"/v1/reports/{rid}", headers=bearer(ADMIN))
    from sqlalchemy import select

    from api.storage.schema import audit_log

    with app_of(client).state.runtime.storage.engine.connect() as conn:
        rows = [(r.actor, r.action, r.resource, r.outcome) for r in conn.execute(select(audit_log))]
    assert rows == [("alice", "create", rid, "ok"), ("bob", "read", rid, "denied"), ("root", "read", rid, "ok_admin")]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_health_and_schema_need_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_oidc_keys_fetched_from_a_jwks_url(make_client: Callable[..., TestClient], make_token: Callable[..., str],
                                           jwks_file: object) -> None:
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    folder = Path(str(jwks_file)).parent
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
        client = make_client(oidc_jwks=url, env="development", api_keys="")
        r = client.get("/v1/drugs?q=kardegic", headers=bearer(make_token("erin")))
        assert r.status_code == 200
        assert client.get("/v1/drugs?q=kardegic", headers=bearer(make_token(key="other"))).status_code == 401
    finally:
        server.shutdown()
        server.server_close()
