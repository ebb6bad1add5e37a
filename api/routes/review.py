"""The pharmacist's review of a stored report: qualify divergences, correct links, validate, and the
reviewed fiche de conciliation. Every decision is stored with the report, attributed, dated and audited.

    GET  /v1/reports/{id}/review                      the review as it stands, with its history
    PUT  /v1/reports/{id}/lines/{line_id}/qualification qualify one divergence
    POST /v1/reports/{id}/links                       correct a medication's drug link (reconciles again)
    POST /v1/reports/{id}/validation                  validate (every divergence qualified); closes the review
    POST /v1/reports/{id}/reopening                   open a validated review again, with the reason
    GET  /v1/reports/{id}/view                        the report as the fiche shows it, as JSON (for the web page)
    GET  /v1/reports/{id}/fiche                       the fiche de conciliation, with the review
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import RT, Caller, Runtime
from api.problems import ApiProblem, problem_responses
from api.routes import reports
from api.routes.inputs import media_type, read_json, validate
from api.routes.reports import load_for, report_out
from api.routes.web import DOCUMENT_HEADERS
from api.schemas import REPORT_ID
from api.storage import AlreadyValidated, Decide, StoredDecision, StoredReport
from recon import review as rv
from recon.export import render_fiche
from recon.export.fiche import fiche_context
from recon.models import MedicationList, ReconciliationReport

router = APIRouter(prefix="/v1", tags=["review"])

ReportId = Annotated[str, Path(pattern=REPORT_ID, description="the id from POST /v1/reconcile?store=true")]
LineId = Annotated[str, Path(pattern=r"^l[0-9]{1,5}$", description="a line id of the report, e.g. l3")]
CLOSED = "this report was validated: its review is closed"


class RelinkRequest(BaseModel):
    """The drug a medication is, picked by the pharmacist (a candidate, or a name found in the reference)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"side": "after", "medication": "m3", "name": "ramipril", "atc": "C09AA05"}]})
    side: Literal["before", "after"]
    medication: str = Field(pattern=r"^m[0-9]{1,5}$")
    name: str = Field(min_length=1, max_length=200, description="a name of the drug reference (GET /v1/drugs)")
    atc: str | None = Field(None, pattern=r"^[A-Z][0-9]{2}[A-Z]{0,2}[0-9]{0,2}$",
                            description="the ATC code, to choose among homonyms")


class ReviewOut(rv.Review):
    report_id: str


def _report(body: dict[str, Any]) -> ReconciliationReport:
    return ReconciliationReport.model_validate(body)


def _as_decisions(stored: list[StoredDecision]) -> list[rv.Decision]:
    """Decisions as the review shows them: by the display name the caller had, else the user id."""
    out = []
    for d in stored:
        payload = {k: v for k, v in d.payload.items() if k != "by_name"}
        out.append(rv.Decision(seq=d.seq, at=d.at, by=d.payload.get("by_name") or d.actor, kind=d.kind,  # type: ignore[arg-type]
                               target=d.target, payload=payload))
    return out


def current_review(rt: Runtime, stored: StoredReport) -> rv.Review:
    return rv.fold(_report(stored.body), _as_decisions(rt.storage.decisions(stored.id)))


def _out(rid: str, review: rv.Review) -> JSONResponse:
    return JSONResponse(ReviewOut(report_id=rid, **review.model_dump()).model_dump(mode="json"))


async def _decide(rt: Runtime, who: Any, rid: str, *, kind: str, decide: Decide) -> None:
    """Run ``decide`` inside the storage transaction (see ``Storage.add_decision``); the decision keeps
    the caller's display name when it has one (the actor stays the stable user id)."""
    def named(body: dict[str, Any], done: list[StoredDecision]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        target, payload, new_body = decide(body, done)
        return target, {**payload, "by_name": who.name} if who.name else payload, new_body

    try:
        await rt.slots.run(lambda: rt.storage.add_decision(rid, actor=who.user, kind=kind, decide=named),
                           timeout=rt.settings.request_timeout_s)
    except AlreadyValidated:
        await run_in_threadpool(rt.storage.audit, actor=who.user, action=kind, resource=rid, outcome="closed")
        raise ApiProblem(409, CLOSED, code="E409") from None
    except LookupError:
        raise ApiProblem(404, reports.NOT_FOUND) from None


async def _json(request: Request) -> Any:
    if media_type(request) != "application/json":
        raise ApiProblem(415, "send application/json", code="E415")
    return await read_json(request)


NOT_FOUND = problem_responses(401, 404, 422, 429, 503)


@router.get("/reports/{report_id}/review", response_model=ReviewOut, responses=NOT_FOUND,
            summary="The review of a stored report: qualifications, corrected links, validation, history")
async def get_review(report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    stored = await load_for(rt, who, report_id, action="read")
    return _out(report_id, await run_in_threadpool(current_review, rt, stored))


@router.put("/reports/{report_id}/lines/{line_id}/qualification", response_model=ReviewOut,
            responses=problem_responses(401, 404, 409, 415, 422, 429, 503),
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/QualifyRequest"},
                "example": {"qualification": "unintentional", "error_type": "omission",
                            "comment": "oubli à l'admission, vu avec le prescripteur", "pair": "m7>-"}}}}},
            summary="Qualify one divergence (intentionnelle documentée / non documentée / non intentionnelle)")
