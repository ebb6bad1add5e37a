"""Limits: rate (429), body size (413), pages, hostile uploads, concurrency (503), time."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.limits import RateLimiter, TooManyRequests
from tests.api.conftest import ALICE, BOB, bearer
from tests.pdfgen import make_pdf
from tests.test_cli import HOSPITAL, ORDONNANCE


def _is_problem(r: object, status: int | None = None) -> bool:
    ok = 400 <= r.status_code < 500 and r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    return ok and (status is None or r.status_code == status)  # type: ignore[attr-defined]


def test_rate_limit_answers_429_with_retry_after(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_burst=3, rate_limit_per_minute=6)
    codes = [client.get("/v1/drugs?q=kardegic", headers=bearer(ALICE)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get("/v1/drugs?q=kardegic", headers=bearer(ALICE))
    assert _is_problem(r, 429) and r.json()["code"] == "E429"
    assert 1 <= int(r.headers["retry-after"]) <= 10
    assert client.get("/v1/drugs?q=kardegic", headers=bearer(BOB)).status_code == 200  # per user


def test_failed_authentications_are_rate_limited_too(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_burst=2, rate_limit_per_minute=1)
    codes = [client.get("/v1/drugs?q=x", headers=bearer(f"guess-{i:016d}")).status_code for i in range(3)]
    assert codes == [401, 401, 429]


def test_token_bucket_refills() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    limiter.hit("u", now=0.0)
    limiter.hit("u", now=0.0)
    with pytest.raises(TooManyRequests) as e:
        limiter.hit("u", now=0.0)
    assert e.value.retry_after == 1
    limiter.hit("u", now=1.0)


def test_oversized_upload_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=10_000)
    big = ("KARDEGIC 75 mg : 1 sachet par jour\n" * 1000).encode()
    r = client.post("/v1/extract", files={"file": ("big.txt", big)}, headers=bearer(ALICE))
    assert _is_problem(r, 413) and r.json()["code"] == "E105"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(40):
            yield b'{"text": "' + b"x" * 500 + b'"}'

    r = client.post("/v1/extract", content=chunks(), headers={**bearer(ALICE), "Content-Type": "application/json"})
    assert _is_problem(r, 413)


def test_oversized_document_and_text_are_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_document_bytes=1000, max_text_chars=1000)
    r = client.post("/v1/extract", files={"file": ("big.txt", b"a" * 2000)}, headers=bearer(ALICE))
    assert _is_problem(r, 413)
    r = client.post("/v1/extract", json={"text": "a" * 2000}, headers=bearer(ALICE))
    assert _is_problem(r, 413)


def test_too_many_pages_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_pages=1)
    pdf = make_pdf([ORDONNANCE.splitlines(), HOSPITAL.splitlines()])
    r = client.post("/v1/extract", files={"file": ("two.pdf", pdf, "application/pdf")}, headers=bearer(ALICE))
    assert _is_problem(r, 413) and "page" in r.json()["detail"]


_RNG = random.Random(8)
HOSTILE = [
    ("random.pdf", _RNG.randbytes(40_000)),
    ("truncated.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n" + _RNG.randbytes(200)),
    ("binary.txt", b"\x00\x01\x02" + _RNG.randbytes(5000)),
    ("program.exe", b"MZ" + _RNG.randbytes(1000)),
    ("no-extension", _RNG.randbytes(100)),
    ("empty.txt", b""),
]


@pytest.mark.parametrize(("name", "data"), HOSTILE, ids=[n for n, _ in HOSTILE])
def test_hostile_uploads_are_4xx_problems(client: TestClient, name: str, data: bytes) -> None:
    r = client.post("/v1/extract", files={"file": (name, data, "application/octet-stream")}, headers=bearer(ALICE))
    assert _is_problem(r), (name, r.status_code, r.text[:200])
    assert r.json()["code"].startswith("E1")
    r = client.post("/v1/reconcile", files={"before": (name, data), "after": ("a.txt", HOSPITAL.encode())},
                    headers=bearer(ALICE))
    assert _is_problem(r)


@pytest.mark.parametrize(("body", "content_type"), [
    (b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b"x=1", "application/x-www-form-urlencoded"),
    (b"--nope\r\n", "multipart/form-data; boundary=zzz"), (b"", "multipart/form-data"),
])
def test_malformed_bodies_are_4xx_problems(client: TestClient, body: bytes, content_type: str) -> None:
    for path in ("/v1/extract", "/v1/reconcile", "/v1/letters"):
        r = client.post(path, content=body, headers={**bearer(ALICE), "Content-Type": content_type})
        assert _is_problem(r), (path, body, r.status_code)


def test_busy_server_answers_503(make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import documents

    client = make_client(max_concurrency=1)
    release, started = threading.Event(), threading.Event()
    real = documents.pipeline.read_and_extract

    def slow(*args: object, **kwargs: object) -> object:
        started.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(documents.pipeline, "read_and_extract", slow)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/v1/extract", json={"text": ORDONNANCE}, headers=bearer(ALICE))
        assert started.wait(10)
        r = client.post("/v1/extract", json={"text": ORDONNANCE}, headers=bearer(BOB))
        assert r.status_code == 503 and r.json()["code"] == "E503" and r.headers["retry-after"] == "1"
        release.set()
        assert first.result(10).status_code == 200
    assert client.post("/v1/extract", json={"text": ORDONNANCE}, headers=bearer(BOB)).status_code == 200


def test_processing_time_limit(make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import documents

    client = make_client(request_timeout_s=0.3, max_concurrency=1)
    real = documents.pipeline.read_and_extract

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(documents.pipeline, "read_and_extract", slow)
    t0 = time.monotonic()
    r = client.post("/v1/extract", json={"text": ORDONNANCE}, headers=bearer(ALICE))
    assert r.status_code == 422 and r.json()["code"] == "E107" and time.monotonic() - t0 < 0.9
    time.sleep(1.0)  # the abandoned work ends and frees its slot
    monkeypatch.setattr(documents.pipeline, "read_and_extract", real)
    assert client.post("/v1/extract", json={"text": ORDONNANCE}, headers=bearer(ALICE)).status_code == 200
