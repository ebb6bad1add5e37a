"""RFC 9457 problem+json answers for every error, with Recon's codes; never patient text.

Library errors keep their codes (E1xx input, E2xx reference, E3xx rendering); the API's own are
E4xx/E5xx after their HTTP status (E401 authentication, E404 not found, E409 idempotency conflict,
E422 invalid request, E429 rate limit, E503 busy…). Validation errors list the field and the
message, never the value sent.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthError
from api.limits import Busy, TooManyRequests
from recon.errors import DocumentTooLarge, InputError, ReconError, ReferenceDataError, UnsupportedFileType

PROBLEM = "application/problem+json"
log = logging.getLogger("recon.api")

TITLES = {400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 413: "Request too large",
          415: "Unsupported media type", 422: "Invalid request", 429: "Too many requests",
          500: "Internal error", 503: "Service busy"}


class ApiProblem(Exception):
    """An API-level error with its status, code and a detail safe to show."""

    def __init__(self, status: int, detail: str, *, code: str | None = None, headers: dict[str, str] | None = None,
                 title: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.code = code or f"E{status}"
        self.title = title or TITLES.get(status, "Error")
        self.headers = headers or {}


def status_of(error: ReconError) -> int:
    if isinstance(error, DocumentTooLarge):
        return 413
    if isinstance(error, UnsupportedFileType):
        return 415
    if isinstance(error, InputError):
        return 422
    if isinstance(error, ReferenceDataError):
        return 503
    return 500


def problem(status: int, code: str, title: str, detail: str, *, headers: dict[str, str] | None = None,
            errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"urn:recon:error:{code}", "title": title, "status": status, "detail": detail,
                            "code": code}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def recon_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ReconError):  # pragma: no cover - registered for ReconError only
        raise exc
    return problem(status_of(exc), exc.code, exc.title, str(exc))


async def api_problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)


async def auth_error_handler(request: Request, exc: Exception) -> JSONResponse:
    return problem(401, "E401", TITLES[401], "send a valid API key or OIDC token as 'Authorization: Bearer …'",
                   headers={"WWW-Authenticate": 'Bearer realm="recon"'})


async def rate_limit_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TooManyRequests)
    return problem(429, "E429", TITLES[429], f"request rate limit reached; retry in {exc.retry_after} s",
                   headers={"Retry-After": str(exc.retry_after)})


async def busy_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Busy)
    return problem(503, "E503", TITLES[503], "all processing slots are busy; retry shortly",
                   headers={"Retry-After": str(exc.retry_after)})


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) and status in (404, 405) else TITLES.get(status, "Error")
    return problem(status, f"E{status}", TITLES.get(status, "Error"), detail, headers=exc.headers)


_KNOWN: set[str] = set()


def known_names() -> set[str]:
    """Every field name of the request models: a location part outside this set (a key the caller
    made up, which may be patient text) is shown as '*'."""
    if not _KNOWN:
        from api.schemas import ExtractTextRequest, LetterRequest, ReconcileListsRequest, ReconcileTextRequest
        from recon.letter.stay import Stay

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "properties" and isinstance(value, dict):
                        _KNOWN.update(value)
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        for model in (ExtractTextRequest, ReconcileTextRequest, ReconcileListsRequest, LetterRequest, Stay):
            walk(model.model_json_schema())
        _KNOWN.update({"body", "query", "path", "header", "side", "store", "q", "limit", "report_id", "accept",
                       "idempotency-key", "file", "nom", "date_naissance", "sexe", "ipp", "ins", "medecin_traitant",
                       "medecin_adresseur", "medecin_hospitalier", "praticien", "etablissement", "date_entree",
                       "date_sortie", "motif", "synthese", "resultats_en_attente", "suites", "adresse", "qualite",
                       "specialite", "tel", "telephone"})
    return _KNOWN


# messages of Recon's own validators: they never hold the value sent
OWN_MESSAGES = ("Value error, give either", "Value error, an unintentional divergence",
                "Value error, error_type is for")


def _safe_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    known = known_names()
    for err in list(errors)[:20]:
        loc = [x if isinstance(x, int) else (str(x) if str(x) in known else "*") for x in err.get("loc", ())][:8]
        msg = str(err.get("msg", "invalid"))
        kind = str(err.get("type", ""))
        if kind in ("value_error", "assertion_error"):  # custom messages: keep ours, drop anything else
            msg = msg if msg.startswith(OWN_MESSAGES) else "invalid value"
        out.append({"loc": loc, "msg": msg[:200], "type": kind})
    return out


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem(422, "E422", TITLES[422], "the request does not match the API schema; see 'errors'",
                   errors=_safe_errors(exc.errors()))


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("database error %s on %s %s", type(exc).__name__, request.method, _route(request))
    return problem(503, "E503", TITLES[503], "the database is unavailable; retry later", headers={"Retry-After": "5"})


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, _route(request))
    return problem(500, "E500", TITLES[500], "an unexpected error occurred; it was logged without request content")


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "?")


def install(app: Any) -> None:
    app.add_exception_handler(ReconError, recon_error_handler)
    app.add_exception_handler(ApiProblem, api_problem_handler)
    app.add_exception_handler(AuthError, auth_error_handler)
    app.add_exception_handler(TooManyRequests, rate_limit_handler)
    app.add_exception_handler(Busy, busy_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(OperationalError, database_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem answers."""
    return {s: {"description": TITLES.get(s, "Error"),
                "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}} for s in statuses}
