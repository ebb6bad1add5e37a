"""GET /v1/reports/{id}: a stored report, for its owner or an admin; every access audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api.auth import Principal
from api.deps import RT, Caller, Runtime
from api.problems import ApiProblem, problem_responses
from api.schemas import REPORT_ID, ReportOut
from api.storage import StoredReport

router = APIRouter(prefix="/v1", tags=["reports"])

NOT_FOUND = "no stored report with this id is readable by you (it may have expired)"


def _iso(t: dt.datetime) -> str:
    return t.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def report_out(rt: Runtime, stored: StoredReport) -> dict[str, Any]:
    out = {**stored.body, "id": stored.id, "created_at": _iso(stored.created_at),
           "expires_at": _iso(stored.created_at + dt.timedelta(days=rt.settings.retention_days))}
    if stored.context:
        out["context"] = stored.context
    return out


async def load_for(rt: Runtime, who: Principal, rid: str, *, action: str) -> StoredReport:
    """The stored report if ``who`` may read it; 404 otherwise (the same answer whether it does not
    exist or belongs to someone else, so nothing leaks). The attempt is audited either way."""
    stored = await run_in_threadpool(rt.storage.get_report, rid)
    if stored is None:
        outcome = "not_found"
    elif stored.owner != who.user and not who.admin:
        outcome = "denied"
    else:
        outcome = "ok" if stored.owner == who.user else "ok_admin"
    await run_in_threadpool(rt.storage.audit, actor=who.user, action=action, resource=rid, outcome=outcome)
    if stored is None or outcome == "denied":
        raise ApiProblem(404, NOT_FOUND)
    return stored


class ReportSummary(BaseModel):
    id: str
    created_at: str
    expires_at: str
    before: str = Field(description="the usual-treatment document(s)")
    after: str = Field(description="the hospital document")
    lines: int
    divergences: int
    validated: bool


class ReportList(BaseModel):
    reports: list[ReportSummary]


@router.get("/reports", response_model=ReportList, responses=problem_responses(401, 422, 429, 503),
            summary="Your most recent stored reports (newest first)")
async def list_reports(rt: RT, who: Caller,
                       limit: Annotated[int, Query(ge=1, le=100, description="how many")] = 20) -> JSONResponse:
    found = await run_in_threadpool(rt.storage.list_reports, who.user, limit)
    await run_in_threadpool(rt.storage.audit, actor=who.user, action="list", resource=f"{len(found)} reports",
                            outcome="ok")
    out = []
    for stored, validated in found:
        body = stored.body
        out.append(ReportSummary(
            id=stored.id, created_at=_iso(stored.created_at),
            expires_at=_iso(stored.created_at + dt.timedelta(days=rt.settings.retention_days)),
            before=body["before"]["document"]["name"], after=body["after"]["document"]["name"],
            lines=len(body["lines"]), divergences=sum(1 for ln in body["lines"] if ln["status"] != "unchanged"),
            validated=validated))
    return JSONResponse(ReportList(reports=out).model_dump(mode="json"))


@router.get("/reports/{report_id}", response_model=ReportOut, responses=problem_responses(401, 404, 422, 429, 503),
            summary="A stored report (owner or admin only)")
async def get_report(report_id: Annotated[str, Path(pattern=REPORT_ID, description="the id from POST /v1/reconcile")],
                     rt: RT, who: Caller) -> JSONResponse:
    stored = await load_for(rt, who, report_id, action="read")
    return JSONResponse(report_out(rt, stored))


@router.delete("/reports/{report_id}", status_code=204, response_class=Response,
               responses=problem_responses(401, 404, 422, 429, 503),
               summary="Delete a stored report, its documents and its review (owner or admin); audited")
async def delete_report(report_id: Annotated[str, Path(pattern=REPORT_ID)], rt: RT, who: Caller) -> Response:
    await load_for(rt, who, report_id, action="read")
    if not await run_in_threadpool(lambda: rt.storage.delete_report(report_id, actor=who.user)):
        raise ApiProblem(404, NOT_FOUND)
    return Response(status_code=204)
