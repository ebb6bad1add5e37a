"""The job runner: takes durable jobs (``api.storage.job_store``) and runs their work on Dask distributed.

Each API process has one runner: a thread that renews the leases of the jobs it runs, notices the
ones cancelled (or taken over), and claims queued or abandoned jobs, up to ``jobs_at_once``; each
job is then followed by a thread of its own while its tasks run on the Dask workers. The cluster is
an embedded ``LocalCluster`` (``dask_workers`` worker processes, started on the first job) unless
``RECON_DASK_SCHEDULER`` names one started with ``dask scheduler`` / ``dask worker``.

A job claimed by a process killed with ``-9`` stays ``running`` until its lease runs out, then any
runner takes it again (and the restarted process does at start-up); the work is done again, and the
job finished once (see ``JobStore.finish``). A runner stopped cleanly puts its jobs back in the queue.

The tasks (``extract_task``, ``reconcile_task``) run on the workers: they do what the synchronous
endpoints do and return data (a result, or a coded problem without patient text), never raise.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from api.settings import Settings
from api.storage import Storage
from api.storage.job_store import Claimed, JobStore

log = logging.getLogger("recon.api")

SIDES = {"before": "city", "after": "hospital", "during": "hospital"}


# -- payloads: the inputs of a job, as stored -------------------------------------------------------
def encode_upload(data: bytes, name: str, suffix: str) -> dict[str, str]:
    return {"b64": base64.b64encode(data).decode("ascii"), "name": name, "suffix": suffix}


def decode_upload(d: dict[str, str]) -> tuple[bytes, str, str]:
    return base64.b64decode(d["b64"]), d["name"], d["suffix"]


# -- tasks (on the Dask workers) --------------------------------------------------------------------
def problem_of(e: BaseException) -> dict[str, Any]:
    """An RFC 9457 problem for a failed task: Recon's code and message (which never hold patient
    text), or a generic internal error."""
    from api.problems import status_of
    from recon.errors import ReconError

    if isinstance(e, ReconError):
        status = status_of(e)
        return {"type": f"urn:recon:error:{e.code}", "title": e.title, "status": status, "detail": str(e),
                "code": e.code}
    return {"type": "urn:recon:error:E500", "title": "Internal error", "status": 500, "code": "E500",
            "detail": f"an unexpected error occurred ({type(e).__name__}); it was logged without content"}


def _read(up: dict[str, str], *, role: str, side: str, max_pages: int) -> tuple[Any, Any]:
    from recon import pipeline
    from recon.errors import DocumentTooLarge

    data, name, suffix = decode_upload(up)
    label = f"{role}{suffix}"
    doc, ml = pipeline.read_and_extract(data, name=label, suffix=suffix, side=side)
    if ml.document.pages > max_pages:
        raise DocumentTooLarge(f"{label}: {ml.document.pages} pages is over the {max_pages}-page limit")
    ml.document.name = name
    return doc, ml


def extract_task(up: dict[str, str], side: str, max_pages: int) -> dict[str, Any]:
    """What POST /v1/extract answers, for one document."""
    try:
        _, ml = _read(up, role="document", side=side, max_pages=max_pages)
        return {"ok": True, "result": ml.model_dump(mode="json")}
    except Exception as e:  # a result either way
        return {"ok": False, "problem": problem_of(e)}


def reconcile_task(inputs: dict[str, Any], store: bool, max_pages: int) -> dict[str, Any]:
    """What POST /v1/reconcile computes for ``inputs`` (role → a list of uploads, or ``{"list": …}``):
    the report, its context and which uploads to keep as originals ((role, index, media type))."""
    from api.routes.documents import page_texts
    from recon import pipeline
    from recon.errors import InputError, ReconError
    from recon.merge import merge_lists
    from recon.models import MedicationList

    try:
        lists: dict[str, MedicationList] = {}
        sources: dict[str, Any] = {}
        originals: list[tuple[str, int, str]] = []
        for role in ("before", "after", "during"):
            item = inputs.get(role)
            if item is None:
                continue
            if isinstance(item, dict) and "list" in item:
                lists[role] = MedicationList.model_validate(item["list"])
                continue
            read = [_read(up, role=role if len(item) == 1 else f"{role}-{k}", side=SIDES[role], max_pages=max_pages)
                    for k, up in enumerate(item, start=1)]
            lists[role] = merge_lists([ml for _, ml in read])
            if store and role != "during":
                sources[role] = [{"name": ml.document.name, "media_type": doc.media_type, "pages": page_texts(doc)}
                                 for doc, ml in read]
                originals.extend((role, k, doc.media_type) for k, (doc, _) in enumerate(read, start=1)
                                 if doc.media_type != "text/plain")
        try:
            report = pipeline.reconcile(lists["before"], lists["after"], during=lists.get("during"))
        except ReconError:
            raise
        except Exception as e:  # inline lists the engine cannot handle: the caller's input
            if all(not (isinstance(inputs[r], dict) and "list" in inputs[r]) for r in ("before", "after")):
                raise
            raise InputError("the medication lists could not be reconciled; check them against the contract") from e
        context: dict[str, Any] = {}
        if "during" in lists:
            context["during"] = lists["during"].model_dump(mode="json")
        if sources:
            context["sources"] = sources
        return {"ok": True, "report": report.model_dump(mode="json"), "context": context or None,
                "originals": originals}
    except Exception as e:  # a result either way
        return {"ok": False, "problem": problem_of(e)}


# -- the runner ---------------------------------------------------------------------------------------
class _Abandoned(Exception):
    """The job is no longer this runner's (cancelled, taken over) or the runner is stopping."""


