"""POST /v1/extract and POST /v1/reconcile: multipart uploads or JSON."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import RT, Caller, Runtime, fingerprint, idempotency_key
from api.problems import ApiProblem, problem_responses
from api.routes.inputs import Upload, media_type, read_form, read_json, require_fields, validate
from api.routes.reports import report_out
from api.schemas import ExtractTextRequest, ReconcileListsRequest, ReconcileTextRequest, ReportOut, Side
from api.storage import IdempotencyConflict
from recon import pipeline
from recon.errors import DocumentTooLarge, InputError, ReconError
from recon.ingest import Document
from recon.merge import merge_lists
from recon.models import MedicationList

router = APIRouter(prefix="/v1", tags=["documents"])
log = logging.getLogger("recon.api")

ERRORS = problem_responses(401, 409, 413, 415, 422, 429, 503)
MAX_SOURCES = 5  # usual-treatment documents in one request
FILE = {"type": "string", "format": "binary"}


def _body(multipart: dict[str, Any], json_refs: list[str], example: dict[str, Any] | None = None) -> dict[str, Any]:
    one = {"$ref": f"#/components/schemas/{json_refs[0]}"} if len(json_refs) == 1 else {
        "oneOf": [{"$ref": f"#/components/schemas/{r}"} for r in json_refs]}
    content: dict[str, Any] = {"multipart/form-data": {"schema": multipart}, "application/json": {"schema": one}}
    if example is not None:
        content["application/json"]["example"] = example
    return {"requestBody": {"required": True, "content": content}}


EXTRACT_BODY = _body({"type": "object", "required": ["file"], "properties": {"file": FILE}},
                     ["ExtractTextRequest"])
RECONCILE_BODY = _body(
    {"type": "object", "required": ["before", "after"],
     "properties": {"before": {"type": "array", "items": FILE, "minItems": 1, "maxItems": 5,
                               "description": "usual treatment: one document, or up to 5 (the field repeated)"},
                    "after": FILE, "during": FILE}},
    ["ReconcileTextRequest", "ReconcileListsRequest"])


# -- shared steps ----------------------------------------------------------------------------------
def read_upload(rt: Runtime, up: Upload, *, role: str, side: str) -> tuple[Document, MedicationList]:
    """Read and extract one document. Errors name the neutral ``role`` label, never the caller's file name."""
    label = f"{role}{up.suffix}"
    if up.suffix == ".txt":
        doc, ml = pipeline.read_and_extract(up.data, name=label, suffix=up.suffix, side=side)
    else:  # PDF and image parsing is CPU-bound: a few at a time, the others wait their turn
        with rt.parse_slots:
            doc, ml = pipeline.read_and_extract(up.data, name=label, suffix=up.suffix, side=side)
    if ml.document.pages > rt.settings.max_pages:
        raise DocumentTooLarge(f"{label}: {ml.document.pages} pages is over the {rt.settings.max_pages}-page limit")
    ml.document.name = up.name
    return doc, ml


def extract_upload(rt: Runtime, up: Upload, *, role: str, side: str) -> MedicationList:
    return read_upload(rt, up, role=role, side=side)[1]


def page_texts(doc: Document) -> list[dict[str, Any]]:
    """The document's pages as read: number, offset of the page's first character in the text
    (medication spans count from the document's start), the page's text, and the boxes of its lines
    (start, end, x0, top, x1, bottom in points from the page's top-left) when the page has a layout."""
    pages: dict[int, dict[str, Any]] = {}
    for line in doc.lines:
        page = pages.setdefault(line.page, {"page": line.page, "start": line.start, "lines": [], "boxes": []})
        page["lines"].append(line.text)
        if line.bbox is not None:
            page["boxes"].append([line.start, line.end, *(round(v, 1) for v in line.bbox)])
    return [{"page": p["page"], "start": p["start"], "text": "\n".join(p["lines"]), "boxes": p["boxes"]}
            for p in pages.values()]


def _text_upload(text: str, name: str, rt: Runtime) -> Upload:
    if len(text) > rt.settings.max_text_chars:
        raise DocumentTooLarge(f"text over the {rt.settings.max_text_chars}-character limit")
    return Upload(text.encode("utf-8"), name, ".txt")


