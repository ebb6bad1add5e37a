"""POST /v1/jobs, GET and DELETE /v1/jobs/{id}: work done in the background, on Dask workers.

The inputs are those of POST /v1/extract (``kind=extract``) and POST /v1/reconcile
(``kind=reconcile``), or a batch of pairs (``kind=batch``: JSON ``{"pairs": [{"id", "before",
"after"[, "during"]}, …]}`` with texts or lists, or multipart ``before`` and ``after`` fields repeated,
paired in order). The answer is ``202`` with the job and its ``Location``; the job is a committed row
before it is sent, so it is never lost. The job, its progress and its result are readable by their
owner (or an admin) only, every access audited, like stored reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal
from api.deps import RT, Caller, Runtime, fingerprint, idempotency_key
from api.jobs import JobRunner, encode_upload
from api.problems import ApiProblem, problem_responses
from api.routes.documents import MAX_SOURCES
from api.routes.inputs import Upload, media_type, read_form, read_json, require_fields, validate
from api.schemas import NAME_PATTERN, REPORT_ID, ExtractTextRequest, ReconcileListsRequest, ReconcileTextRequest
from api.storage import IdempotencyConflict
from api.storage.job_store import JobStore, StoredJob
from recon.errors import DocumentTooLarge
from recon.models import MedicationList


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the runner with the app (it takes the jobs a killed process left); stop it cleanly."""
    runner = runner_of(app)
    runner.start()
    try:
        yield
    finally:
        await run_in_threadpool(runner.stop)


router = APIRouter(prefix="/v1", tags=["jobs"], lifespan=lifespan)

NOT_FOUND = "no job with this id is readable by you (it may have expired)"
Kind = Literal["extract", "reconcile", "batch"]


def runner_of(app: Any) -> JobRunner:
    runner = getattr(app.state, "job_runner", None)
    if runner is None:
        rt: Runtime = app.state.runtime
        runner = app.state.job_runner = JobRunner(rt.storage, rt.settings)
    return runner


def jobs_of(rt: Runtime) -> JobStore:
    return JobStore(rt.storage)


# -- models ------------------------------------------------------------------------------------------
class Progress(BaseModel):
    done: int
    total: int


class JobOut(BaseModel):
    id: str
    kind: Kind
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    created_at: str
    updated_at: str
    started_at: str | None = None
    finished_at: str | None = None
    attempts: int = Field(description="runs started (more than one when a process stopped while running it)")
    progress: Progress
    result: Any = Field(None, description="done: the medication list (extract), the report (reconcile, unless "
                                          "stored), or the pairs' outcomes (batch)")
    report_id: str | None = Field(None, description="done, reconcile with store=true: the stored report")
    problem: dict[str, Any] | None = Field(None, description="failed: the RFC 9457 problem, with its code")


