"""Persistence of reports, only when a caller asks (``store=true``): SQLAlchemy 2 Core.

SQLite (WAL, every transaction ``BEGIN IMMEDIATE``) at ``Settings.db_path`` by default; PostgreSQL
(psycopg 3) when ``RECON_DATABASE_URL`` says so. The engine and the schema are created on first use,
so an app that never stores never creates a database file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from api import audit
from api.storage.schema import decisions, idempotency, jobs, metadata, migrate, migrations_table, originals, reports
from recon.review.model import closed

log = logging.getLogger("recon.api")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class StoredReport:
    id: str
    owner: str
    kind: str
    created_at: dt.datetime
    body: dict[str, Any]
    context: dict[str, Any] | None


@dataclass(frozen=True)
class IdempotencyRecord:
    route: str
    fingerprint: str
    report_id: str | None
    status: int


class IdempotencyConflict(Exception):
    pass


class AlreadyValidated(Exception):
    """The report was validated: its review is closed."""


@dataclass(frozen=True)
class StoredDecision:
    seq: int
    at: dt.datetime
    actor: str
    kind: str
    target: str
    payload: dict[str, Any]


# decide(report body, decisions so far) -> (target, payload, new body or None)
Decide = Callable[[dict[str, Any], list[StoredDecision]], tuple[str, dict[str, Any], dict[str, Any] | None]]


def insert_report(conn: Connection, *, owner: str, kind: str, body: dict[str, Any], context: dict[str, Any] | None,
                  files: Sequence[tuple[str, int, str, bytes]] = ()) -> tuple[str, dt.datetime]:
    """Insert a report and its uploaded documents in the caller's transaction; audited there."""
    rid, now = uuid.uuid4().hex, utcnow()
    audit.append(conn, actor=owner, action="create", resource=rid, outcome="ok")
    conn.execute(insert(reports).values(
        id=rid, owner=owner, kind=kind, created_at=now,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        context=None if context is None else json.dumps(context, ensure_ascii=False)))
    for side, idx, media_type, data in files:
        conn.execute(insert(originals).values(report_id=rid, side=side, idx=idx, media_type=media_type, data=data))
    return rid, now


