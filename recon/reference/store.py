"""Keep a DrugReference on disk (SQLite) and find it again: the imported BDPM reference.

The file lives in Recon's data folder: ``$RECON_HOME`` when set, otherwise
``$XDG_DATA_HOME/recon`` or ``~/.local/share/recon``; its name is ``reference.sqlite``.
``default_reference()`` loads it when present (and written by this version of the format),
else builds the embedded Romedi reference.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from pathlib import Path

from recon.errors import ReferenceDataError
from recon.reference.model import DrugEntry, DrugReference, Product

FORMAT = "recon-reference/1"
FILENAME = "reference.sqlite"
log = logging.getLogger(__name__)


def data_dir() -> Path:
    """Recon's data folder (not created)."""
    if os.environ.get("RECON_HOME"):
        return Path(os.environ["RECON_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "recon"


def reference_path() -> Path:
    return data_dir() / FILENAME


def save_reference(ref: DrugReference, path: str | Path | None = None) -> Path:
    """Write ``ref`` to ``path`` (default: ``reference_path()``), replacing any earlier file atomically."""
    path = Path(path) if path else reference_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        con = sqlite3.connect(tmp)
        try:
            con.executescript(
                """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE entries (name TEXT, key TEXT, atc TEXT, substances TEXT, kind TEXT, cis TEXT,
                                      rank INTEGER);
                CREATE TABLE atc_labels (code TEXT PRIMARY KEY, label TEXT);
                CREATE TABLE products (cis TEXT PRIMARY KEY, name TEXT, form TEXT, routes TEXT, marketed INTEGER,
                                       atc TEXT, substances TEXT, generic_group TEXT, presentations INTEGER);
                """
            )
            meta = {"format": FORMAT, "source": ref.source, "version": ref.version,
                    "saved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            con.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", [
                (e.name, e.key, e.atc, "\t".join(e.substances), e.kind, e.cis, e.rank) for e in ref.entries])
            con.executemany("INSERT INTO atc_labels VALUES (?, ?)", ref.atc_labels.items())
            con.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (p.cis, p.name, p.form, ";".join(p.routes), int(p.marketed), p.atc,
                 json.dumps(p.substances, ensure_ascii=False), p.generic_group, p.presentations)
                for p in ref.products.values()])
            con.commit()
        finally:
            con.close()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as e:
        raise ReferenceDataError(f"cannot write the drug reference to {path}: {e}") from e
    return path


def load_reference(path: str | Path | None = None) -> DrugReference:
    """Read a reference written by ``save_reference``."""
    path = Path(path) if path else reference_path()
    if not path.exists():
        raise ReferenceDataError(f"no stored drug reference at {path}: run `recon reference import DIR`")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
            if meta.get("format") != FORMAT:
                raise ReferenceDataError(f"{path} was written by another version of Recon "
                                         f"({meta.get('format')}); run `recon reference import DIR` again")
            ref = DrugReference(source=meta.get("source", "stored"), version=meta.get("version", ""))
            for name, key, atc, subs, kind, cis, rank in con.execute(
                    "SELECT name, key, atc, substances, kind, cis, rank FROM entries ORDER BY rowid"):
                ref.add(DrugEntry(name, key, atc, tuple(s for s in subs.split("\t") if s), kind, cis, rank))
            ref.atc_labels.update(con.execute("SELECT code, label FROM atc_labels"))
            for row in con.execute("SELECT * FROM products"):
                cis, name, form, routes, marketed, atc, subs, group, pres = row
                ref.products[cis] = Product(cis, name, form, tuple(r for r in routes.split(";") if r),
                                            bool(marketed), atc, tuple(tuple(s) for s in json.loads(subs)),
                                            group, pres or 0)
        finally:
            con.close()
    except sqlite3.Error as e:
        raise ReferenceDataError(f"the stored drug reference {path} is unreadable ({e}); "
                                 "run `recon reference import DIR` again") from e
    return ref


def stored_reference() -> DrugReference | None:
    """The stored reference when there is a usable one, else None (a bad file is logged, not raised)."""
    path = reference_path()
    if not path.exists():
        return None
    try:
        return load_reference(path)
    except ReferenceDataError as e:
        log.warning("%s; using the embedded reference", e.message)
        return None


def import_bdpm(folder: str | Path, path: str | Path | None = None) -> tuple[Path, dict[str, object]]:
    """Build the reference from a BDPM folder and store it: (file written, import report as a dict)."""
    from recon.reference.bdpm import ImportReport, build_from_bdpm

    report = ImportReport()
    ref = build_from_bdpm(folder, report=report)
    out = save_reference(ref, path)
    return out, {**report.as_dict(), **ref.stats(), "file": str(out)}


def remove_stored_reference(path: str | Path | None = None) -> bool:
    """Delete the stored reference (back to the embedded one); True when a file was removed."""
    path = Path(path) if path else reference_path()
    if path.exists():
        path.unlink()
        return True
    return False
