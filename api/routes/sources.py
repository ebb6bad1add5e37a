"""GET /v1/reports/{id}/documents/{side}/{k}/pages/{n}: a page of an uploaded document as PNG, for
the web page's source view (with ``X-Pixels-Per-Point`` to draw the line boxes of ``context.sources``).

Only for stored reports, to their owner or an admin; every access audited. The page is rendered in a
forked child with the ingestion's time and memory limits.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import RT, Caller
from api.problems import ApiProblem, problem_responses
from api.routes.reports import load_for
from api.schemas import REPORT_ID
from recon.ingest.pages import render_page
from recon.ingest.sandbox import run_limited

router = APIRouter(prefix="/v1", tags=["reports"])


@router.get("/reports/{report_id}/documents/{side}/{index}/pages/{page}", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the page, as PNG"},
                       **problem_responses(401, 404, 422, 429, 503)},
            summary="A page of an uploaded PDF or image of a stored report, as PNG")
async def page_image(report_id: Annotated[str, Path(pattern=REPORT_ID)], side: Literal["before", "after"],
                     index: Annotated[int, Path(ge=1, le=10)], page: Annotated[int, Path(ge=1, le=1000)],
                     rt: RT, who: Caller) -> Response:
    await load_for(rt, who, report_id, action="read")
    found = await run_in_threadpool(rt.storage.original, report_id, side, index)
    if found is None:
        raise ApiProblem(404, "no page image for this document (a text, or not kept)")
    media_type, data = found

    def work() -> tuple[bytes, float]:
        with rt.parse_slots:
            return run_limited(render_page, data, media_type, page, label=f"{side} document {index}")  # type: ignore[no-any-return]

    png, scale = await rt.slots.run(work, timeout=rt.settings.request_timeout_s)
    return Response(png, media_type="image/png",
                    headers={"X-Pixels-Per-Point": f"{scale:.4f}", "Cache-Control": "private, max-age=300",
                             "X-Content-Type-Options": "nosniff"})