class BatchPair(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(pattern=NAME_PATTERN, description="the pair's label, echoed in the result")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pairs: list[BatchPair] = Field(min_length=1, description="each: id, before, after (texts or lists), during")


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def job_out(j: StoredJob) -> dict[str, Any]:
    out: dict[str, Any] = {"id": j.id, "kind": j.kind, "status": j.status, "created_at": _iso(j.created_at),
                           "updated_at": _iso(j.updated_at), "started_at": _iso(j.started_at),
                           "finished_at": _iso(j.finished_at), "attempts": j.attempts,
                           "progress": {"done": j.progress_done, "total": j.progress_total}}
    if j.result is not None:
        out["result"] = j.result
    if j.report_id is not None:
        out["report_id"] = j.report_id
    if j.problem is not None:
        out["problem"] = j.problem
    return out


def _headers(j: StoredJob) -> dict[str, str]:
    headers = {"Location": f"/v1/jobs/{j.id}"}
    if j.status in ("queued", "running"):
        headers["Retry-After"] = "1"
    return headers


# -- inputs --------------------------------------------------------------------------------------------
def _text(text: str, name: str, rt: Runtime) -> dict[str, str]:
    if len(text) > rt.settings.max_text_chars:
        raise DocumentTooLarge(f"text over the {rt.settings.max_text_chars}-character limit")
    return encode_upload(text.encode("utf-8"), name, ".txt")


def _up(up: Upload) -> dict[str, str]:
    return encode_upload(up.data, up.name, up.suffix)


def _reconcile_json(data: Any, rt: Runtime) -> dict[str, Any]:
    """The inputs of POST /v1/reconcile's JSON forms: role → [upload] or {"list": …}."""
    before = data.get("before") if isinstance(data, dict) else None
    inputs: dict[str, Any] = {}
    if isinstance(before, dict) and "text" in before:
        texts = validate(ReconcileTextRequest, data)
        for role in ("before", "after", "during"):
            doc = getattr(texts, role)
            if doc is not None:
                inputs[role] = [_text(doc.text, doc.name, rt)]
        return inputs
    lists = validate(ReconcileListsRequest, data)
    for role in ("before", "after", "during"):
        ml: MedicationList | None = getattr(lists, role)
        if ml is not None:
            if len(ml.medications) > rt.settings.max_medications:
                raise DocumentTooLarge(f"{role}: over the {rt.settings.max_medications}-line limit")
            inputs[role] = {"list": ml.model_dump(mode="json")}
    return inputs


async def _inputs(request: Request, rt: Runtime, kind: str, side: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(payload, params, number of tasks) of a job, from the request body."""
    form_kind = media_type(request)
    if form_kind not in ("multipart/form-data", "application/json"):
        raise ApiProblem(415, "send multipart/form-data or application/json", code="E415")
    multipart = form_kind == "multipart/form-data"
    if kind == "extract":
        if multipart:
            form = await read_form(request, rt.settings, ("file",))
            require_fields(form, ("file",))
            return {"file": _up(form["file"][0])}, {"side": side}, 1
        body = validate(ExtractTextRequest, await read_json(request))
        return {"file": _text(body.text, body.name, rt)}, {"side": body.side if body.side != "unknown" else side}, 1
    if kind == "reconcile":
        if multipart:
            form = await read_form(request, rt.settings, ("before", "after", "during"), repeat={"before": MAX_SOURCES})
            require_fields(form, ("before", "after"))
            return {"id": "1", "inputs": {role: [_up(u) for u in ups] for role, ups in form.items()}}, {}, 1
        return {"id": "1", "inputs": _reconcile_json(await read_json(request), rt)}, {}, 1
    most = rt.settings.max_job_pairs
    pairs: list[dict[str, Any]] = []
    if multipart:
        form = await read_form(request, rt.settings, ("before", "after"), repeat={"before": most, "after": most})
        require_fields(form, ("before", "after"))
        if len(form["before"]) != len(form["after"]):
            raise ApiProblem(422, "a batch needs as many 'after' as 'before' documents (paired in order)",
                             code="E422")
        pairs = [{"id": str(n), "inputs": {"before": [_up(b)], "after": [_up(a)]}}
                 for n, (b, a) in enumerate(zip(form["before"], form["after"], strict=True), start=1)]
    else:
        data = await read_json(request)
        if isinstance(data, dict) and isinstance(data.get("pairs"), list) and len(data["pairs"]) > most:
            raise DocumentTooLarge(f"a batch holds at most {most} pairs")
        batch = validate(BatchRequest, data)
        seen: set[str] = set()
        for n, pair in enumerate(batch.pairs):
            if pair.id in seen:
                raise ApiProblem(422, f"pair {n + 1}: its id was already used in this batch", code="E422")
            seen.add(pair.id)
            rest = pair.model_dump(exclude={"id"})
            try:
                pairs.append({"id": pair.id, "inputs": _reconcile_json(rest, rt)})
            except Exception as e:
                from fastapi.exceptions import RequestValidationError

                if isinstance(e, RequestValidationError):  # point at the pair in the batch
                    raise RequestValidationError([{**err, "loc": ("body", "pairs", n, *err["loc"][1:])}
                                                  for err in e.errors()]) from e
                raise
    if len(pairs) > most:
        raise DocumentTooLarge(f"a batch holds at most {most} pairs")
    return {"pairs": pairs}, {}, len(pairs)


# -- routes ----------------------------------------------------------------------------------------------
ACCEPTED = {202: {"model": JobOut, "description": "the job, queued",
                  "headers": {"Location": {"description": "/v1/jobs/{id}", "schema": {"type": "string"}}}}}


@router.post("/jobs", status_code=202, response_model=JobOut,
             responses={**ACCEPTED, **problem_responses(401, 409, 413, 415, 422, 429, 503)},
             summary="Run an extraction, a reconciliation or a batch of pairs in the background",
             description="`kind=extract`: the body of POST /v1/extract; `kind=reconcile`: the body of POST "
                         "/v1/reconcile; `kind=batch`: JSON `{\"pairs\": [{\"id\", \"before\", \"after\"}, …]}` "
                         "(texts or lists) or multipart `before`/`after` fields repeated, paired in order. "
                         "Answers 202 with the job and its `Location`: poll GET /v1/jobs/{id}. With "
                         "`store=true` the reports are stored for their owner, as by POST /v1/reconcile.")
async def submit_job(request: Request, rt: RT, who: Caller,
                     kind: Annotated[Kind, Query(description="what to run")],
                     side: Annotated[Literal["city", "hospital", "unknown"],
                                     Query(description="extract: who wrote the document")] = "unknown",
                     store: Annotated[bool, Query(description="reconcile, batch: keep the reports")] = False
                     ) -> JSONResponse:
    key = idempotency_key(request)
    payload, params, total = await _inputs(request, rt, kind, side)
    if kind != "extract":
        params["store"] = store
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    fp = fingerprint("jobs", kind, json.dumps(params, sort_keys=True), raw)
    store_ = jobs_of(rt)
    if key is not None:
        replayed = await _replay(rt, who, key, fp)
        if replayed is not None:
            return replayed
    try:
        job = await run_in_threadpool(lambda: store_.submit(owner=who.user, kind=kind, params=params, payload=raw,
                                                            total=total, idem=(key, fp) if key else None))
    except IdempotencyConflict:
        replayed = await _replay(rt, who, key or "", fp)
        if replayed is None:
            raise ApiProblem(409, "a concurrent request used this Idempotency-Key", code="E409") from None
        return replayed
    runner_of(request.app).wake()
    return JSONResponse(job_out(job), status_code=202, headers=_headers(job))


async def _replay(rt: Runtime, who: Principal, key: str, fp: str) -> JSONResponse | None:
    rec = await run_in_threadpool(rt.storage.idempotency_get, who.user, key)
    if rec is None:
        return None
    if rec.route != "jobs" or rec.fingerprint != fp:
        raise ApiProblem(409, "this Idempotency-Key was already used with another request", code="E409")
    job = await run_in_threadpool(jobs_of(rt).get, rec.report_id or "")
    await run_in_threadpool(rt.storage.audit, actor=who.user, action="job_read", resource=rec.report_id or "-",
                            outcome="replay" if job is not None else "not_found")
    if job is None:
        raise ApiProblem(409, "the job submitted under this Idempotency-Key is gone; use a new key", code="E409")
    return JSONResponse(job_out(job), status_code=202, headers={**_headers(job), "Idempotent-Replayed": "true"})


async def load_job(rt: Runtime, who: Principal, jid: str, *, action: str) -> StoredJob:
    """The job if ``who`` may read it, 404 otherwise (whether absent or someone else's); audited."""
    job = await run_in_threadpool(jobs_of(rt).get, jid)
    if job is None:
        outcome = "not_found"
    elif job.owner != who.user and not who.admin:
        outcome = "denied"
    else:
        outcome = "ok" if job.owner == who.user else "ok_admin"
    await run_in_threadpool(rt.storage.audit, actor=who.user, action=action, resource=jid, outcome=outcome)
    if job is None or outcome == "denied":
        raise ApiProblem(404, NOT_FOUND)
    return job


JOB_ID = Annotated[str, Path(pattern=REPORT_ID, description="the id from POST /v1/jobs")]


@router.get("/jobs/{job_id}", response_model=JobOut, responses=problem_responses(401, 404, 422, 429, 503),
            summary="A job: status, progress and result (owner or admin only)")
async def get_job(job_id: JOB_ID, rt: RT, who: Caller) -> JSONResponse:
    job = await load_job(rt, who, job_id, action="job_read")
    return JSONResponse(job_out(job), headers=_headers(job) if job.status in ("queued", "running") else None)


@router.delete("/jobs/{job_id}", status_code=204, response_class=Response,
               responses=problem_responses(401, 404, 422, 429, 503),
               summary="Cancel a queued or running job (its inputs are removed), or forget a finished one "
                       "(a stored report stays); owner or admin, audited")
async def cancel_job(job_id: JOB_ID, request: Request, rt: RT, who: Caller) -> Response:
    await load_job(rt, who, job_id, action="job_read")
    if await run_in_threadpool(lambda: jobs_of(rt).cancel(job_id, actor=who.user)) is None:
        raise ApiProblem(404, NOT_FOUND)
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        runner.wake()  # its lease renewal notices the cancellation and stops the work
    return Response(status_code=204)
