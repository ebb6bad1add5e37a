"""Build the FastAPI app: ``create_app(settings)``; ``api.main:app`` builds one from the environment."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from api.deps import Runtime
from api.limits import BodySizeLimit
from api.routes import documents, drugs, health, jobs, letters, reports, review, sources, web
from api.routes.review import RelinkRequest
from api.schemas import ExtractTextRequest, LetterRequest, Problem, ReconcileListsRequest, ReconcileTextRequest
from api.settings import Settings
from recon import __version__
from recon.review import QualifyRequest, ReopenRequest

log = logging.getLogger("recon.api")

DESCRIPTION = """Medication reconciliation for French city–hospital care transitions.

Authenticate with `Authorization: Bearer <API key or OIDC token>` (unless the server runs locally with
no authentication). Errors are RFC 9457 `application/problem+json` documents with Recon's error `code`.
Nothing is kept unless `store=true` is asked; stored reports are readable by their owner (or an admin)
until the retention period ends, and every access to them is audited."""


class AccessLog:
    """One log line per request: method, route template, status, duration, user — never the path's
    values, the query string or the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), [0]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "(unmatched)")
            user = getattr(scope.get("state", {}), "get", lambda *_: None)("user") or "-"
            log.info("%s %s %d %.0fms user=%s", scope["method"], route, status[0],
                     (time.perf_counter() - start) * 1000, user)


async def _purge_forever(rt: Runtime) -> None:
    while True:
        await asyncio.sleep(rt.settings.purge_interval_s)
        try:
            await run_in_threadpool(rt.storage.purge)
        except Exception as e:  # keep purging later; the error is logged without content
            log.error("retention purge failed (%s)", type(e).__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    rt = Runtime.build(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(rt.storage.purge)  # creates/migrates the database, then purges
        except Exception as e:  # the API still answers; /readyz says the database is not ready
            log.error("database unavailable at startup (%s): retention purge postponed", type(e).__name__)
        task = asyncio.create_task(_purge_forever(rt))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            rt.storage.dispose()

    app = FastAPI(title="Recon", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  separate_input_output_schemas=False,
                  docs_url="/docs" if settings.docs else None, redoc_url=None,
                  openapi_url="/openapi.json" if settings.docs else None)
    app.state.runtime = rt
    problems.install(app)
    for module in (health, documents, jobs, letters, reports, review, sources, drugs, web):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                             separate_input_output_schemas=False)
        _add_models(schema, Problem, ExtractTextRequest, ReconcileTextRequest, ReconcileListsRequest, LetterRequest,
                    QualifyRequest, RelinkRequest, ReopenRequest)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _add_models(schema: dict[str, Any], *models: type[BaseModel]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        js = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        for name, sub in js.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = js


def __getattr__(name: str) -> Any:
    """``api.main:app`` (uvicorn, Docker): built on first access, from the environment."""
    if name == "app":
        built = create_app()
        globals()["app"] = built
        return built
    raise AttributeError(name)