class Storage:
    def __init__(self, url: str, *, retention_days: float) -> None:
        self.url = url
        self.retention = dt.timedelta(days=retention_days)
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    # -- engine ----------------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    engine = self._create_engine()
                    migrate(engine)
                    self._engine = engine
        return self._engine

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
        if path and path != ":memory:":
            folder = os.path.dirname(os.path.abspath(path))
            os.makedirs(folder, mode=0o700, exist_ok=True)
        engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def ready(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(migrations_table.c.version).limit(1))
            return True
        except Exception as e:  # readiness: any failure means not ready
            log.warning("database not ready (%s)", type(e).__name__)
            return False

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def drop_all(self) -> None:
        """Tests only: an empty database."""
        metadata.drop_all(self.engine)
        with self._lock:
            self._engine.dispose()  # type: ignore[union-attr]
            self._engine = None

    # -- reports ---------------------------------------------------------------------------------
    def save_report(self, *, owner: str, kind: str, body: dict[str, Any], context: dict[str, Any] | None,
                    idem: tuple[str, str, str] | None, status: int,
                    files: list[tuple[str, int, str, bytes]] = ()) -> tuple[str, dt.datetime]:  # type: ignore[assignment]
        """Store a report (its uploaded documents ``files``: (side, index, media type, bytes), and its
        idempotency key: (key, route, fingerprint)); audited. Raises IdempotencyConflict when another
        request stored the same key first."""
        try:
            with self.engine.begin() as conn:
                rid, now = insert_report(conn, owner=owner, kind=kind, body=body, context=context, files=files)
                if idem is not None:
                    key, route, fp = idem
                    conn.execute(insert(idempotency).values(owner=owner, key=key, route=route, fingerprint=fp,
                                                            report_id=rid, status=status, created_at=now))
        except IntegrityError as e:
            raise IdempotencyConflict() from e
        return rid, now

    def get_report(self, rid: str) -> StoredReport | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(reports).where(reports.c.id == rid)).first()
        if r is None or r.created_at < utcnow() - self.retention:
            return None
        return StoredReport(r.id, r.owner, r.kind, r.created_at, json.loads(r.body),
                            None if r.context is None else json.loads(r.context))

    # -- review decisions ------------------------------------------------------------------------
    def add_decision(self, rid: str, *, actor: str, kind: str, decide: Decide) -> StoredDecision:
        """Record one decision on report ``rid``, audited in the same transaction.

        ``decide(body, decisions)`` sees the report and its decisions as they are inside the transaction
        (writers are serialised by the audit head's row lock, taken first) and returns the decision's
        target, its payload and the report's new body (or None). So two decisions taken at once are
        applied one after the other, each on the other's result. Raises AlreadyValidated once the report
        was validated (but for a "reopen"), LookupError when the report is gone, and whatever ``decide``
        raises (nothing is written then)."""
        now = utcnow()
        with self.engine.begin() as conn:
            audit.append(conn, actor=actor, action=kind, resource=rid, outcome="ok")
            prior = [StoredDecision(r.seq, r.at, r.actor, r.kind, r.target, json.loads(r.payload))
                     for r in conn.execute(select(decisions).where(decisions.c.report_id == rid)
                                           .order_by(decisions.c.seq))]
            if kind != "reopen" and closed(prior):
                raise AlreadyValidated()
            row = conn.execute(select(reports.c.body).where(reports.c.id == rid)).first()
            if row is None:
                raise LookupError(rid)
            target, payload, body = decide(json.loads(row.body), prior)
            seq = max((d.seq for d in prior), default=0) + 1
            conn.execute(insert(decisions).values(
                report_id=rid, seq=seq, at=now, actor=actor[:256], kind=kind, target=target[:64],
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":"))))
            if body is not None:
                conn.execute(update(reports).where(reports.c.id == rid).values(
                    body=json.dumps(body, ensure_ascii=False, separators=(",", ":"))))
        return StoredDecision(seq, now, actor, kind, target, payload)

    def list_reports(self, owner: str, limit: int) -> list[tuple[StoredReport, bool]]:
        """The owner's most recent stored reports (not expired), newest first, each with whether its
        reconciliation is validated now."""
        cutoff = utcnow() - self.retention
        with self.engine.connect() as conn:
            rows = conn.execute(select(reports).where(reports.c.owner == owner, reports.c.created_at >= cutoff)
                                .order_by(reports.c.created_at.desc()).limit(limit)).all()
            ids = [r.id for r in rows]
            marks = conn.execute(select(decisions.c.report_id, decisions.c.kind).where(
                decisions.c.report_id.in_(ids), decisions.c.kind.in_(("validate", "reopen")))
                .order_by(decisions.c.report_id, decisions.c.seq)).all() if ids else []
        state: dict[str, bool] = {}
        for rid, kind in marks:
            state[rid] = kind == "validate"
        return [(StoredReport(r.id, r.owner, r.kind, r.created_at, json.loads(r.body), None), state.get(r.id, False))
                for r in rows]

    def delete_report(self, rid: str, *, actor: str) -> bool:
        """Remove a stored report with its documents and decisions (its idempotency keys too); audited.
        False when it was not there."""
        with self.engine.begin() as conn:
            n = conn.execute(delete(reports).where(reports.c.id == rid)).rowcount or 0
            conn.execute(delete(decisions).where(decisions.c.report_id == rid))
            conn.execute(delete(originals).where(originals.c.report_id == rid))
            conn.execute(delete(idempotency).where(idempotency.c.report_id == rid))
            audit.append(conn, actor=actor, action="delete", resource=rid, outcome="ok" if n else "not_found")
        return bool(n)

    def original(self, rid: str, side: str, idx: int) -> tuple[str, bytes] | None:
        """An uploaded document of a stored report: (media type, bytes), None when not kept."""
        with self.engine.connect() as conn:
            r = conn.execute(select(originals.c.media_type, originals.c.data).where(
                originals.c.report_id == rid, originals.c.side == side, originals.c.idx == idx)).first()
        return None if r is None else (r.media_type, bytes(r.data))

    def decisions(self, rid: str) -> list[StoredDecision]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(decisions).where(decisions.c.report_id == rid).order_by(decisions.c.seq))
            return [StoredDecision(r.seq, r.at, r.actor, r.kind, r.target, json.loads(r.payload)) for r in rows]

    def audit(self, *, actor: str, action: str, resource: str, outcome: str) -> None:
        with self.engine.begin() as conn:
            audit.append(conn, actor=actor, action=action, resource=resource, outcome=outcome)

    def verify_audit(self) -> audit.ChainCheck:
        return audit.verify(self.engine)

    # -- idempotency -----------------------------------------------------------------------------
    def idempotency_get(self, owner: str, key: str) -> IdempotencyRecord | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(idempotency).where(idempotency.c.owner == owner,
                                                       idempotency.c.key == key)).first()
        if r is None or r.created_at < utcnow() - self.retention:
            return None
        return IdempotencyRecord(r.route, r.fingerprint, r.report_id, r.status)

    def idempotency_put(self, owner: str, key: str, route: str, fingerprint: str, status: int) -> None:
        """A key used without storing: only the fingerprint (a hash) is kept, never content."""
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(idempotency).where(idempotency.c.owner == owner, idempotency.c.key == key,
                                                       idempotency.c.created_at < utcnow() - self.retention))
                conn.execute(insert(idempotency).values(owner=owner, key=key, route=route, fingerprint=fingerprint,
                                                        report_id=None, status=status, created_at=utcnow()))
        except IntegrityError:
            pass  # a concurrent twin recorded it

    # -- retention -------------------------------------------------------------------------------
    def purge(self, now: dt.datetime | None = None) -> int:
        cutoff = (now or utcnow()) - self.retention
        with self.engine.begin() as conn:
            expired = select(reports.c.id).where(reports.c.created_at < cutoff)
            conn.execute(delete(decisions).where(decisions.c.report_id.in_(expired)))
            conn.execute(delete(originals).where(originals.c.report_id.in_(expired)))
            n = conn.execute(delete(reports).where(reports.c.created_at < cutoff)).rowcount or 0
            conn.execute(delete(idempotency).where(idempotency.c.created_at < cutoff))
            conn.execute(delete(jobs).where(jobs.c.created_at < cutoff))  # jobs (and their results) too
            if n:
                audit.append(conn, actor="system", action="purge", resource=f"{n} reports", outcome="ok")
        if n:
            log.info("retention: %d stored reports purged", n)
        return n
