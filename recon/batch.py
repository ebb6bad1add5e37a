"""Archive batches on Dask distributed: ``recon batch DIR|pairs.csv --output-dir OUT [--scheduler ADDR]``.

A folder: every .txt, .pdf, .png, .jpg and .jpeg under it (recursively) is extracted into
``OUT/<relative path>.json`` (``a/ordo.txt`` → ``OUT/a/ordo.txt.json``): two inputs never share an
output. A pairs CSV (columns ``id,before,after``; relative paths from the working directory, else
from the CSV's folder): each pair is reconciled into ``OUT/<id>.json`` (an id changed to make a
safe file name gets a short hash of the original, so two ids never share an output).

The work runs on Dask: an embedded ``LocalCluster`` of worker processes by default, or the cluster
of ``--scheduler tcp://host:8786`` / ``RECON_DASK_SCHEDULER`` (started with ``dask scheduler`` and
``dask worker``; the workers need Recon installed, the files are sent to them). Each worker loads
the drug reference and the model once (``Warmup``). This process reads the inputs and writes the
outputs, with a bounded number of documents in flight, so memory stays flat on any archive size.

Resumable: an output already written is skipped (outputs are written to a temporary name and
renamed, so an interrupted run never leaves a partial one). One failure never stops the rest; the
summary counts what was done, skipped and failed (by error code), with the seconds taken.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from recon.errors import BadPairsFile, ReconError

log = logging.getLogger("recon")

SUFFIXES = (".txt", ".pdf", ".png", ".jpg", ".jpeg")
INTERNAL = "E999"


# -- what runs on the workers ------------------------------------------------------------------------
def warm(extractor: str | None = None) -> None:
    """Load what every document needs, once per process: the drug reference (the linker) and, for
    the model-based extractors, the NER model."""
    from recon.extract import DEFAULT_EXTRACTOR
    from recon.link import default_linker

    default_linker()
    if (extractor or DEFAULT_EXTRACTOR) in ("model", "hybrid"):
        from recon.extract.model_runner import load_model, model_available

        if model_available():
            load_model()


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - distributed is a dependency
    WorkerPlugin = object  # type: ignore[assignment,misc]


class Warmup(WorkerPlugin):  # type: ignore[misc,valid-type]
    """A worker plugin: each worker loads the reference and the model when it starts, not on its
    first document (the module-level caches then serve every task of that worker)."""

    name = "recon-warmup"

    def __init__(self, extractor: str | None = None) -> None:
        self.extractor = extractor

    def setup(self, worker: Any) -> None:
        warm(self.extractor)


def failure(e: BaseException) -> dict[str, Any]:
    """A failed item as data: its code and a message without patient text."""
    if isinstance(e, ReconError):
        return {"ok": False, "code": e.code, "message": str(e)}
    return {"ok": False, "code": INTERNAL, "message": f"[{INTERNAL}] internal error ({type(e).__name__})"}


def extract_item(data: bytes, name: str, suffix: str, side: str, extractor: str) -> dict[str, Any]:
    """One document → ``{"ok": True, "json": <medication list as JSON text>}`` or a failure."""
    from recon import pipeline

    try:
        ml = pipeline.extract_bytes(data, name=name, suffix=suffix, side=side, extractor=extractor)
        return {"ok": True, "json": ml.to_json()}
    except Exception as e:  # every failure is a result: one document never stops the batch
        return failure(e)


def reconcile_item(before: tuple[bytes, str, str], after: tuple[bytes, str, str], extractor: str) -> dict[str, Any]:
    """One pair of documents, each (bytes, name, suffix) → the report as JSON text, or a failure."""
    from recon import pipeline

    try:
        lists = [pipeline.extract_bytes(data, name=name, suffix=suffix, side=side, extractor=extractor)
                 for (data, name, suffix), side in ((before, "city"), (after, "hospital"))]
        return {"ok": True, "json": pipeline.reconcile(lists[0], lists[1]).to_json()}
    except Exception as e:  # every failure is a result
        return failure(e)


# -- clusters --------------------------------------------------------------------------------------
def local_cluster(workers: int, processes: bool = True) -> Any:
    """An embedded Dask cluster: ``workers`` processes of one thread each, on 127.0.0.1 only; or,
    ``processes=False``, one in-process worker with ``workers`` threads (no socket at all)."""
    from distributed import LocalCluster

    where = {"host": "127.0.0.1"} if processes else {}  # threads talk in-process (inproc://)
    return LocalCluster(n_workers=workers if processes else 1, threads_per_worker=1 if processes else workers,
                        processes=processes, silence_logs=logging.ERROR, **where,
                        dashboard_address="127.0.0.1:0")  # its HTTP routes (health, metrics): loopback, any port


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None, processes: bool = True,
                extractor: str | None = None) -> Iterator[Any]:
    """A Dask client: to ``scheduler`` when given, else to an embedded LocalCluster on 127.0.0.1
    (``workers`` worker processes with one thread each; ``processes=False``: threads of this
    process). Every worker is warmed up; the embedded cluster is closed on exit."""
    from distributed import Client

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
    else:
        cluster = local_cluster(workers or max(1, os.cpu_count() or 1), processes)
        client = Client(cluster)
    try:
        client.register_plugin(Warmup(extractor))
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- planning --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    label: str  # the relative path or the pair's id: what progress and errors show
    output: Path
    inputs: tuple[Path, ...]  # one document, or (before, after)


def safe_name(case_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in case_id).lstrip(".") or "_"
    if safe != case_id:
        safe += "-" + hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:8]
    return safe[:200]


def plan_folder(folder: Path, out: Path) -> Iterator[Item]:
    out_abs = out.resolve()
    for root, dirs, files in os.walk(folder):
        root_path = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (root_path / d).resolve() != out_abs)
        for name in sorted(files):
            path = root_path / name
            if name.startswith(".") or path.suffix.lower() not in SUFFIXES:
                continue
            rel = path.relative_to(folder).as_posix()
            yield Item(rel, out / f"{rel}.json", (path,))


def read_pairs(csv_path: Path) -> list[tuple[str, Path, Path]]:
    if not csv_path.is_file():
        raise BadPairsFile(f"{csv_path.name}: no such file")
    base = csv_path.parent

    def where(value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() or p.exists() else base / p

    try:
        with csv_path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"id", "before", "after"} - set(reader.fieldnames or [])
            if missing:
                raise BadPairsFile(f"{csv_path.name}: missing column(s) {', '.join(sorted(missing))}; "
                                   "the header must be id,before,after")
            rows: list[tuple[str, Path, Path]] = []
            seen: set[str] = set()
            for n, row in enumerate(reader, start=2):
                if not row.get("id") or not row.get("before") or not row.get("after"):
                    raise BadPairsFile(f"{csv_path.name}: empty id, before or after", line=n)
                if row["id"] in seen:
                    raise BadPairsFile(f"{csv_path.name}: the id on this line was already used", line=n)
                seen.add(row["id"])
                rows.append((row["id"], where(row["before"]), where(row["after"])))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadPairsFile(f"{csv_path.name}: not a readable UTF-8 CSV file") from e


def plan(source: Path, out: Path) -> list[Item]:
    if source.is_dir():
        return list(plan_folder(source, out))
    if source.suffix.lower() == ".csv":
        return [Item(case_id, out / f"{safe_name(case_id)}.json", (before, after))
                for case_id, before, after in read_pairs(source)]
    raise BadPairsFile(f"{source.name}: give a folder of documents or a pairs CSV (id,before,after)")


# -- running ---------------------------------------------------------------------------------------
@dataclass
class Summary:
    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return self.done + sum(self.failed.values())

    def as_dict(self) -> dict[str, Any]:
        rate = self.processed / self.seconds if self.seconds > 0 else 0.0
        return {"total": self.total, "done": self.done, "skipped": self.skipped,
                "failed": sum(self.failed.values()), "failed_by_code": dict(sorted(self.failed.items())),
                "seconds": round(self.seconds, 3), "documents_per_s": round(rate, 2)}


class Progress:
    """A progress line on stderr: redrawn in place on a terminal, one line every few seconds otherwise."""

    def __init__(self, total: int, stream: IO[str] | None = None, every_s: float = 5.0) -> None:
        self.total, self.stream, self.every_s = total, stream or sys.stderr, every_s
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = self.last = time.perf_counter()

    def show(self, s: Summary, *, final: bool = False) -> None:
        now = time.perf_counter()
        if not final and not self.tty and now - self.last < self.every_s:
            return
        self.last = now
        n = s.processed + s.skipped
        pct = 100.0 * n / self.total if self.total else 100.0
        rate = s.processed / (now - self.start) if now > self.start else 0.0
        width = 30
        bar = "#" * int(width * pct / 100) + "-" * (width - int(width * pct / 100))
        line = (f"[{bar}] {n}/{self.total} {pct:5.1f}%  {rate:.1f} doc/s  done {s.done}  "
                f"skipped {s.skipped}  failed {sum(s.failed.values())}")
        end = "\n" if final or not self.tty else ""
        print(("\r" if self.tty else "") + line, end=end, file=self.stream, flush=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _submit(client: Any, item: Item, *, side: str, extractor: str) -> Any:
    docs = [(p.read_bytes(), p.name, p.suffix.lower()) for p in item.inputs]  # FileNotFoundError: a failure
    if len(docs) == 1:
        data, name, suffix = docs[0]
        return client.submit(extract_item, data, item.label if len(item.label) <= 120 else name, suffix, side,
                             extractor, pure=False)
    return client.submit(reconcile_item, docs[0], docs[1], extractor, pure=False)


def run_batch(source: Path | str, out: Path | str, *, client: Any, side: str = "unknown",
              extractor: str | None = None, stream: IO[str] | None = None, window: int | None = None,
              on_error: Callable[[str, str], None] | None = None) -> Summary:
    """Process every item of ``source`` not yet written under ``out`` on the Dask ``client``."""
    from distributed import as_completed

    from recon.extract import DEFAULT_EXTRACTOR

    extractor = extractor or DEFAULT_EXTRACTOR
    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    items = plan(source, out)
    summary = Summary(total=len(items))
    todo = []
    for item in items:
        if item.output.exists():
            summary.skipped += 1
        else:
            todo.append(item)
    progress = Progress(summary.total, stream)
    report = on_error or (lambda label, message: print(f"recon: error: {label}: {message}",
                                                       file=stream or sys.stderr))
    if window is None:
        threads = sum(client.nthreads().values()) or 1
        window = max(8, 4 * threads)

    def failed(item: Item, code: str, message: str) -> None:
        summary.failed[code] += 1
        report(item.label, message)

    pending: dict[str, Item] = {}
    queue = iter(todo)
    futures = as_completed(with_results=False)

    def feed() -> None:
        while len(pending) < window:
            item = next(queue, None)
            if item is None:
                return
            try:
                fut = _submit(client, item, side=side, extractor=extractor)
            except OSError as e:
                failed(item, "E101", f"[E101] cannot read the file ({type(e).__name__})")
                continue
            pending[fut.key] = item
            futures.add(fut)

    feed()
    progress.show(summary)
    while pending:
        fut = next(futures)
        item = pending.pop(fut.key)
        try:
            result = fut.result()
        except Exception as e:  # a worker that died on it (KilledWorker), a cancelled task…
            result = failure(e)
        fut.release()
        if result["ok"]:
            _write(item.output, result["json"])
            summary.done += 1
        else:
            failed(item, result["code"], result["message"])
        feed()
        progress.show(summary)
    summary.seconds = time.perf_counter() - started
    progress.show(summary, final=True)
    return summary


# -- command line ----------------------------------------------------------------------------------
def add_subcommand(sub: Any, add_extractor: Callable[[argparse.ArgumentParser], None]) -> None:
    b = sub.add_parser("batch", help="a folder of documents, or a pairs CSV, on Dask workers (resumable)")
    b.add_argument("source", metavar="DIR|PAIRS.csv")
    b.add_argument("--output-dir", required=True, metavar="OUT",
                   help="OUT/<relative path>.json per document, OUT/<id>.json per pair; existing ones are skipped")
    b.add_argument("--scheduler", metavar="ADDR", default=os.environ.get("RECON_DASK_SCHEDULER") or None,
                   help="tcp://host:8786 of a `dask scheduler` (default: RECON_DASK_SCHEDULER, else an "
                        "embedded cluster)")
    b.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes of the embedded cluster (default: one per core)")
    b.add_argument("--threads", action="store_true", help="embedded cluster of threads instead of processes")
    b.add_argument("--side", choices=["city", "hospital", "unknown"], default="unknown",
                   help="who wrote the documents of a folder")
    add_extractor(b)
    b.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if not source.exists():
        raise BadPairsFile(f"{source.name}: no such folder or file")
    plan(source, Path(args.output_dir))  # a bad pairs file is refused before any cluster starts
    with dask_client(args.scheduler, workers=args.workers, processes=not args.threads,
                     extractor=args.extractor) as client:
        summary = run_batch(source, args.output_dir, client=client, side=args.side, extractor=args.extractor)
    s = summary.as_dict()
    by_code = ", ".join(f"{c} {n}" for c, n in s["failed_by_code"].items())
    sys.stderr.write(f"recon: batch: {s['done']} done, {s['skipped']} skipped, {s['failed']} failed"
                     f"{f' ({by_code})' if by_code else ''} in {s['seconds']:.1f} s\n")
    sys.stdout.write(json.dumps(s) + "\n")  # the summary, as JSON, on stdout
    return 2 if s["failed"] else 0
