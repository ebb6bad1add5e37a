"""Durable background jobs: rows of the ``jobs`` table (migration 4), in the reports' database.

A job accepted is a committed ``queued`` row: it survives any crash of the API. A runner takes a job
with one conditional ``UPDATE`` (``queued`` → ``running``, or ``running`` with an expired lease →
``running`` again), so two runners never both hold it; while it works it renews the lease. It
finishes the job with another conditional ``UPDATE`` (still ``running`` and still its own), in the
same transaction as the stored report of a ``store=true`` job: a job is finished once, and a report
is stored once, whatever crashed and ran again in between. The inputs (``payload``) are removed
when the job finishes; results follow the reports' retention.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from api import audit
from api.storage import IdempotencyConflict, Storage, insert_report, utcnow
from api.storage.schema import idempotency, jobs

UNFINISHED = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class StoredJob:
    id: str
    owner: str
    kind: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int
    progress_done: int
    progress_total: int
    params: dict[str, Any]
    result: Any
    report_id: str | None
    problem: dict[str, Any] | None


@dataclass(frozen=True)
class Claimed:
    """A job taken by a runner: what it needs to run it."""

    id: str
    owner: str
    kind: str
    attempts: int
    params: dict[str, Any]
    payload: bytes


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _job(r: Any) -> StoredJob:
    return StoredJob(r.id, r.owner, r.kind, r.status, r.created_at, r.updated_at, r.started_at, r.finished_at,
                     r.attempts, r.progress_done, r.progress_total, json.loads(r.params),
                     None if r.result is None else json.loads(r.result), r.report_id,
                     None if r.problem is None else json.loads(r.problem))


class JobStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @property
    def engine(self) -> Any:
        return self.storage.engine

    # -- the API side ----------------------------------------------------------------------------
    def submit(self, *, owner: str, kind: str, params: dict[str, Any], payload: bytes, total: int,
               idem: tuple[str, str] | None = None) -> StoredJob:
        """A new queued job, committed (and audited) before the caller is answered; with its
        Idempotency-Key (key, fingerprint) in the same transaction. Raises IdempotencyConflict when
        another request used the key first."""
        jid, now = uuid.uuid4().hex, utcnow()
        try:
            with self.engine.begin() as conn:
                audit.append(conn, actor=owner, action="job_create", resource=jid, outcome="ok")
                conn.execute(insert(jobs).values(
                    id=jid, owner=owner, kind=kind, status="queued", created_at=now, updated_at=now, attempts=0,
                    progress_done=0, progress_total=total, params=_dumps(params), payload=payload))
                if idem is not None:
                    conn.execute(insert(idempotency).values(owner=owner, key=idem[0], route="jobs",
                                                            fingerprint=idem[1], report_id=jid, status=202,
                                                            created_at=now))
        except IntegrityError as e:
            raise IdempotencyConflict() from e
        found = self.get(jid)
        assert found is not None
        return found

    def get(self, jid: str) -> StoredJob | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(jobs).where(jobs.c.id == jid)).first()
        if r is None or r.created_at < utcnow() - self.storage.retention:
            return None
        return _job(r)

    def cancel(self, jid: str, *, actor: str) -> str | None:
        """Cancel an unfinished job (its inputs are removed); forget a finished one (its result is
        removed; a stored report stays). The status it had, None when it was not there. Audited."""
        now = utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(select(jobs.c.status).where(jobs.c.id == jid)).first()
            if row is None:
                audit.append(conn, actor=actor, action="job_cancel", resource=jid, outcome="not_found")
                return None
            if row.status in UNFINISHED:
                n = conn.execute(update(jobs).where(jobs.c.id == jid, jobs.c.status.in_(UNFINISHED)).values(
                    status="cancelled", payload=None, finished_at=now, updated_at=now, lease_until=None)).rowcount
                action = "job_cancel"
            else:
                n = conn.execute(delete(jobs).where(jobs.c.id == jid)).rowcount
                action = "job_delete"
            audit.append(conn, actor=actor, action=action, resource=jid, outcome="ok" if n else "not_found")
        return str(row.status)

    # -- the runner side -------------------------------------------------------------------------
    def claim(self, runner: str, *, lease_s: float, limit: int, max_attempts: int) -> list[Claimed]:
        """Take up to ``limit`` jobs: queued ones, and running ones whose runner stopped renewing its
        lease (a killed process). Each with one conditional UPDATE: only one runner wins it. A job
        already tried ``max_attempts`` times is failed instead (it kills whatever runs it)."""
        now = utcnow()
        runnable = or_(jobs.c.status == "queued", and_(jobs.c.status == "running", jobs.c.lease_until < now))
        with self.engine.connect() as conn:
            ids = [r.id for r in conn.execute(select(jobs.c.id, jobs.c.attempts).where(runnable)
                                              .order_by(jobs.c.created_at).limit(limit))]
        taken: list[Claimed] = []
        for jid in ids:
            with self.engine.begin() as conn:
                row = conn.execute(select(jobs.c.attempts).where(jobs.c.id == jid)).first()
                if row is None:
                    continue
                if row.attempts >= max_attempts:
                    conn.execute(update(jobs).where(jobs.c.id == jid, runnable).values(
                        status="failed", payload=None, finished_at=now, updated_at=now, lease_until=None,
                        problem=_dumps(interrupted_problem(row.attempts))))
                    continue
                n = conn.execute(update(jobs).where(jobs.c.id == jid, runnable).values(
                    status="running", claimed_by=runner, attempts=jobs.c.attempts + 1, started_at=now,
                    updated_at=now, lease_until=now + dt.timedelta(seconds=lease_s))).rowcount
                if n != 1:
                    continue  # another runner took it first
                r = conn.execute(select(jobs).where(jobs.c.id == jid)).one()
            if r.payload is not None:
                taken.append(Claimed(r.id, r.owner, r.kind, r.attempts, json.loads(r.params), bytes(r.payload)))
        return taken

    def renew(self, runner: str, ids: list[str], *, lease_s: float) -> set[str]:
        """Extend the leases of the runner's jobs; the ids it no longer holds (cancelled, forgotten,
        or taken by another runner after a lease ran out) are returned: their work is abandoned."""
        if not ids:
            return set()
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.id.in_(ids), jobs.c.status == "running",
                                            jobs.c.claimed_by == runner)
                         .values(lease_until=now + dt.timedelta(seconds=lease_s)))
            held = {r.id for r in conn.execute(select(jobs.c.id).where(
                jobs.c.id.in_(ids), jobs.c.status == "running", jobs.c.claimed_by == runner))}
        return set(ids) - held

    def progress(self, runner: str, jid: str, done: int) -> bool:
        with self.engine.begin() as conn:
            n = conn.execute(update(jobs).where(jobs.c.id == jid, jobs.c.status == "running",
                                                jobs.c.claimed_by == runner)
                             .values(progress_done=done, updated_at=utcnow())).rowcount
        return n == 1

    def release(self, runner: str, jid: str) -> bool:
        """Put a job the runner holds back in the queue (a clean stop): the attempt is not counted."""
        with self.engine.begin() as conn:
            n = conn.execute(update(jobs).where(jobs.c.id == jid, jobs.c.status == "running",
                                                jobs.c.claimed_by == runner).values(
                status="queued", claimed_by=None, lease_until=None, attempts=jobs.c.attempts - 1,
                updated_at=utcnow())).rowcount
        return n == 1

    def finish(self, runner: str, jid: str, *, status: str, result: Any = None, problem: dict[str, Any] | None = None,
               reports: Sequence[dict[str, Any]] = (), result_of: Callable[[list[str]], Any] | None = None) -> bool:
        """Finish a job the runner still holds, once. ``reports`` (body, context, files) are stored in
        the same transaction, for the job's owner; ``result_of(report ids)`` then gives the result
        (the first id is the job's ``report_id``). False (nothing written) when the job is no longer
        the runner's own."""
        now = utcnow()
        try:
            with self.engine.begin() as conn:
                self._finish(conn, runner, jid, now, status, result, problem, reports, result_of)
        except _Lost:
            return False
        return True

    @staticmethod
    def _finish(conn: Any, runner: str, jid: str, now: dt.datetime, status: str, result: Any,
                problem: dict[str, Any] | None, reports: Sequence[dict[str, Any]],
                result_of: Callable[[list[str]], Any] | None) -> None:
        held = conn.execute(select(jobs.c.owner, jobs.c.progress_total).where(
            jobs.c.id == jid, jobs.c.status == "running", jobs.c.claimed_by == runner)).first()
        if held is None:
            raise _Lost()
        rids = [insert_report(conn, owner=held.owner, kind="reconciliation", body=rep["body"],
                              context=rep["context"], files=rep["files"])[0] for rep in reports]
        if result_of is not None:
            result = result_of(rids)
        rid = result.get("report_id") if isinstance(result, dict) else None  # a reconcile job with store=true
        n = conn.execute(update(jobs).where(jobs.c.id == jid, jobs.c.status == "running",
                                            jobs.c.claimed_by == runner).values(
            status=status, payload=None, finished_at=now, updated_at=now, lease_until=None, report_id=rid,
            progress_done=held.progress_total if status == "done" else jobs.c.progress_done,
            result=None if result is None else _dumps(result),
            problem=None if problem is None else _dumps(problem))).rowcount
        if n != 1:  # changed since it was read (another transaction): the report is rolled back too
            raise _Lost()


class _Lost(Exception):
    """The job is no longer the runner's own."""


def interrupted_problem(attempts: int) -> dict[str, Any]:
    return {"type": "urn:recon:error:E500", "title": "Internal error", "status": 500, "code": "E500",
            "detail": f"the job was interrupted {attempts} times while running; it was not run again"}
