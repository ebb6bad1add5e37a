"""Schemathesis: ≥ 1,000 generated requests, no server error, no response outside the OpenAPI schema.

About 3 to 4 minutes on two cores; ``RECON_FUZZ_EXAMPLES`` (examples per operation, default 220)
makes it shorter or longer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.api.fuzz import run_fuzz

EXAMPLES = int(os.environ.get("RECON_FUZZ_EXAMPLES", "220"))


@pytest.mark.slow
def test_generated_requests_get_no_server_error_and_match_the_schema(tmp_path: Path) -> None:
    result = run_fuzz(tmp_path, EXAMPLES)
    assert not result.failures, "\n\n".join(f"{op}: {text}" for op, text in result.failures)
    assert result.server_errors == 0
    if EXAMPLES >= 220:
        assert result.total >= 1000, result.requests
    assert {s for s in result.statuses if 200 <= s < 300}, "some requests must succeed"
