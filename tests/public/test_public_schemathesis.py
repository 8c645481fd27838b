"""Property-based run of the public API against its own OpenAPI schema: no input may cause a 5xx.

Positive and negative cases per operation, a few examples each, so the run stays in ``make test``.
(The schemathesis pytest plugin does not support this pytest version's Function nodes, so the
operations are driven through their Hypothesis strategies directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from public_seed import Seed
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from kiemchung.settings import get_settings

OPERATIONS = [
    "GET /api/v1/fact-checks",
    "GET /api/v1/fact-checks/{fc_id}",
    "POST /api/v1/match",
    "POST /api/v1/tips",
]


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"]
)
def test_api_has_no_server_errors(
    seeded: Seed, monkeypatch: pytest.MonkeyPatch, mode: GenerationMode
) -> None:
    from kiemchung.web.app import create_app

    # Many requests from one client in a few seconds: the limiter is tested elsewhere.
    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_PER_MINUTE", "1000000")
    get_settings.cache_clear()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app())
    found = {op.ok().label for op in schema.get_all_operations()}
    assert set(OPERATIONS) <= found
    calls = {"n": 0}
    for label in OPERATIONS:
        operation = schema.find_operation_by_label(label)
        assert operation is not None

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])
            calls["n"] += 1

        run()
    assert calls["n"] >= len(OPERATIONS)
