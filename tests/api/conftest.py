"""API fixtures: apps on a fresh database (SQLite in tmp_path, or PostgreSQL when
``RECON_TEST_DATABASE_URL`` is set), API keys, and OIDC tokens signed by a local JWKS."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

ALICE, BOB, ADMIN = "alice-key-0123456789", "bob-key-0123456789ab", "admin-key-0123456789"
API_KEYS = f"alice:{ALICE},bob:{BOB},root@admin:{ADMIN}"
ISSUER, AUDIENCE = "https://idp.example.test/realms/recon", "recon-api"
TEST_DB = os.environ.get("RECON_TEST_DATABASE_URL")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings of a test come from the test, not from the shell that runs it."""
    for name in list(os.environ):
        if name.startswith("RECON_") and name.removeprefix("RECON_").lower() in Settings.model_fields:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def rsa_keys() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return {"good": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "other": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


@pytest.fixture
def jwks_file(tmp_path: Path, rsa_keys: dict[str, Any]) -> Path:
    from jwt.algorithms import RSAAlgorithm

    jwk = json.loads(RSAAlgorithm.to_jwk(rsa_keys["good"].public_key()))
    jwk.update({"kid": "test-key", "use": "sig", "alg": "RS256"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
    return path


@pytest.fixture
def make_token(rsa_keys: dict[str, Any]) -> Callable[..., str]:
    import jwt

    def make(sub: str = "carol", *, roles: list[str] | None = None, expires_in: float = 300, aud: str = AUDIENCE,
             iss: str = ISSUER, key: str = "good", kid: str = "test-key", alg: str = "RS256",
             extra: dict[str, Any] | None = None) -> str:
        now = int(time.time())
        claims = {"sub": sub, "iss": iss, "aud": aud, "iat": now - 10, "exp": now + int(expires_in),
                  "jti": uuid.uuid4().hex, "roles": roles or [], **(extra or {})}
        signing: Any = rsa_keys[key] if alg == "RS256" else "not-a-real-secret-but-long-enough-for-hmac-32b"
        return jwt.encode(claims, signing, algorithm=alg, headers={"kid": kid})

    return make


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return TEST_DB or f"sqlite+pysqlite:///{tmp_path / 'api.sqlite3'}"


@pytest.fixture
def make_client(db_url: str, jwks_file: Path) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)`` → a started TestClient on an empty database."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        values: dict[str, Any] = {"database_url": db_url, "api_keys": API_KEYS, "oidc_jwks": str(jwks_file),
                                  "oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, "env": "test",
                                  "rate_limit_burst": 10_000}
        values.update(overrides)
        app = create_app(Settings(**values))
        storage = app.state.runtime.storage
        if not clients:
            storage.drop_all()  # an empty database for each test (PostgreSQL is shared)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def app_of(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def dump_database(client: TestClient) -> str:
    """Every row of every table, as text (to look for patient strings)."""
    from sqlalchemy import select

    from api.storage.schema import metadata

    rows = []
    with app_of(client).state.runtime.storage.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows += [repr(tuple(r)) for r in conn.execute(select(table))]
    return "\n".join(rows)
