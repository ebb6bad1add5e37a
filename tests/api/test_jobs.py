"""Background jobs: submitted (202, Location), polled to done with the synchronous endpoint's answer,
owner-only, cancelled, and never lost: a job left queued or running by a killed process is run again,
once, when the service comes back. The Dask cluster is an in-process one (threads) to stay fast."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.routes.jobs import runner_of
from api.storage import utcnow
from api.storage.job_store import JobStore
from api.storage.schema import audit_log, jobs, reports
from tests.api.conftest import ADMIN, ALICE, BOB, app_of, bearer
from tests.test_cli import HOSPITAL, ORDONNANCE

FAST = {"dask_processes": False, "dask_workers": 2, "job_poll_s": 0.05}
TEXTS = {"before": {"text": ORDONNANCE, "name": "ville.txt"}, "after": {"text": HOSPITAL, "name": "sortie.txt"}}
CANARY = "PATIENT-CANARY-4242"


@pytest.fixture
def jclient(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(**FAST)


def wait_job(client: TestClient, location: str, key: str = ALICE, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(location, headers=bearer(key))
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job['status']} after {timeout} s")


def submit(client: TestClient, kind: str, key: str = ALICE, params: dict[str, str] | None = None,
           **kw: Any) -> tuple[str, dict[str, Any]]:
    r = client.post("/v1/jobs", params={"kind": kind, **(params or {})}, headers=bearer(key), **kw)
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/v1/jobs/{r.json()['id']}"
    return r.headers["location"], r.json()


def test_extract_job_gives_the_synchronous_answer(jclient: TestClient) -> None:
    location, job = submit(jclient, "extract", json={"text": ORDONNANCE, "name": "ordo.txt", "side": "city"})
    assert job["status"] in ("queued", "running") and job["progress"] == {"done": 0, "total": 1}
    done = wait_job(jclient, location)
    assert done["status"] == "done" and done["progress"] == {"done": 1, "total": 1} and done["attempts"] == 1
    sync = jclient.post("/v1/extract", json={"text": ORDONNANCE, "name": "ordo.txt", "side": "city"},
                        headers=bearer(ALICE))
    assert done["result"] == sync.json()


def test_reconcile_job_multipart_and_stored(jclient: TestClient) -> None:
    files = {"before": ("b.txt", ORDONNANCE.encode()), "after": ("a.txt", HOSPITAL.encode())}
    location, _ = submit(jclient, "reconcile", files=files)
    done = wait_job(jclient, location)
    sync = jclient.post("/v1/reconcile", files=files, headers=bearer(ALICE)).json()
    assert done["status"] == "done" and done["result"] == sync

    location, _ = submit(jclient, "reconcile", params={"store": "true"}, json=TEXTS)
    done = wait_job(jclient, location)
    rid = done["report_id"]
    assert done["result"] == {"report_id": rid}
    stored = jclient.get(f"/v1/reports/{rid}", headers=bearer(ALICE))
    assert stored.status_code == 200 and stored.json()["summary"] == sync["summary"]
    assert jclient.get(f"/v1/reports/{rid}", headers=bearer(BOB)).status_code == 404


def test_batch_job_one_failure_does_not_stop_the_others(jclient: TestClient) -> None:
    pairs = [{"id": "p1", **TEXTS}, {"id": "p2", "before": {"text": " \n"}, "after": TEXTS["after"]},
             {"id": "p3", **TEXTS}]
    location, job = submit(jclient, "batch", json={"pairs": pairs})
    assert job["progress"]["total"] == 3
    done = wait_job(jclient, location)
    assert done["status"] == "done" and done["progress"] == {"done": 3, "total": 3}
    out = done["result"]
    assert (out["done"], out["failed"]) == (2, 1)
    assert [(p["id"], p["status"]) for p in out["pairs"]] == [("p1", "done"), ("p2", "failed"), ("p3", "done")]
    assert out["pairs"][1]["problem"]["code"] == "E103"
    assert out["pairs"][0]["report"] == out["pairs"][2]["report"]


def test_failed_job_has_its_coded_problem_without_patient_text(jclient: TestClient) -> None:
    location, _ = submit(jclient, "extract", files={"file": ("x.docx", CANARY.encode(), "application/octet-stream")})
    done = wait_job(jclient, location)
    assert done["status"] == "failed" and done["problem"]["code"] == "E102" and done["problem"]["status"] == 415
    assert CANARY not in json.dumps(done)


def test_jobs_are_owner_only_and_audited(jclient: TestClient) -> None:
    location, job = submit(jclient, "extract", json={"text": ORDONNANCE})
    wait_job(jclient, location)
    other = jclient.get(location, headers=bearer(BOB))
    assert other.status_code == 404 and other.headers["content-type"].startswith("application/problem+json")
    assert jclient.delete(location, headers=bearer(BOB)).status_code == 404
    assert jclient.get(location, headers=bearer(ADMIN)).status_code == 200
    assert jclient.get("/v1/jobs/" + "0" * 32, headers=bearer(ALICE)).status_code == 404
    assert jclient.get(location).status_code == 401
    with app_of(jclient).state.runtime.storage.engine.connect() as conn:
        trail = {(r.actor, r.action, r.outcome) for r in conn.execute(
            select(audit_log).where(audit_log.c.resource == job["id"]))}
    assert {("alice", "job_create", "ok"), ("alice", "job_read", "ok"), ("bob", "job_read", "denied"),
            ("root", "job_read", "ok_admin")} <= trail
    assert app_of(jclient).state.runtime.storage.verify_audit().ok


def test_cancel_a_queued_job_then_forget_it(jclient: TestClient) -> None:
    runner_of(app_of(jclient)).stop()  # nothing runs: the job stays queued
    location, job = submit(jclient, "extract", json={"text": ORDONNANCE})
    assert jclient.delete(location, headers=bearer(ALICE)).status_code == 204
    cancelled = jclient.get(location, headers=bearer(ALICE)).json()
    assert cancelled["status"] == "cancelled" and "result" not in cancelled
    with app_of(jclient).state.runtime.storage.engine.connect() as conn:
        assert conn.execute(select(jobs.c.payload).where(jobs.c.id == job["id"])).scalar_one() is None
    assert jclient.delete(location, headers=bearer(ALICE)).status_code == 204  # finished: forgotten
    assert jclient.get(location, headers=bearer(ALICE)).status_code == 404


def test_idempotency_key_gives_the_same_job(jclient: TestClient) -> None:
    h = {**bearer(ALICE), "Idempotency-Key": "job-key-1"}
    first = jclient.post("/v1/jobs?kind=extract", json={"text": ORDONNANCE}, headers=h)
    again = jclient.post("/v1/jobs?kind=extract", json={"text": ORDONNANCE}, headers=h)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    other = jclient.post("/v1/jobs?kind=extract", json={"text": HOSPITAL}, headers=h)
    assert other.status_code == 409 and other.json()["code"] == "E409"


def test_bad_requests_are_problems(jclient: TestClient) -> None:
    r = jclient.post("/v1/jobs?kind=nope", json={"text": "x"}, headers=bearer(ALICE))
    assert r.status_code == 422
    r = jclient.post("/v1/jobs?kind=batch", json={"pairs": [{"id": "a", "before": {"text": CANARY}}]},
                     headers=bearer(ALICE))
    assert r.status_code == 422 and CANARY not in r.text
    r = jclient.post("/v1/jobs?kind=extract", content=b"x", headers={**bearer(ALICE), "Content-Type": "text/plain"})
    assert r.status_code == 415


def test_one_claim_wins(jclient: TestClient) -> None:
    runner_of(app_of(jclient)).stop()
    _, job = submit(jclient, "extract", json={"text": ORDONNANCE})
    store = JobStore(app_of(jclient).state.runtime.storage)
    first = store.claim("runner-a", lease_s=30, limit=5, max_attempts=3)
    second = store.claim("runner-b", lease_s=30, limit=5, max_attempts=3)
    assert [c.id for c in first] == [job["id"]] and second == []
    assert store.finish("runner-b", job["id"], status="done", result={}) is False
    assert store.finish("runner-a", job["id"], status="done", result={"x": 1}) is True
    assert store.finish("runner-a", job["id"], status="done", result={"x": 2}) is False  # done once


def test_jobs_left_by_a_killed_process_run_again_exactly_once(make_client: Callable[..., TestClient]) -> None:
    # the first process accepts three jobs, then "dies" without running them
    first = make_client(**FAST)
    runner_of(app_of(first)).stop()
    loc_queued, _ = submit(first, "extract", json={"text": ORDONNANCE})
    loc_running, running = submit(first, "reconcile", params={"store": "true"}, json=TEXTS)
    loc_live, live = submit(first, "extract", json={"text": HOSPITAL})
    engine = app_of(first).state.runtime.storage.engine
    with engine.begin() as conn:  # it had claimed one (its lease ran out) and another is held by a live runner
        conn.execute(update(jobs).where(jobs.c.id == running["id"]).values(
            status="running", claimed_by="killed-runner", attempts=1, lease_until=utcnow() - dt.timedelta(seconds=1)))
        conn.execute(update(jobs).where(jobs.c.id == live["id"]).values(
            status="running", claimed_by="live-runner", attempts=1, lease_until=utcnow() + dt.timedelta(hours=1)))

    second = make_client(**FAST)  # the service comes back
    queued_done = wait_job(second, loc_queued)
    running_done = wait_job(second, loc_running)
    assert queued_done["status"] == running_done["status"] == "done"
    assert (queued_done["attempts"], running_done["attempts"]) == (1, 2)
    time.sleep(0.3)
    assert second.get(loc_live, headers=bearer(ALICE)).json()["status"] == "running"  # not stolen
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reports)).scalar_one() == 1  # one report, once
        assert conn.execute(select(jobs.c.payload).where(jobs.c.id == running["id"])).scalar_one() is None
