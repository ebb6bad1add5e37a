"""GET /v1/drugs?q=: search the drug reference (brand or DCI names, typos allowed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import Caller
from api.problems import problem_responses
from api.schemas import DrugHit, DrugSearch

router = APIRouter(prefix="/v1", tags=["drugs"])


def search(q: str, limit: int) -> DrugSearch:
    from recon.link import default_linker

    result = default_linker().link(q, limit=limit)
    cands = result.candidates or ([(result.entry, result.score)] if result.entry else [])
    hits = [DrugHit(name=e.name, kind=e.kind, atc=e.atc, substances=list(e.substances), score=float(s))
            for e, s in cands[:limit]]
    return DrugSearch(query=q, method=result.method, results=hits)


@router.get("/drugs", response_model=DrugSearch, responses=problem_responses(401, 422, 429),
            summary="Search the drug reference",
            openapi_extra={"responses": {"200": {"content": {"application/json": {"example": {
                "query": "doliprane", "method": "exact",
                "results": [{"name": "DOLIPRANE", "kind": "brand", "atc": "N02BE01",
                             "substances": ["paracétamol"], "score": 1.0}]}}}}}})
async def drugs(who: Caller, q: Annotated[str, Query(min_length=1, max_length=200, description="a drug name")],
                limit: Annotated[int, Query(ge=1, le=25)] = 5) -> DrugSearch:
    return await run_in_threadpool(search, q, limit)
