"""POST /v1/letters: the discharge liaison letter as HTML, PDF or FHIR JSON (by the Accept header)."""

from __future__ import annotations

import importlib.util
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from api.deps import RT, Caller, fingerprint, idempotency_key
from api.problems import ApiProblem, problem_responses
from api.routes.documents import remember, replay
from api.routes.inputs import media_type, read_json, validate
from api.routes.reports import load_for
from api.routes.review import current_review
from api.routes.web import DOCUMENT_HEADERS
from api.schemas import LetterRequest
from recon.errors import ReconError, RenderError
from recon.letter import render_html
from recon.letter.stay import Stay
from recon.models import ReconciliationReport
from recon.review import annotate

router = APIRouter(prefix="/v1", tags=["letters"])
log = logging.getLogger("recon.api")

HTML, PDF, FHIR = "text/html", "application/pdf", "application/fhir+json"
FORMATS = {HTML: "html", PDF: "pdf", FHIR: "fhir", "application/json": "fhir"}
SUFFIX = {"html": "html", "pdf": "pdf", "fhir": "json"}
MEDIA = {"html": "text/html; charset=utf-8", "pdf": PDF, "fhir": FHIR}


def available() -> list[str]:
    kinds = ["html"]
    if importlib.util.find_spec("fpdf") is not None:
        kinds.append("pdf")
    if importlib.util.find_spec("recon.export") is not None and importlib.util.find_spec("recon.export.fhir"):
        kinds.append("fhir")
    return kinds


def negotiate(accept: str | None) -> str:
    """The format asked by ``Accept`` (quality values honoured); HTML when anything goes."""
    offered = available()
    if not accept or not accept.strip():
        return "html"
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")[:20]):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        media = media.lower()
        if media in ("*/*", "text/*"):
            kind = "html"
        elif media == "application/*":
            kind = "pdf" if "pdf" in offered else "fhir"
        else:
            kind = FORMATS.get(media, "")
        if kind in offered and q > 0:
            choices.append((q, -i, kind))
    if not choices:
        raise ApiProblem(406, f"the letter is available as {', '.join(MEDIA[k].split(';')[0] for k in offered)}")
    return max(choices)[2]


def render(report: ReconciliationReport, stay: Any, kind: str, *, draft: bool = True) -> bytes:
    """The letter in ``kind``; a draft ('brouillon — conciliation non validée', FHIR Composition.status
    'preliminary') unless ``draft=False``, given only for a validated stored reconciliation."""
    try:
        if kind == "html":
            return render_html(report, stay, draft=draft).encode("utf-8")
        if kind == "pdf":
            from recon.letter.pdf import render_pdf

            return render_pdf(report, stay, draft=draft)
        from recon.export.fhir import bundle_json  # type: ignore[import-not-found]

        return str(bundle_json(report, stay, draft=draft)).encode("utf-8")
    except ReconError:
        raise
    except ImportError as e:
        raise RenderError(f"the {kind} letter is not available on this server") from e


def _stay(data: dict[str, Any] | None) -> Stay | None:
    if data is None:
        return None
    try:
        return Stay.model_validate(data)
    except ValidationError as e:  # located by field, never by value
        raise RequestValidationError([{**err, "loc": ("body", "stay", *err["loc"])} for err in e.errors()]) from e


LETTER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the letter",
          "content": {HTML: {"schema": {"type": "string"}}, PDF: {"schema": {"type": "string", "format": "binary"}},
                      FHIR: {"schema": {"type": "object", "description": "FHIR R4 document Bundle"}}}},
    **problem_responses(401, 404, 406, 409, 413, 415, 422, 429, 503),
}


@router.post("/letters", response_class=Response, responses=LETTER_RESPONSES,
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/LetterRequest"}}}}},
             summary="Discharge liaison letter of a report",
             description="From a stored report (`report_id`, owner or admin only) or an inline `report`; "
                         "`Accept: text/html` (default), `application/pdf` or `application/fhir+json`. "
                         "The letter is a draft ('brouillon — conciliation non validée'; FHIR Composition.status "
                         "`preliminary`) unless it is the letter of a validated stored report. Nothing is stored.")
async def letter(request: Request, rt: RT, who: Caller,
                 accept: Annotated[str | None, Header()] = None) -> Response:
    key = idempotency_key(request)
    if media_type(request) != "application/json":
        raise ApiProblem(415, "send application/json", code="E415")
    body = validate(LetterRequest, await read_json(request))
    kind = negotiate(accept)
    stay = _stay(body.stay)
    route = "letters"
    fp = fingerprint(route, kind, json.dumps(body.model_dump(mode="json"), sort_keys=True))
    await replay(rt, who, key, route, fp)
    if body.report_id is not None:
        stored = await load_for(rt, who, body.report_id, action="letter")
        # the pharmacist's comments stand for the reasons the documents did not write
        review = await run_in_threadpool(current_review, rt, stored)
        report = annotate(ReconciliationReport.model_validate(stored.body), review)
        draft = review.validation is None  # final only once the reconciliation is validated
    else:
        assert body.report is not None
        report, draft = body.report, True  # a report sent by the caller was validated by no one here
    inline = body.report is not None

    def work() -> bytes:
        try:
            return render(report, stay, kind, draft=draft)
        except Exception as e:  # an inline report the letter cannot use is the caller's input
            if not inline or (isinstance(e, RenderError) and "not available" in e.message):
                raise
            log.warning("letter refused an inline report (%s)", type(e).__name__)
            raise ApiProblem(422, "this report cannot be turned into a letter; check it against the contract",
                             code="E300", title="Rendering failed") from e

    data = await rt.slots.run(work, timeout=rt.settings.request_timeout_s)
    await remember(rt, who, key, route, fp, 200)
    if kind == "fhir":
        json.loads(data)  # a malformed bundle is a server bug, caught here rather than by the caller
    extra = DOCUMENT_HEADERS if kind == "html" else {"X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=MEDIA[kind],
                    headers={"Content-Disposition": f'inline; filename="lettre-de-liaison.{SUFFIX[kind]}"', **extra})