def _content_type_problem() -> ApiProblem:
    return ApiProblem(415, "send multipart/form-data or application/json", code="E415")


async def replay(rt: Runtime, who: Any, key: str | None, route: str, fp: str) -> Response | None:
    """The stored answer of an earlier request with this Idempotency-Key, None to compute it."""
    if key is None:
        return None
    rec = await run_in_threadpool(rt.storage.idempotency_get, who.user, key)
    if rec is None:
        return None
    if rec.route != route or rec.fingerprint != fp:
        raise ApiProblem(409, "this Idempotency-Key was already used with another request", code="E409")
    if rec.report_id is None:
        return None  # nothing was stored: the same input gives the same answer again
    stored = await run_in_threadpool(rt.storage.get_report, rec.report_id)
    outcome = "replay" if stored is not None else "not_found"
    await run_in_threadpool(rt.storage.audit, actor=who.user, action="read", resource=rec.report_id, outcome=outcome)
    if stored is None:
        raise ApiProblem(409, "the report stored under this Idempotency-Key was purged; use a new key", code="E409")
    return JSONResponse(report_out(rt, stored), status_code=rec.status,
                        headers={"Location": f"/v1/reports/{stored.id}", "Idempotent-Replayed": "true"})


async def remember(rt: Runtime, who: Any, key: str | None, route: str, fp: str, status: int) -> None:
    if key is not None:
        await run_in_threadpool(rt.storage.idempotency_put, who.user, key, route, fp, status)


# -- routes ------------------------------------------------------------------------------------------
@router.post("/extract", response_model=MedicationList, responses=ERRORS, openapi_extra=EXTRACT_BODY,
             summary="Medication list of one document",
             description="A .pdf or UTF-8 .txt upload (multipart field `file`), or JSON `{\"text\", \"name\"}`. "
                         "Nothing is stored.")
async def extract(request: Request, rt: RT, who: Caller,
                  side: Annotated[Side, Query(description="who wrote the document")] = "unknown") -> Response:
    key = idempotency_key(request)
    kind = media_type(request)
    if kind == "multipart/form-data":
        form = await read_form(request, rt.settings, ("file",))
        require_fields(form, ("file",))
        up = form["file"][0]
    elif kind == "application/json":
        body = validate(ExtractTextRequest, await read_json(request))
        up = _text_upload(body.text, body.name, rt)
        side = body.side if body.side != "unknown" else side
    else:
        raise _content_type_problem()
    route = "extract"
    fp = fingerprint(route, side, up.name, up.suffix, up.data)
    await replay(rt, who, key, route, fp)
    result = await rt.slots.run(lambda: extract_upload(rt, up, role="document", side=side),
                                timeout=rt.settings.request_timeout_s)
    await remember(rt, who, key, route, fp, 200)
    return JSONResponse(result.model_dump(mode="json"))


STORED = {201: {"model": ReportOut, "description": "the report, stored (store=true)",
                "headers": {"Location": {"description": "/v1/reports/{id}", "schema": {"type": "string"}}}}}


@router.post("/reconcile", response_model=ReportOut, responses={**STORED, **ERRORS}, openapi_extra=RECONCILE_BODY,
             status_code=200, summary="Reconciliation report of two prescriptions",
             description="`before` (usual treatment) and `after` (hospital prescription) as multipart uploads, "
                         "as JSON texts, or as JSON medication lists; an optional `during` (the stay's last treatment) "
                         "notes the changes made during the stay and kept at discharge, and is kept in the report's "
                         "`context`. With `store=true` the report is stored (201, `Location`) for its owner until "
                         "the retention period ends.")
