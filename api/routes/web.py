"""The pharmacists' web page: one static page (HTML, CSS, JS in ``api/web``), no external resource.

Served at ``/`` with a strict Content-Security-Policy (everything from this server, nothing inline),
so the page works without internet access and a document's text can never run as a script.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

from api.problems import ApiProblem

router = APIRouter(include_in_schema=False)

ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# a rendered document (the fiche, an HTML letter): its own inline style, nothing else
DOCUMENT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-cache"}


@lru_cache(maxsize=8)
def asset(name: str) -> bytes:
    return files("api").joinpath("web", name).read_bytes()


@router.get("/")
def page() -> Response:
    return Response(asset("index.html"), media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in ASSETS:
        raise ApiProblem(404, "no such file")
    return Response(asset(name), media_type=ASSETS[name], headers=HEADERS)
