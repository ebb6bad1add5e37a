"""Settings refuse unsafe defaults; keys are kept hashed; `recon serve` refuses to publish without auth."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.auth import Authenticator, AuthError
from api.settings import Settings, parse_api_keys
from recon.cli import main

KEY = "k" * 20


def test_development_defaults_are_local_and_open() -> None:
    s = Settings()
    assert s.env == "development" and s.host == "127.0.0.1" and not s.auth_configured
    assert s.database.startswith("sqlite")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_public_interface_without_auth_is_refused(host: str) -> None:
    with pytest.raises(ValidationError, match="no authentication"):
        Settings(host=host)
    assert Settings(host=host, api_keys=f"alice:{KEY}").host == host


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_without_auth_is_allowed_in_development(host: str) -> None:
    assert Settings(host=host).host == host


def test_production_needs_strong_auth() -> None:
    with pytest.raises(ValidationError, match="needs authentication"):
        Settings(env="production")
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(env="production", api_keys="alice:short")
    with pytest.raises(ValidationError, match="https"):
        Settings(env="production", oidc_jwks="http://idp/jwks", oidc_issuer="i", oidc_audience="a")
    assert Settings(env="production", api_keys=f"alice:{KEY}").auth_configured


def test_oidc_needs_issuer_and_audience() -> None:
    with pytest.raises(ValidationError, match="ISSUER"):
        Settings(oidc_jwks="/tmp/jwks.json")


def test_api_key_format_and_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = parse_api_keys(f"alice:{KEY}1, carol@admin:{KEY}2 ,")
    assert [(k.user, k.admin) for k in keys] == [("alice", False), ("carol", True)]
    assert all(KEY not in repr(k) and KEY not in k.digest for k in keys)
    monkeypatch.setenv("RECON_API_KEYS", f"alice:{KEY}1,carol@admin:{KEY}2")
    s = Settings()
    assert KEY not in repr(s) and KEY not in str(s.model_dump())
    auth = Authenticator(s)
    assert auth.authenticate(f"Bearer {KEY}2").admin
    assert auth.authenticate(f"bearer {KEY}1").user == "alice"
    with pytest.raises(AuthError):
        auth.authenticate(f"Bearer {KEY}3")
    for bad in ("alice", "al ice:k", "bob@root:k", f"a:{KEY},b:{KEY}", ":k"):
        with pytest.raises(ValueError):
            parse_api_keys(bad)


def test_postgres_urls_use_psycopg3() -> None:
    s = Settings(database_url="postgresql://u:p@db:5432/recon")
    assert s.database == "postgresql+psycopg://u:p@db:5432/recon"
    with pytest.raises(ValidationError):
        Settings(database_url="mysql://x")


def test_serve_refuses_a_public_interface_without_auth(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import uvicorn

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("uvicorn must not start")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.setenv("RECON_HOST", "127.0.0.1")  # serve sets it: restored after the test
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "no authentication" in capsys.readouterr().err
    monkeypatch.setenv("RECON_ENV", "production")
    assert main(["serve"]) == 2
    assert "needs authentication" in capsys.readouterr().err


def test_serve_without_auth_listens_on_loopback_and_says_so(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("RECON_HOST", "127.0.0.1")
    assert main(["serve", "--port", "8123", "--workers", "2"]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["workers"] == 2
    assert seen["access_log"] is False
    err = capsys.readouterr().err
    assert "127.0.0.1" in err and "loopback" in err
    monkeypatch.setenv("RECON_API_KEYS", f"alice:{KEY}")
    assert main(["serve", "--host", "0.0.0.0"]) == 0 and seen["host"] == "0.0.0.0"
