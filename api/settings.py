"""The API's settings, in one class read from ``RECON_*`` environment variables.

Unsafe combinations are refused when the settings are built (so the server never starts with them):

- any interface other than loopback with no authentication configured, in every environment;
- outside ``RECON_ENV=development``: no authentication at all, API keys shorter than 16 characters,
  a JWKS fetched over plain http.

API keys (``RECON_API_KEYS``) are a comma-separated list of ``user[@admin]:key`` entries, e.g.
``alice:k1…,bob:k2…,carol@admin:k3…``: the user name (letters, digits, ``._-``), an optional ``@admin``
role, then the key (any characters but a comma). Only a SHA-256 digest of each key is kept in memory.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from recon.ingest.reader import MAX_BYTES

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
USER_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MIN_KEY_CHARS = 16


def key_digest(key: str) -> str:
    return hashlib.sha256(b"recon-api-key\0" + key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """One configured key: who it is, whether an admin, and the key's digest (never the key)."""

    user: str
    admin: bool
    digest: str
    weak: bool = False

    def __repr__(self) -> str:
        return f"ApiKey(user={self.user!r}, admin={self.admin})"


def parse_api_keys(value: object) -> tuple[ApiKey, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, tuple | list) and all(isinstance(v, ApiKey) for v in value):
        return tuple(value)
    if not isinstance(value, str):
        raise ValueError("RECON_API_KEYS must be a string of user[@admin]:key entries")
    keys: list[ApiKey] = []
    for n, raw in enumerate(value.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        who, sep, key = entry.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"RECON_API_KEYS entry {n}: expected user[@admin]:key")
        user, at, role = who.strip().partition("@")
        if not USER_RE.match(user):
            raise ValueError(f"RECON_API_KEYS entry {n}: the user name may hold letters, digits and ._- only")
        if at and role != "admin":
            raise ValueError(f"RECON_API_KEYS entry {n}: the only role is '@admin'")
        key = key.strip()
        keys.append(ApiKey(user=user, admin=bool(at), digest=key_digest(key), weak=len(key) < MIN_KEY_CHARS))
    digests = [k.digest for k in keys]
    if len(set(digests)) != len(digests):
        raise ValueError("RECON_API_KEYS: two entries share the same key")
    return tuple(keys)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_db_path() -> Path:
    return Path.home() / ".local" / "share" / "recon" / "api.sqlite3"


class Settings(BaseSettings):
    """Every setting of the API; environment variable = ``RECON_`` + the field name in capitals."""

    model_config = SettingsConfigDict(env_prefix="RECON_", extra="ignore", frozen=True)

    env: Literal["development", "test", "production"] = "development"
    host: str = Field("127.0.0.1", description="interface `recon serve` binds")
    # storage
    database_url: str | None = Field(None, description="postgresql://… (psycopg 3); default: SQLite at db_path")
    db_path: Path = Field(default_factory=default_db_path, description="the embedded SQLite database (WAL)")
    retention_days: float = Field(30.0, gt=0, description="stored reports older than this are purged")
    purge_interval_s: float = Field(3600.0, gt=0, description="how often the purge runs while serving")
    # authentication
    api_keys: Annotated[tuple[ApiKey, ...], NoDecode] = Field(default=(), repr=False)
    oidc_jwks: str | None = Field(None, description="JWKS file path or https URL for RS256 bearer tokens")
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_user_claim: str = "sub"
    oidc_roles_claim: str = "roles"
    oidc_name_claim: str = Field("name", description="the claim with the user's display name (decisions show it)")
    oidc_admin_role: str = "recon-admin"
    # limits
    max_body_bytes: int = Field(2 * MAX_BYTES + 65536, gt=0, description="whole request body")
    max_document_bytes: int = Field(MAX_BYTES, gt=0, description="one uploaded document")
    max_text_chars: int = Field(200_000, gt=0, description="one text sent as JSON")
    max_pages: int = Field(30, gt=0, description="pages of one document")
    max_medications: int = Field(500, gt=0, description="lines of one medication list sent as JSON")
    request_timeout_s: float = Field(60.0, gt=0, description="processing time of one request")
    rate_limit_per_minute: float = Field(120.0, gt=0, description="sustained requests per user and minute")
    rate_limit_burst: int = Field(30, gt=0, description="requests a user may send at once")
    max_concurrency: int = Field(16, gt=0, description="requests processed at once; more get 503")
    max_parallel_parses: int = Field(default_factory=lambda: os.cpu_count() or 2, gt=0,
                                     description="PDFs and images parsed at once (others wait their turn)")
    docs: bool = Field(True, description="serve /docs and /openapi.json")
    # background jobs (Dask)
    dask_scheduler: str | None = Field(None, description="tcp://host:8786 of a `dask scheduler`; default: an "
                                       "embedded LocalCluster, started on the first job")
    dask_workers: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 2), gt=0,
                              description="worker processes of the embedded LocalCluster")
    dask_processes: bool = Field(True, description="embedded cluster: worker processes (False: threads, for tests)")
    jobs_at_once: int = Field(4, gt=0, description="jobs one API process runs at once (the others stay queued)")
    job_lease_s: float = Field(30.0, gt=0, description="a running job not renewed for this long is run again")
    job_poll_s: float = Field(2.0, gt=0, description="how often queued and abandoned jobs are looked for")
    job_max_attempts: int = Field(3, gt=0, description="runs of one job interrupted by crashes before it fails")
    max_job_pairs: int = Field(200, gt=0, description="pairs in one batch job")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> tuple[ApiKey, ...]:
        return parse_api_keys(value)

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str | None) -> str | None:
        if not value:
            return None
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix):]
        if not value.startswith(("postgresql+psycopg://", "sqlite://", "sqlite+pysqlite://")):
            raise ValueError("RECON_DATABASE_URL must be a postgresql:// (psycopg 3) or sqlite:// URL")
        return value

    @property
    def auth_configured(self) -> bool:
        return bool(self.api_keys) or bool(self.oidc_jwks)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite+pysqlite:///{self.db_path}"

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.oidc_jwks and not (self.oidc_issuer and self.oidc_audience):
            raise ValueError("RECON_OIDC_JWKS needs RECON_OIDC_ISSUER and RECON_OIDC_AUDIENCE")
        if not self.auth_configured and not is_loopback(self.host):
            raise ValueError(f"refusing to listen on {self.host} with no authentication: set RECON_API_KEYS "
                             "or RECON_OIDC_JWKS, or listen on 127.0.0.1")
        if self.env != "development":
            if not self.auth_configured:
                raise ValueError(f"RECON_ENV={self.env} needs authentication: set RECON_API_KEYS or RECON_OIDC_JWKS")
            if any(k.weak for k in self.api_keys):
                raise ValueError(f"RECON_ENV={self.env}: API keys must have at least {MIN_KEY_CHARS} characters")
            if self.oidc_jwks and self.oidc_jwks.startswith("http://"):
                raise ValueError(f"RECON_ENV={self.env}: the JWKS must be fetched over https")
        return self
