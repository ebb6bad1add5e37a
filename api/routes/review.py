"""The pharmacist's review of a stored report: qualify divergences, correct links, validate, and the
reviewed fiche de conciliation. Every decision is stored with the report, attributed, dated and audited.

    GET  /v1/reports/{id}/review                      the review as it stands, with its history
    PUT  /v1/reports/{id}/lines/{line_id}/qualification qualify one divergence
    POST /v1/reports/{id}/links                       correct a medication's drug link (reconciles again)
    POST /v1/reports/{id}/validation                  validate (every divergence qualified); closes the review
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
from api.routes.inputs import media_type, read_json, validate
from api.routes.reports import load_for, report_out
from api.schemas import REPORT_ID
from api.storage import AlreadyValidated, StoredReport
from recon import review as rv
from recon.errors import UnknownMedication
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


def _report(stored: StoredReport) -> ReconciliationReport:
    return ReconciliationReport.model_validate(stored.body)


def _decisions(rt: Runtime, rid: str) -> list[rv.Decision]:
    return [rv.Decision(seq=d.seq, at=d.at, by=d.actor, kind=d.kind, target=d.target, payload=d.payload)
            for d in rt.storage.decisions(rid)]  # type: ignore[arg-type]


def current_review(rt: Runtime, stored: StoredReport) -> rv.Review:
    return rv.fold(_report(stored), _decisions(rt, stored.id))


def _out(rid: str, review: rv.Review) -> JSONResponse:
    return JSONResponse(ReviewOut(report_id=rid, **review.model_dump()).model_dump(mode="json"))


async def _decide(rt: Runtime, who: Any, rid: str, *, kind: str, target: str, payload: dict[str, Any],
                  body: dict[str, Any] | None = None) -> None:
    try:
        await run_in_threadpool(lambda: rt.storage.add_decision(rid, actor=who.user, kind=kind, target=target,
                                                                payload=payload, body=body))
    except AlreadyValidated:
        await run_in_threadpool(rt.storage.audit, actor=who.user, action=kind, resource=rid, outcome="closed")
        raise ApiProblem(409, CLOSED, code="E409") from None


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
                            "comment": "oubli à l'admission, vu avec le prescripteur"}}}}},
            summary="Qualify one divergence (intentionnelle documentée / non documentée / non intentionnelle)")
async def qualify(request: Request, report_id: ReportId, line_id: LineId, rt: RT, who: Caller) -> JSONResponse:
    body = validate(rv.QualifyRequest, await _json(request))
    stored = await load_for(rt, who, report_id, action="qualify")
    report = _report(stored)
    line = next((ln for ln in report.lines if ln.id == line_id), None)
    if line is None:
        raise UnknownMedication(f"no line {line_id} in this report")
    if not rv.divergent(line):
        raise ApiProblem(422, f"line {line_id} is unchanged: there is no divergence to qualify", code="E422")
    await _decide(rt, who, report_id, kind="qualify", target=rv.pair_key(line),
                  payload=body.model_dump(mode="json"))
    return _out(report_id, await run_in_threadpool(current_review, rt, stored))


@router.post("/reports/{report_id}/links", responses=problem_responses(401, 404, 409, 415, 422, 429, 503),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/RelinkRequest"}}}}},
             summary="Correct the drug link of one medication; the report is reconciled again and returned")
async def correct_link(request: Request, report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    body = validate(RelinkRequest, await _json(request))
    stored = await load_for(rt, who, report_id, action="relink")
    during = (stored.context or {}).get("during")

    def work() -> tuple[ReconciliationReport, str | None]:
        entry = rv.find_entry(body.name, body.atc)
        return rv.relink(_report(stored), body.side, body.medication, entry, by=who.user,
                         during=MedicationList.model_validate(during) if during else None)

    report, previous = await rt.slots.run(work, timeout=rt.settings.request_timeout_s)
    med = next(m for m in getattr(report, body.side).medications if m.id == body.medication)
    payload = {"side": body.side, "medication": body.medication, "name": med.link.candidates[0].name,
               "atc": med.atc, "substances": [s.name for s in med.substances], "previous": previous}
    new_body = report.model_dump(mode="json")
    await _decide(rt, who, report_id, kind="relink", target=f"{body.side}:{body.medication}", payload=payload,
                  body=new_body)
    updated = StoredReport(stored.id, stored.owner, stored.kind, stored.created_at, new_body, stored.context)
    return JSONResponse(report_out(rt, updated))


@router.post("/reports/{report_id}/validation", response_model=ReviewOut,
             responses=problem_responses(401, 404, 409, 422, 429, 503),
             summary="Validate the reconciliation (every divergence must be qualified); closes the review")
async def validate_report(report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    stored = await load_for(rt, who, report_id, action="validate")
    review = await run_in_threadpool(current_review, rt, stored)
    if review.validation is not None:
        raise ApiProblem(409, CLOSED, code="E409")
    if review.pending:
        raise ApiProblem(409, f"{len(review.pending)} divergence(s) not qualified yet: {', '.join(review.pending)}",
                         code="E409")
    await _decide(rt, who, report_id, kind="validate", target="report", payload={})
    return _out(report_id, await run_in_threadpool(current_review, rt, stored))


@router.get("/reports/{report_id}/view", responses=NOT_FOUND,
            summary="The report as the fiche de conciliation shows it (French labels, one row a line), as JSON")
async def view(report_id: ReportId, rt: RT, who: Caller) -> JSONResponse:
    stored = await load_for(rt, who, report_id, action="read")

    def work() -> dict[str, Any]:
        return fiche_context(_report(stored), review=current_review(rt, stored), generated=dt.date.today())

    return JSONResponse(await run_in_threadpool(work))


@router.get("/reports/{report_id}/fiche", response_class=HTMLResponse, responses=NOT_FOUND,
            summary="The fiche de conciliation (HTML) of a stored report, with its review")
async def fiche(report_id: ReportId, rt: RT, who: Caller) -> HTMLResponse:
    stored = await load_for(rt, who, report_id, action="fiche")

    def work() -> str:
        return render_fiche(_report(stored), review=current_review(rt, stored), generated=dt.date.today())

    html = await rt.slots.run(work, timeout=rt.settings.request_timeout_s)
    return HTMLResponse(html, headers={"Content-Disposition": 'inline; filename="fiche-de-conciliation.html"'})
