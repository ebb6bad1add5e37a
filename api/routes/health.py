"""/healthz (the process answers) and /readyz (the drug reference and the database are usable)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import RT
from api.problems import ApiProblem, problem_responses
from api.schemas import Status

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Status)
def healthz() -> Status:
    return Status(status="ok")


@router.get("/readyz", response_model=Status, responses=problem_responses(503))
async def readyz(rt: RT) -> Status:
    from recon.reference import default_reference

    await run_in_threadpool(default_reference)
    if not await run_in_threadpool(rt.storage.ready):
        raise ApiProblem(503, "the database is not reachable", code="E503")
    return Status(status="ready")
