"""Build the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from api.problems import recon_error_handler
from api.routes import documents, health
from recon import __version__
from recon.errors import ReconError


def create_app() -> FastAPI:
    app = FastAPI(title="Recon", version=__version__,
                  description="Medication reconciliation for French city–hospital care transitions.")
    app.add_exception_handler(ReconError, recon_error_handler)
    app.include_router(health.router)
    app.include_router(documents.router)
    return app


app = create_app()
