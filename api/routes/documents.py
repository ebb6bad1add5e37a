"""POST /v1/extract and POST /v1/reconcile."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.concurrency import run_in_threadpool

from recon import pipeline
from recon.errors import DocumentTooLarge
from recon.ingest.reader import MAX_BYTES

router = APIRouter(prefix="/v1", tags=["documents"])


async def _read(upload: UploadFile) -> tuple[bytes, str, str]:
    data = await upload.read(MAX_BYTES + 1)
    name = PurePath(upload.filename or "document.txt").name
    if len(data) > MAX_BYTES:
        raise DocumentTooLarge(f"{name}: over the {MAX_BYTES}-byte limit")
    return data, name, PurePath(name).suffix.lower()


@router.post("/extract")
async def extract(file: Annotated[UploadFile, File(description="a .pdf or UTF-8 .txt document")],
                  side: str = "unknown") -> dict[str, Any]:
    data, name, suffix = await _read(file)
    side = side if side in ("city", "hospital", "unknown") else "unknown"
    result = await run_in_threadpool(pipeline.extract_bytes, data, name=name, suffix=suffix, side=side)
    return result.model_dump(mode="json")


@router.post("/reconcile")
async def reconcile(before: Annotated[UploadFile, File(description="usual treatment")],
                    after: Annotated[UploadFile, File(description="hospital prescription")]) -> dict[str, Any]:
    b_data, b_name, b_suffix = await _read(before)
    a_data, a_name, a_suffix = await _read(after)

    def work() -> dict[str, Any]:
        b = pipeline.extract_bytes(b_data, name=b_name, suffix=b_suffix, side="city")
        a = pipeline.extract_bytes(a_data, name=a_name, suffix=a_suffix, side="hospital")
        return pipeline.reconcile(b, a).model_dump(mode="json")

    return await run_in_threadpool(work)
