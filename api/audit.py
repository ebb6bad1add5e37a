"""The audit trail of every access to stored data: who, what, when, outcome — hash-chained.

Each record holds the hash of the previous one (``prev_hash``) and its own hash over
``prev_hash`` and its fields; ``audit_head`` holds the last sequence number and hash, so that
removing the last records is detected too. Records never hold patient text: the resource is a
report id (or a count), the actor a user name.

``verify(engine)`` walks the chain and returns a ``ChainCheck`` (ok, records, first bad seq).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update

from api.storage.schema import GENESIS, audit_head, audit_log


def record_hash(prev_hash: str, seq: int, at: dt.datetime, actor: str, action: str, resource: str,
                outcome: str) -> str:
    fields = json.dumps([seq, at.isoformat(timespec="microseconds"), actor, action, resource, outcome],
                        ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{fields}".encode()).hexdigest()


def append(conn: Connection, *, actor: str, action: str, resource: str, outcome: str) -> int:
    """Add one record in the caller's transaction; the head row's lock serialises writers."""
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq + 1))
    seq, prev = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    # the head's seq was bumped first (the lock); the previous record's hash is still in head.hash
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    actor, resource = actor[:256], resource[:64]
    h = record_hash(prev, seq, at, actor, action, resource, outcome)
    conn.execute(insert(audit_log).values(seq=seq, at=at, actor=actor, action=action, resource=resource,
                                          outcome=outcome, prev_hash=prev, hash=h))
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=h))
    return seq


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    records: int
    first_bad: int | None = None
    reason: str = ""


def verify(engine: Engine) -> ChainCheck:
    prev, expected_seq, count = GENESIS, 1, 0
    with engine.connect() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
        rows = conn.execute(select(audit_log).order_by(audit_log.c.seq))
        for r in rows:
            count += 1
            if r.seq != expected_seq:
                return ChainCheck(False, count, expected_seq, "a record is missing")
            if r.prev_hash != prev:
                return ChainCheck(False, count, r.seq, "the previous-hash link is broken")
            if record_hash(prev, r.seq, r.at, r.actor, r.action, r.resource, r.outcome) != r.hash:
                return ChainCheck(False, count, r.seq, "the record was altered")
            prev, expected_seq = r.hash, expected_seq + 1
    if head is None or head.seq != expected_seq - 1 or head.hash != prev:
        return ChainCheck(False, count, expected_seq, "the chain's head does not match its last record")
    return ChainCheck(True, count)


def main() -> int:
    """``python -m api.audit``: verify the audit chain of the database the settings name."""
    import sys

    from api.settings import Settings
    from api.storage import Storage

    settings = Settings()
    storage = Storage(settings.database, retention_days=settings.retention_days)
    try:
        check = verify(storage.engine)
    finally:
        storage.dispose()
    if check.ok:
        sys.stderr.write(f"audit chain intact: {check.records} records\n")
        return 0
    sys.stderr.write(f"audit chain BROKEN at record {check.first_bad}: {check.reason}\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