async def qualify(request: Request, report_id: ReportId, line_id: LineId, rt: RT, who: Caller) -> JSONResponse:
    body = validate(rv.QualifyRequest, await _json(request))
    stored = await load_for(rt, who, report_id, action="read")

    def decide(current: dict[str, Any], _done: list[StoredDecision]) -> tuple[str, dict[str, Any], None]:
        report = _report(current)
        line = next((ln for ln in report.lines if ln.id == line_id), None)
        if line is None:
            raise ApiProblem(404, f"no line {line_id} in this report (it may have been renumbered: reload it)")
        if body.pair is not None and body.pair != rv.pair_key(line):
            raise ApiProblem(409, f"line {line_id} compares other medications since a link was corrected: "
                                  "reload the report", code="E409")
        if not rv.divergent(line):
            raise ApiProblem(422, f"line {line_id} is unchanged: there is no divergence to qualify", code="E422")
        if body.qualification == "documented" and not body.comment and not (line.reason or "").strip():
            raise ApiProblem(422, "the documents give no reason for this divergence: say in the comment where it "
                                  "is documented", code="E422")
        return rv.pair_key(line), rv.qualify_payload(body, line), None

    await _decide(rt, who, report_id, kind="qualify", decide=decide)
    return _out(report_id, await run_in_threadpool(_fresh_review, rt, stored))


def _fresh_review(rt: Runtime, stored: StoredReport) -> rv.Review:
    """The review after a decision, on the report as stored now."""
    return current_review(rt, rt.storage.get_report(stored.id) or stored)


@router.post("/reports/{report_id}/links", responses=problem_responses(401, 404, 409, 415, 422, 429, 503),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/RelinkRequest"}}}}},
             summary="Correct the drug link of one medication; the report is reconciled again and returned")
async def correct_link(request: Request, report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    body = validate(RelinkRequest, await _json(request))
    stored = await load_for(rt, who, report_id, action="read")
    during = (stored.context or {}).get("during")
    entry = await run_in_threadpool(rv.find_entry, body.name, body.atc)
    result: dict[str, Any] = {}

    def decide(current: dict[str, Any], _done: list[StoredDecision]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        report, previous = rv.relink(_report(current), body.side, body.medication, entry, by=who.shown,
                                     during=MedicationList.model_validate(during) if during else None)
        med = next(m for m in getattr(report, body.side).medications if m.id == body.medication)
        payload = {"side": body.side, "medication": body.medication, "name": entry.name, "atc": med.atc,
                   "substances": [s.name for s in med.substances], "previous": previous}
        result["body"] = report.model_dump(mode="json")
        return f"{body.side}:{body.medication}", payload, result["body"]

    await _decide(rt, who, report_id, kind="relink", decide=decide)
    updated = StoredReport(stored.id, stored.owner, stored.kind, stored.created_at, result["body"], stored.context)
    return JSONResponse(report_out(rt, updated))


@router.post("/reports/{report_id}/validation", response_model=ReviewOut,
             responses=problem_responses(401, 404, 409, 422, 429, 503),
             summary="Validate the reconciliation (every divergence must be qualified); closes the review")
async def validate_report(report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    stored = await load_for(rt, who, report_id, action="read")

    def decide(current: dict[str, Any], done: list[StoredDecision]) -> tuple[str, dict[str, Any], None]:
        review = rv.fold(_report(current), _as_decisions(done))
        if review.pending:
            raise ApiProblem(409, f"{len(review.pending)} divergence(s) not qualified yet: "
                                  f"{', '.join(review.pending)}", code="E409")
        return "report", {}, None

    await _decide(rt, who, report_id, kind="validate", decide=decide)
    return _out(report_id, await run_in_threadpool(_fresh_review, rt, stored))


@router.post("/reports/{report_id}/reopening", response_model=ReviewOut,
             responses=problem_responses(401, 404, 409, 415, 422, 429, 503),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/ReopenRequest"},
                 "example": {"reason": "nouvelle information du médecin traitant"}}}}},
             summary="Open a validated reconciliation again (owner or admin), with the reason; audited")
async def reopen(request: Request, report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    body = validate(rv.ReopenRequest, await _json(request))
    stored = await load_for(rt, who, report_id, action="read")

    def decide(current: dict[str, Any], done: list[StoredDecision]) -> tuple[str, dict[str, Any], None]:
        if not rv.closed(done):
            raise ApiProblem(409, "this report is not validated: there is nothing to reopen", code="E409")
        return "report", {"reason": body.reason.strip()}, None

    await _decide(rt, who, report_id, kind="reopen", decide=decide)
    return _out(report_id, await run_in_threadpool(_fresh_review, rt, stored))


@router.get("/reports/{report_id}/view", responses=NOT_FOUND,
            summary="The report as the fiche de conciliation shows it (French labels, one row a line), as JSON")
async def view(report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    stored = await load_for(rt, who, report_id, action="read")

    def work() -> dict[str, Any]:
        return fiche_context(_report(stored.body), review=current_review(rt, stored), generated=dt.date.today())

    return JSONResponse(await run_in_threadpool(work))


@router.get("/reports/{report_id}/fiche", response_class=HTMLResponse, responses=NOT_FOUND,
            summary="The fiche de conciliation (HTML) of a stored report, with its review")
async def fiche(report_id: ReportId, rt: RT, who: Caller) -> HTMLResponse:
    stored = await load_for(rt, who, report_id, action="fiche")

    def work() -> str:
        return render_fiche(_report(stored.body), review=current_review(rt, stored), generated=dt.date.today())

    html = await rt.slots.run(work, timeout=rt.settings.request_timeout_s)
    return HTMLResponse(html, headers={"Content-Disposition": 'inline; filename="fiche-de-conciliation.html"',
                                       **DOCUMENT_HEADERS})
