"""Tables and migrations: a small versioned migration table (``schema_migrations``), no Alembic.

Each migration is a function of a connection, applied once, in order, in its own transaction;
``schema_migrations`` records the versions applied. Migrations must be idempotent (``checkfirst``),
so two workers starting at once cannot break the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

migrations_table = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

reports = Table(
    "reports", metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(256), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("body", Text, nullable=False),
    Column("context", Text, nullable=True),
    Index("ix_reports_created_at", "created_at"),
    Index("ix_reports_owner", "owner"),
)

idempotency = Table(
    "idempotency_keys", metadata,
    Column("owner", String(256), nullable=False),
    Column("key", String(200), nullable=False),
    Column("route", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("report_id", String(32), nullable=True),
    Column("status", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    PrimaryKeyConstraint("owner", "key"),
    Index("ix_idempotency_created_at", "created_at"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(256), nullable=False),
    Column("action", String(32), nullable=False),
    Column("resource", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("report_id", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    PrimaryKeyConstraint("report_id", "seq"),
)

originals = Table(
    "originals", metadata,
    Column("report_id", String(32), nullable=False),
    Column("side", String(8), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    PrimaryKeyConstraint("report_id", "side", "idx"),
)

jobs = Table(
    "jobs", metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(256), nullable=False),
    Column("kind", String(16), nullable=False),  # extract | reconcile | batch
    Column("status", String(16), nullable=False),  # queued | running | done | failed | cancelled
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("started_at", DateTime, nullable=True),
    Column("finished_at", DateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(64), nullable=True),  # the runner that holds it while running
    Column("lease_until", DateTime, nullable=True),  # a running job whose lease passed is run again
    Column("progress_done", Integer, nullable=False, default=0),
    Column("progress_total", Integer, nullable=False, default=1),
    Column("params", Text, nullable=False),  # options (side, store…): no document content
    Column("payload", LargeBinary, nullable=True),  # the inputs, removed once the job is finished
    Column("result", Text, nullable=True),
    Column("report_id", String(32), nullable=True),
    Column("problem", Text, nullable=True),  # the coded problem of a failed job (no patient text)
    Index("ix_jobs_status", "status"),
    Index("ix_jobs_owner", "owner"),
    Index("ix_jobs_created_at", "created_at"),
)

GENESIS = "0" * 64


def _v1_initial(conn: Connection) -> None:
    for table in (reports, idempotency, audit_log, audit_head):
        table.create(conn, checkfirst=True)
    if conn.execute(select(audit_head.c.id)).first() is None:
        conn.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS))


def _v2_decisions(conn: Connection) -> None:
    decisions.create(conn, checkfirst=True)


def _v3_originals(conn: Connection) -> None:
    originals.create(conn, checkfirst=True)


def _v4_jobs(conn: Connection) -> None:
    jobs.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial: reports, idempotency keys, audit log", _v1_initial),
    (2, "review decisions of stored reports", _v2_decisions),
    (3, "uploaded documents of stored reports (page images of the source view)", _v3_originals),
    (4, "background jobs (durable queue of extract, reconcile and batch work)", _v4_jobs),
]


def migrate(engine: object) -> int:
    """Apply the migrations not yet applied; returns the schema version."""
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    with engine.begin() as conn:
        migrations_table.create(conn, checkfirst=True)
    with engine.connect() as conn:
        done = {v for (v,) in conn.execute(select(migrations_table.c.version))}
    for version, name, apply in MIGRATIONS:
        if version in done:
            continue
        try:
            with engine.begin() as conn:
                apply(conn)
                conn.execute(insert(migrations_table).values(
                    version=version, name=name, applied_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))
        except IntegrityError:  # another worker applied it at the same time
            pass
    return max(v for v, _, _ in MIGRATIONS)
