"""Persistence on request only: idempotency keys, retention, migrations, the audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from api.storage import utcnow
from api.storage.schema import audit_log, migrate, migrations_table, reports
from tests.api.conftest import ALICE, BOB, app_of, bearer
from tests.test_cli import HOSPITAL, ORDONNANCE

TEXTS = {"before": {"text": ORDONNANCE}, "after": {"text": HOSPITAL}}
OTHER = {"before": {"text": HOSPITAL}, "after": {"text": ORDONNANCE}}


def _count(client: TestClient, table: object) -> int:
    with app_of(client).state.runtime.storage.engine.connect() as conn:
        return len(conn.execute(select(table)).all())  # type: ignore[call-overload]


def test_reports_are_stored_only_when_asked(client: TestClient, contract: Callable) -> None:
    r = client.post("/v1/reconcile", json=TEXTS, headers=bearer(ALICE))
    assert r.status_code == 200 and "id" not in r.json()
    contract(r.json(), "reconciliation")
    assert _count(client, reports) == 0
    r = client.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE))
    assert r.status_code == 201 and r.headers["location"] == f"/v1/reports/{r.json()['id']}"
    contract(r.json(), "reconciliation")
    assert _count(client, reports) == 1
    got = client.get(r.headers["location"], headers=bearer(ALICE)).json()
    assert got == r.json()


def test_same_key_same_body_gives_the_same_stored_answer(client: TestClient) -> None:
    h = {**bearer(ALICE), "Idempotency-Key": "k-123"}
    first = client.post("/v1/reconcile?store=true", json=TEXTS, headers=h)
    again = client.post("/v1/reconcile?store=true", json=TEXTS, headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert _count(client, reports) == 1
    # multipart with other boundaries, same content: the same request
    files = {"before": ("b.txt", ORDONNANCE.encode()), "after": ("a.txt", HOSPITAL.encode())}
    h2 = {**bearer(ALICE), "Idempotency-Key": "k-multipart"}
    m1 = client.post("/v1/reconcile?store=true", files=files, headers=h2)
    m2 = client.post("/v1/reconcile?store=true", files=files, headers=h2)
    assert m1.json()["id"] == m2.json()["id"]


def test_same_key_other_body_is_a_conflict(client: TestClient) -> None:
    h = {**bearer(ALICE), "Idempotency-Key": "k-1"}
    assert client.post("/v1/reconcile?store=true", json=TEXTS, headers=h).status_code == 201
    r = client.post("/v1/reconcile?store=true", json=OTHER, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "E409"
    assert "KARDEGIC" not in r.text
    assert client.post("/v1/reconcile", json=TEXTS, headers=h).status_code == 409  # store flag differs
    assert client.post("/v1/extract", json={"text": ORDONNANCE}, headers=h).status_code == 409  # other route
    assert _count(client, reports) == 1


def test_keys_belong_to_their_user(client: TestClient) -> None:
    a = client.post("/v1/reconcile?store=true", json=TEXTS, headers={**bearer(ALICE), "Idempotency-Key": "same"})
    b = client.post("/v1/reconcile?store=true", json=TEXTS, headers={**bearer(BOB), "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]


def test_keys_without_storing_keep_only_a_fingerprint(client: TestClient) -> None:
    h = {**bearer(ALICE), "Idempotency-Key": "nostore"}
    first = client.post("/v1/extract", json={"text": ORDONNANCE}, headers=h)
    again = client.post("/v1/extract", json={"text": ORDONNANCE}, headers=h)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert client.post("/v1/extract", json={"text": HOSPITAL}, headers=h).status_code == 409
    assert client.post("/v1/extract", json={"text": ORDONNANCE},
                       headers={**bearer(ALICE), "Idempotency-Key": "bad key with spaces"}).status_code == 422


def test_retention_purges_old_reports(client: TestClient, make_client: Callable[..., TestClient]) -> None:
    rid = client.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE)).json()["id"]
    storage = app_of(client).state.runtime.storage
    with storage.engine.begin() as conn:  # make it 31 days old (retention: 30)
        conn.execute(update(reports).values(created_at=utcnow() - dt.timedelta(days=31)))
    assert client.get(f"/v1/reports/{rid}", headers=bearer(ALICE)).status_code == 404  # expired: not served
    assert _count(client, reports) == 1
    restarted = make_client()  # purged on startup
    assert _count(restarted, reports) == 0
    assert storage.verify_audit().ok


def test_periodic_purge(client: TestClient) -> None:
    client.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE))
    storage = app_of(client).state.runtime.storage
    assert storage.purge() == 0
    assert storage.purge(now=utcnow() + dt.timedelta(days=30, seconds=1)) == 1
    with storage.engine.connect() as conn:
        last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).first()
    assert (last.actor, last.action, last.resource) == ("system", "purge", "1 reports")


def test_migrations_are_recorded_and_idempotent(client: TestClient) -> None:
    engine = app_of(client).state.runtime.storage.engine
    assert migrate(engine) == 4
    with engine.connect() as conn:
        assert [r.version for r in conn.execute(select(migrations_table))] == [1, 2, 3, 4]


def test_audit_chain_verifies_and_detects_tampering(client: TestClient) -> None:
    rid = client.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE)).json()["id"]
    for _ in range(3):
        client.get(f"/v1/reports/{rid}", headers=bearer(ALICE))
    client.get(f"/v1/reports/{rid}", headers=bearer(BOB))
    storage = app_of(client).state.runtime.storage
    check = storage.verify_audit()
    assert check.ok and check.records == 5
    engine = storage.engine

    with engine.begin() as conn:  # rewrite history: bob's refusal becomes a success
        conn.execute(update(audit_log).where(audit_log.c.seq == 5).values(outcome="ok"))
    check = storage.verify_audit()
    assert not check.ok and check.first_bad == 5 and check.reason == "the record was altered"
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 5).values(outcome="denied"))
    assert storage.verify_audit().ok

    with engine.begin() as conn:  # remove a record in the middle
        conn.execute(delete(audit_log).where(audit_log.c.seq == 3))
    assert not storage.verify_audit().ok


def test_removing_the_last_audit_record_is_detected(client: TestClient) -> None:
    rid = client.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE)).json()["id"]
    client.get(f"/v1/reports/{rid}", headers=bearer(ALICE))
    storage = app_of(client).state.runtime.storage
    with storage.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    check = storage.verify_audit()
    assert not check.ok and "head" in check.reason


def test_an_unreachable_database_makes_the_api_not_ready_not_dead() -> None:
    from api.main import create_app
    from api.settings import Settings

    app = create_app(Settings(database_url="postgresql://nobody:x@127.0.0.1:1/none", env="test",
                              api_keys=f"alice:{ALICE}"))
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["code"] == "E503"
        assert c.post("/v1/extract", json={"text": ORDONNANCE}, headers=bearer(ALICE)).status_code == 200
        r = c.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE))
        assert r.status_code == 503 and r.json()["code"] == "E503" and "KARDEGIC" not in r.text


def test_audit_verify_command(client: TestClient, db_url: str, monkeypatch: object) -> None:
    from api.audit import main as verify_main

    client.post("/v1/reconcile?store=true", json=TEXTS, headers=bearer(ALICE))
    monkeypatch.setenv("RECON_DATABASE_URL", db_url)  # type: ignore[attr-defined]
    assert verify_main() == 0
    with app_of(client).state.runtime.storage.engine.begin() as conn:
        conn.execute(update(audit_log).values(actor="mallory"))
    assert verify_main() == 1
