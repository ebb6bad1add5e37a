"""Limits: request body size (413), request rate per user (429 + Retry-After), documents processed
at once (503 + Retry-After) and processing time per request.

The rate limiter and the concurrency slots live in the process: with ``--workers N`` each worker
has its own (the effective limits are N times larger).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recon.errors import ProcessingTimeout

T = TypeVar("T")


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


class Busy(Exception):
    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class BodySizeLimit:
    """ASGI middleware: a body over ``max_bytes`` (declared or streamed) gets a 413 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _problem(self) -> tuple[Message, Message]:
        body = json.dumps({"type": "urn:recon:error:E105", "title": "Document too large", "status": 413,
                           "detail": f"the request body is over the {self.max_bytes}-byte limit",
                           "code": "E105"}).encode()
        start = {"type": "http.response.start", "status": 413,
                 "headers": [(b"content-type", b"application/problem+json"),
                             (b"content-length", str(len(body)).encode()), (b"connection", b"close")]}
        return start, {"type": "http.response.body", "body": body}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    start, body = self._problem()
                    await send(start)
                    await send(body)
                    return
        seen = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app answers, the answer is 413
                if message["type"] == "http.response.start" and not started:
                    started = True
                    start, body = self._problem()
                    await send(start)
                    await send(body)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started:
                start, body = self._problem()
                await send(start)
                await send(body)


class _BodyTooLarge(Exception):
    pass


class RateLimiter:
    """Token bucket per user: ``burst`` requests at once, ``per_minute`` sustained."""

    def __init__(self, per_minute: float, burst: int, *, max_users: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_users = max_users
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, user: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(user, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[user] = (tokens, now)
                raise TooManyRequests(max(1, math.ceil((1.0 - tokens) / self.rate)))
            self._buckets[user] = (tokens - 1.0, now)
            while len(self._buckets) > self.max_users:
                self._buckets.popitem(last=False)


class Slots:
    """At most ``n`` documents processed at once; a slot is freed when its work really ends."""

    def __init__(self, n: int) -> None:
        self._sem = threading.BoundedSemaphore(n)

    async def run(self, fn: Callable[[], T], *, timeout: float) -> T:
        if not self._sem.acquire(blocking=False):
            raise Busy(retry_after=1)

        state = ["pending"]
        lock = threading.Lock()

        def job() -> T:
            with lock:
                if state[0] == "cancelled":  # given up before it started; the slot is already free
                    raise ProcessingTimeout("the request was given up")
                state[0] = "running"
            try:
                return fn()
            finally:
                self._sem.release()

        def give_up() -> None:
            with lock:
                if state[0] == "pending":
                    state[0] = "cancelled"
                    self._sem.release()

        try:
            with anyio.fail_after(timeout):
                result: Any = await anyio.to_thread.run_sync(job, abandon_on_cancel=True)
        except TimeoutError as e:
            give_up()
            raise ProcessingTimeout(f"the request took longer than {timeout:.0f} s and was stopped") from e
        except BaseException:
            give_up()
            raise
        return result
