"""Property-based run of ``POST /api/v1/feedback`` against its OpenAPI schema: no input causes a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from kiemchung.settings import get_settings


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"]
)
def test_feedback_api_has_no_server_errors(
    fb_users: dict[str, int], monkeypatch: pytest.MonkeyPatch, mode: GenerationMode
) -> None:
    from kiemchung.web.app import create_app

    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_PER_MINUTE", "1000000")
    get_settings.cache_clear()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app())
    operation = schema.find_operation_by_label("POST /api/v1/feedback")
    assert operation is not None
    calls = {"n": 0}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error])
        calls["n"] += 1

    run()
    assert calls["n"] >= 1
