"""Who is calling: API keys or OIDC bearer tokens (JWT RS256 checked against a JWKS).

Keys are compared by digest with ``hmac.compare_digest`` against every configured key (no early
exit). With no authentication configured (development on loopback only) every caller is the
``anonymous`` user, who is not an admin.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from api.settings import Settings, key_digest

log = logging.getLogger("recon.api")


@dataclass(frozen=True)
class Principal:
    user: str
    admin: bool = False
    via: str = "none"  # "api-key" | "oidc" | "none"
    name: str | None = None  # a display name (OIDC ``name`` claim), for the people reading a validation

    @property
    def shown(self) -> str:
        return self.name or self.user


ANONYMOUS = Principal("anonymous", admin=False, via="none")


class AuthError(Exception):
    """Authentication failed; the message is generic on purpose (no hint which part was wrong)."""


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._keys = settings.api_keys
        self._jwks: jwt.PyJWKSet | None = None
        self._jwk_client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.settings.auth_configured

    def authenticate(self, authorization: str | None) -> Principal:
        if not self.enabled:
            return ANONYMOUS
        if not authorization:
            raise AuthError("authentication required")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 8192:
            raise AuthError("authentication required")
        if token.count(".") == 2 and self.settings.oidc_jwks:
            return self._oidc(token)
        return self._api_key(token)

    # -- API keys ------------------------------------------------------------------------------
    def _api_key(self, token: str) -> Principal:
        digest = key_digest(token).encode()
        found = None
        for key in self._keys:  # every key compared, whatever matched before
            if hmac.compare_digest(digest, key.digest.encode()) and found is None:
                found = key
        if found is None:
            raise AuthError("invalid credentials")
        return Principal(found.user, admin=found.admin, via="api-key")

    # -- OIDC ----------------------------------------------------------------------------------
    def _signing_key(self, token: str) -> Any:
        source = self.settings.oidc_jwks or ""
        if source.startswith(("https://", "http://")):
            with self._lock:
                if self._jwk_client is None:
                    self._jwk_client = jwt.PyJWKClient(source, cache_keys=True, lifespan=600, timeout=5)
            return self._jwk_client.get_signing_key_from_jwt(token).key
        with self._lock:
            if self._jwks is None:
                self._jwks = jwt.PyJWKSet.from_dict(json.loads(Path(source).read_text(encoding="utf-8")))
        kid = jwt.get_unverified_header(token).get("kid")
        keys = self._jwks.keys
        if kid is None and len(keys) == 1:
            return keys[0].key
        for k in keys:
            if k.key_id == kid:
                return k.key
        raise AuthError("invalid credentials")

    def _oidc(self, token: str) -> Principal:
        s = self.settings
        try:
            claims = jwt.decode(token, self._signing_key(token), algorithms=["RS256"], audience=s.oidc_audience,
                                issuer=s.oidc_issuer, leeway=30, options={"require": ["exp", "iss", "aud"]})
        except AuthError:
            raise
        except (jwt.PyJWTError, ValueError, KeyError, OSError) as e:
            log.info("OIDC token refused (%s)", type(e).__name__)
            raise AuthError("invalid credentials") from e
        user = claims.get(s.oidc_user_claim)
        if not isinstance(user, str) or not user or len(user) > 200:
            raise AuthError("invalid credentials")
        roles = claims.get(s.oidc_roles_claim) or []
        if isinstance(roles, str):
            roles = roles.split()
        admin = isinstance(roles, list) and s.oidc_admin_role in roles
        name = claims.get(s.oidc_name_claim) or claims.get("preferred_username")
        name = name.strip()[:120] if isinstance(name, str) and name.strip() else None
        return Principal(f"oidc:{user}", admin=admin, via="oidc", name=name)