async def reconcile(request: Request, rt: RT, who: Caller,
                    store: Annotated[bool, Query(description="keep the report (GET /v1/reports/{id})")] = False
                    ) -> Response:
    key = idempotency_key(request)
    kind = media_type(request)
    inputs: dict[str, Upload | MedicationList] = {}
    more_before: list[Upload] = []  # the usual treatment may come from several documents
    if kind == "multipart/form-data":
        form = await read_form(request, rt.settings, ("before", "after", "during"), repeat={"before": MAX_SOURCES})
        require_fields(form, ("before", "after"))
        inputs.update({role: ups[0] for role, ups in form.items()})
        more_before = form["before"][1:]
    elif kind == "application/json":
        data = await read_json(request)
        before = data.get("before") if isinstance(data, dict) else None
        if isinstance(before, dict) and "text" in before:
            texts = validate(ReconcileTextRequest, data)
            for role in ("before", "after", "during"):
                doc = getattr(texts, role)
                if doc is not None:
                    inputs[role] = _text_upload(doc.text, doc.name, rt)
        else:
            lists = validate(ReconcileListsRequest, data)
            for role in ("before", "after", "during"):
                ml = getattr(lists, role)
                if ml is not None:
                    if len(ml.medications) > rt.settings.max_medications:
                        raise DocumentTooLarge(f"{role}: over the {rt.settings.max_medications}-line limit")
                    inputs[role] = ml
    else:
        raise _content_type_problem()

    route = "reconcile"
    parts: list[bytes | str] = [f"store={store}"]
    for role in ("before", "after", "during"):
        item = inputs.get(role)
        if isinstance(item, Upload):
            parts += [role, item.name, item.suffix, item.data]
            if role == "before":
                for up in more_before:
                    parts += [role, up.name, up.suffix, up.data]
        elif item is not None:
            parts += [role, json.dumps(item.model_dump(mode="json"), sort_keys=True)]
    fp = fingerprint(route, *parts)
    replayed = await replay(rt, who, key, route, fp)
    if replayed is not None:
        return replayed

    def work() -> tuple[dict[str, Any], dict[str, Any] | None, list[tuple[str, int, str, bytes]]]:
        lists: dict[str, MedicationList] = {}
        sources: dict[str, Any] = {}
        originals: list[tuple[str, int, str, bytes]] = []  # the PDFs and images, for the page images
        for role, side in (("before", "city"), ("after", "hospital"), ("during", "hospital")):
            item = inputs.get(role)
            if isinstance(item, Upload):
                ups = [item, *more_before] if role == "before" else [item]
                read = [read_upload(rt, up, role=role if len(ups) == 1 else f"{role}-{k}", side=side)
                        for k, up in enumerate(ups, start=1)]
                lists[role] = merge_lists([ml for _, ml in read])
                if store and role != "during":  # the source pages, for reviewing a stored report
                    sources[role] = [{"name": ml.document.name, "media_type": doc.media_type,
                                      "pages": page_texts(doc)} for doc, ml in read]
                    originals.extend((role, k, doc.media_type, up.data)
                                     for k, ((doc, _), up) in enumerate(zip(read, ups, strict=True), start=1)
                                     if doc.media_type != "text/plain")
            elif item is not None:
                lists[role] = item
        try:
            report = pipeline.reconcile(lists["before"], lists["after"], during=lists.get("during"))
        except ReconError:
            raise
        except Exception as e:  # inline lists the engine cannot handle: the caller's input, not a crash
            if all(isinstance(inputs[r], Upload) for r in ("before", "after")):
                raise
            log.warning("reconcile refused inline lists (%s)", type(e).__name__)
            raise InputError("the medication lists could not be reconciled; check them against the contract") from e
        context: dict[str, Any] = {}
        if "during" in lists:
            context["during"] = lists["during"].model_dump(mode="json")
        if sources:
            context["sources"] = sources
        return report.model_dump(mode="json"), context or None, originals

    report, context, originals = await rt.slots.run(work, timeout=rt.settings.request_timeout_s)
    if not store:
        await remember(rt, who, key, route, fp, 200)
        return JSONResponse({**report, "context": context} if context else report)
    try:
        rid, created = await run_in_threadpool(
            lambda: rt.storage.save_report(owner=who.user, kind="reconciliation", body=report, context=context,
                                           idem=(key, route, fp) if key else None, status=201, files=originals))
    except IdempotencyConflict:
        replayed = await replay(rt, who, key, route, fp)
        if replayed is None:
            raise ApiProblem(409, "a concurrent request used this Idempotency-Key", code="E409") from None
        return replayed
    out = {**report, "id": rid, "created_at": _iso(created),
           "expires_at": _iso(created + dt.timedelta(days=rt.settings.retention_days))}
    if context:
        out["context"] = context
    return JSONResponse(out, status_code=201, headers={"Location": f"/v1/reports/{rid}"})


def _iso(t: dt.datetime) -> str:
    return t.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
