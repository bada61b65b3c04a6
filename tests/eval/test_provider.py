"""Every model specwright builds has explicit, bounded limits (Inspect retries forever)."""

from __future__ import annotations

import pytest

from specwright._errors import ConfigurationError
from specwright._eval._provider import inspect_model
from tests.cli.test_eval_bad_input import closed_port
from tests.eval._server import env_server


def test_models_get_explicit_bounded_limits() -> None:
    model = inspect_model("mockllm/model", max_connections=7, role="grader")
    config = model.config
    assert (config.max_connections, config.max_retries) == (7, 3)
    assert (config.timeout, config.attempt_timeout) == (300, 300)


def test_openai_api_names_use_the_role_preserving_provider_without_sdk_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with env_server(monkeypatch, lambda _body: "ok"):
        model = inspect_model("openai-api/local/m", max_connections=1, max_retries=5)
    assert str(model) == "openai-roles/local/m" and model.config.max_retries == 5
    # Inspect retries; the SDK retrying underneath would multiply the attempts.
    assert model.api.client.max_retries == 0  # type: ignore[attr-defined]


def test_a_refused_connection_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("LOCAL_API_KEY", "k")
    with pytest.raises(ConfigurationError, match=r"model 'openai-api/local/m': cannot connect"):
        inspect_model("openai-api/local/m", max_connections=1)
