"""What the routes depend on: the runtime (settings, storage, limits) and the caller."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Authenticator, AuthError, Principal
from api.limits import RateLimiter, Slots
from api.problems import ApiProblem
from api.settings import Settings
from api.storage import Storage

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass
class Runtime:
    settings: Settings
    storage: Storage
    auth: Authenticator
    limiter: RateLimiter
    slots: Slots
    parse_slots: threading.BoundedSemaphore

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        return cls(settings=settings,
                   storage=Storage(settings.database, retention_days=settings.retention_days),
                   auth=Authenticator(settings),
                   limiter=RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
                   slots=Slots(settings.max_concurrency),
                   parse_slots=threading.BoundedSemaphore(settings.max_parallel_parses))


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


bearer = HTTPBearer(auto_error=False, description="an API key (RECON_API_KEYS) or an OIDC access token (JWT RS256)")


def caller(request: Request, rt: Annotated[Runtime, Depends(runtime)],
           _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The authenticated caller, rate-limited; 401 or 429 otherwise."""
    try:
        who = rt.auth.authenticate(request.headers.get("authorization"))
    except AuthError:  # failed attempts are rate-limited per client address (key guessing)
        rt.limiter.hit(f"unauthenticated@{request.client.host if request.client else '?'}")
        raise
    request.state.user = who.user
    rt.limiter.hit(who.user)
    return who


Caller = Annotated[Principal, Depends(caller)]
RT = Annotated[Runtime, Depends(runtime)]


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise ApiProblem(422, "Idempotency-Key must be 1 to 200 visible ASCII characters")
    return key


def fingerprint(route: str, *parts: bytes | str) -> str:
    h = hashlib.sha256(route.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()
