"""RFC 9457 problem+json answers for Recon's coded errors (no patient text in them)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from recon.errors import DocumentTooLarge, InputError, ReconError, UnsupportedFileType

PROBLEM = "application/problem+json"


def status_of(error: ReconError) -> int:
    if isinstance(error, DocumentTooLarge):
        return 413
    if isinstance(error, UnsupportedFileType):
        return 415
    if isinstance(error, InputError):
        return 422
    return 500


def problem(status: int, code: str, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": f"urn:recon:error:{code}", "title": title, "status": status, "detail": detail, "code": code},
        status_code=status,
        media_type=PROBLEM,
    )


async def recon_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ReconError):  # pragma: no cover - registered for ReconError only
        raise exc
    return problem(status_of(exc), exc.code, exc.title, str(exc))
