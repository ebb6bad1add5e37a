"""Schemathesis against the app in-process (ASGI): generated requests for every operation of the
OpenAPI schema, checked for server errors and for responses that break the schema.

Used by tests/api/test_schemathesis.py and ``python -m eval.bench_api --fuzz``.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from pathlib import Path

KEY = "fuzz-key-0123456789abcdef"


@dataclass
class FuzzResult:
    requests: dict[str, int] = field(default_factory=lambda: collections.Counter())
    statuses: dict[int, int] = field(default_factory=lambda: collections.Counter())
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


def run_fuzz(db_dir: Path, examples: int, *, seed: int | None = 8) -> FuzzResult:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import checks

    from api.main import create_app
    from api.settings import Settings

    app = create_app(Settings(db_path=db_dir / "fuzz.sqlite3", api_keys=f"fuzz:{KEY}", env="test",
                              rate_limit_burst=10**9, rate_limit_per_minute=10**9))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    wanted = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
              checks.response_schema_conformance, checks.response_headers_conformance,
              checks.negative_data_rejection]
    result = FuzzResult()
    start = time.perf_counter()
    def make_test(op: object, label: str) -> object:
        @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        @given(case=op.as_strategy())  # type: ignore[attr-defined]
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {KEY}"})
            result.requests[label] += 1
            result.statuses[response.status_code] += 1
            case.validate_response(response, checks=wanted)

        return check

    for maybe in schema.get_all_operations():
        op = maybe.ok()
        try:
            make_test(op, op.label)()  # type: ignore[operator]
        except Exception as e:  # a failure found: recorded, the other operations still run
            result.failures.append((op.label, str(e)[:2000]))
    result.seconds = time.perf_counter() - start
    return result