class _Unavailable(Exception):
    """The Dask cluster cannot be reached: the job goes back to the queue."""


@dataclass
class _Running:
    claimed: Claimed
    abandoned: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class JobRunner:
    def __init__(self, storage: Storage, settings: Settings) -> None:
        self.settings = settings
        self.store = JobStore(storage)
        self.id = f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._client_lock = threading.Lock()
        self._backoff_until = 0.0

    # -- life ----------------------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._loop, name="recon-jobs", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; the jobs still running go back to the queue; the cluster is closed."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            running = list(self._running.values())
        for r in running:
            r.abandoned.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for r in running:
            if r.thread is not None:
                r.thread.join(timeout)
        with self._client_lock:
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None

    def client(self) -> Any:
        with self._client_lock:
            if self._stop.is_set():
                raise _Abandoned()
            if self._client is None:
                from distributed import Client

                from recon.batch import Warmup, local_cluster

                try:
                    if self.settings.dask_scheduler:
                        client = Client(self.settings.dask_scheduler, timeout=10)
                    else:
                        self._cluster = local_cluster(self.settings.dask_workers, self.settings.dask_processes)
                        client = Client(self._cluster)
                    client.register_plugin(Warmup())
                except (OSError, TimeoutError) as e:
                    raise _Unavailable() from e
                self._client = client
            return self._client

    # -- the loop --------------------------------------------------------------------------------------
    def _loop(self) -> None:
        s = self.settings
        while not self._stop.is_set():
            try:
                with self._lock:
                    ids = list(self._running)
                for jid in self.store.renew(self.id, ids, lease_s=s.job_lease_s):
                    with self._lock:
                        r = self._running.get(jid)
                    if r is not None:
                        r.abandoned.set()
                free = s.jobs_at_once - len(ids)
                if free > 0 and time.monotonic() >= self._backoff_until and not self._stop.is_set():
                    for c in self.store.claim(self.id, lease_s=s.job_lease_s, limit=free,
                                              max_attempts=s.job_max_attempts):
                        self._launch(c)
            except Exception as e:  # the database is down, …: try again on the next turn
                log.error("job runner: %s", type(e).__name__)
            self._wake.wait(min(s.job_poll_s, s.job_lease_s / 3))
            self._wake.clear()

    def _launch(self, c: Claimed) -> None:
        r = _Running(c)
        r.thread = threading.Thread(target=self._run, args=(r,), name=f"recon-job-{c.id[:8]}", daemon=True)
        with self._lock:
            self._running[c.id] = r
        r.thread.start()

    def _run(self, r: _Running) -> None:
        c = r.claimed
        try:
            self._execute(r)
        except _Abandoned:
            if self._stop.is_set():
                self._release(c, "stopping")
        except _Unavailable:
            self._backoff_until = time.monotonic() + 10 * self.settings.job_poll_s
            self._release(c, "Dask cluster unavailable")
        except Exception as e:
            if self._stop.is_set():
                self._release(c, "stopping")
            else:
                from api.problems import TITLES

                log.error("job %s failed (%s)", c.id, type(e).__name__)
                self.store.finish(self.id, c.id, status="failed", problem={
                    "type": "urn:recon:error:E500", "title": TITLES[500], "status": 500, "code": "E500",
                    "detail": "the job could not be run; the error was logged without content"})
        finally:
            with self._lock:
                self._running.pop(c.id, None)
            self._wake.set()

    def _release(self, c: Claimed, why: str) -> None:
        try:
            if self.store.release(self.id, c.id):
                log.info("job %s back in the queue (%s)", c.id, why)
        except Exception as e:  # the lease will run out: another runner takes it then
            log.warning("job %s not released (%s)", c.id, type(e).__name__)

    def _gather(self, r: _Running, calls: list[tuple[Any, tuple[Any, ...]]]) -> list[dict[str, Any]]:
        """Run the calls on the cluster; the results in order, progress written as they come."""
        from distributed import wait

        client = self.client()
        try:
            futures = [client.submit(fn, *args, pure=False) for fn, args in calls]
        except (OSError, TimeoutError) as e:
            raise _Unavailable() from e
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[dict[str, Any] | None] = [None] * len(futures)
        pending, done, last = set(futures), 0, 0.0
        try:
            while pending:
                if r.abandoned.is_set():
                    raise _Abandoned()
                try:
                    finished, pending = wait(list(pending), timeout=0.5, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    continue
                for fut in finished:
                    try:
                        results[index[fut.key]] = fut.result()
                    except Exception as e:  # the worker died on it (KilledWorker), …
                        log.warning("job %s: a task failed (%s)", r.claimed.id, type(e).__name__)
                        results[index[fut.key]] = {"ok": False, "problem": problem_of(e)}
                    done += 1
                now = time.monotonic()
                if len(futures) > 1 and (now - last > 0.5 or not pending):
                    last = now
                    if not self.store.progress(self.id, r.claimed.id, done):
                        raise _Abandoned()
        finally:
            if pending:
                client.cancel(list(pending))
        return [x for x in results if x is not None]

    def _execute(self, r: _Running) -> None:
        import json

        c = r.claimed
        payload = json.loads(c.payload)
        max_pages = self.settings.max_pages
        store = bool(c.params.get("store"))
        if c.kind == "extract":
            (res,) = self._gather(r, [(extract_task, (payload["file"], c.params.get("side", "unknown"), max_pages))])
            if res["ok"]:
                self.store.finish(self.id, c.id, status="done", result=res["result"])
            else:
                self.store.finish(self.id, c.id, status="failed", problem=res["problem"])
            return
        pairs = payload["pairs"] if c.kind == "batch" else [payload]
        results = self._gather(r, [(reconcile_task, (p["inputs"], store, max_pages)) for p in pairs])
        reports = []
        for p, res in zip(pairs, results, strict=True):
            if res["ok"] and store:
                files = []
                for role, k, media_type in res["originals"]:
                    data, _, _ = decode_upload(p["inputs"][role][k - 1])
                    files.append((role, k, media_type, data))
                reports.append({"body": res["report"], "context": res["context"], "files": files})
        if c.kind == "reconcile":
            res = results[0]
            if not res["ok"]:
                self.store.finish(self.id, c.id, status="failed", problem=res["problem"])
            elif store:
                self.store.finish(self.id, c.id, status="done", reports=reports,
                                  result_of=lambda rids: {"report_id": rids[0]})
            else:
                body = res["report"]
                self.store.finish(self.id, c.id, status="done",
                                  result={**body, "context": res["context"]} if res["context"] else body)
            return

        def batch_result(rids: list[str]) -> dict[str, Any]:
            out, it = [], iter(rids)
            for p, res in zip(pairs, results, strict=True):
                if not res["ok"]:
                    out.append({"id": p["id"], "status": "failed", "problem": res["problem"]})
                elif store:
                    out.append({"id": p["id"], "status": "done", "report_id": next(it)})
                else:
                    body = res["report"]
                    out.append({"id": p["id"], "status": "done",
                                "report": {**body, "context": res["context"]} if res["context"] else body})
            failed = sum(1 for x in out if x["status"] == "failed")
            return {"pairs": out, "done": len(out) - failed, "failed": failed}

        self.store.finish(self.id, c.id, status="done", reports=reports, result_of=batch_result)
