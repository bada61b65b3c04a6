"""The one door against servers on 127.0.0.1 that refuse like real ones; the scripted model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from specwright import ConfigurationError
from specwright._llm import (
    PROFILES,
    ChatReply,
    ChatRequest,
    Endpoint,
    OpenAIChatClient,
    RetryPolicy,
    ScriptedFailure,
    ScriptedModel,
    open_client,
    resolve_endpoint,
)
from specwright._settings import Settings
from tests.llm.refusing_server import Server, refusing_server

SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


def _request(**extra: object) -> ChatRequest:
    messages = (
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Answer in JSON."},
        {"role": "user", "content": "Is the sky blue?"},
    )
    return ChatRequest(messages=messages, max_tokens=50, **extra)  # type: ignore[arg-type]


@pytest.fixture
def llama() -> Iterator[Server]:
    with refusing_server(Server(quirks="llama-cpp", replies=['{"ok": true}'] * 4)) as server:
        yield server


def _client(server: Server, **options: object) -> OpenAIChatClient:
    endpoint = Endpoint(name="openai-api/local/m", model="m", base_url=server.url, api_key="k")
    return OpenAIChatClient(endpoint, **options)  # type: ignore[arg-type]


def test_learns_from_the_first_refusal_and_remembers_it(llama: Server) -> None:
    client = _client(llama, policy=RetryPolicy(backoff=0))
    first = client.complete_sync(_request(output_schema=SCHEMA))
    assert first.error is None and first.text == '{"ok": true}'
    # json_schema refused (422, before the handler runs), then the developer role (500).
    assert first.attempts == 3
    assert [lesson.field for lesson in client.lessons] == ["structured", "developer_role"]
    assert [a.kind for a in first.adaptations] == ["developer_folded"]
    assert first.structured == "json_object_schema"
    sent = len(llama.requests)
    second = client.complete_sync(_request(output_schema=SCHEMA))
    assert second.attempts == 1 and len(llama.requests) == sent + 1  # remembered for the run
    assert llama.requests[-1]["response_format"]["type"] == "json_object"


def test_a_declared_profile_sends_the_right_request_first(llama: Server) -> None:
    client = _client(llama, profile=PROFILES["llama-cpp"])
    reply = asyncio.run(client.complete(_request(output_schema=SCHEMA)))
    assert reply.attempts == 1 and reply.error is None and client.lessons == []
    assert [m["role"] for m in llama.requests[0]["messages"]] == ["system", "user"]
    assert client.max_connections == 1  # the profile's default for a one-slot server


def test_vllm_and_ollama_refusals_of_the_developer_role_are_learned() -> None:
    for quirks in ("vllm", "ollama"):
        with refusing_server(Server(quirks=quirks, replies=["fine"])) as server:
            reply = _client(server).complete_sync(_request())
        assert (reply.text, reply.attempts) == ("fine", 2), quirks
        assert server.requests[1]["messages"][0]["role"] == "system"


def test_a_refusal_that_names_nothing_to_adapt_stops_at_once() -> None:
    with refusing_server(Server(replies=[400, "never"])) as server:
        reply = _client(server, policy=RetryPolicy(backoff=0)).complete_sync(_request())
    assert reply.failure == "refused" and reply.attempts == 1 and len(server.requests) == 1
    error = reply.error or ""
    assert "HTTP 400: scripted refusal 400" in error and "not retried" in error
    assert "--profile" in error and "resume" not in error


def test_timeout_is_not_retried_by_default() -> None:
    with refusing_server(Server(replies=[1.5, "late"])) as server:
        client = _client(server, timeout=0.3, flags={"timeout": "--generator-timeout"})
        reply = client.complete_sync(_request())
    assert reply.failure == "timeout" and reply.attempts == 1
    assert len(server.requests) == 1
    error = reply.error or ""
    assert "after 1 attempt(s)" in error and "--generator-timeout" in error


def test_server_errors_are_retried_within_the_policy() -> None:
    with refusing_server(Server(replies=[503, 503, "third"])) as server:
        reply = _client(server, policy=RetryPolicy(attempts=3, backoff=0)).complete_sync(_request())
    assert (reply.text, reply.attempts) == ("third", 3)
    with refusing_server(Server(replies=[503, 503, "third"])) as server:
        reply = _client(server, policy=RetryPolicy(attempts=2, backoff=0)).complete_sync(_request())
    assert reply.failure == "server" and "after 2 attempt(s)" in (reply.error or "")


def test_scripted_model_goes_through_the_same_door() -> None:
    model = ScriptedModel(['{"ok": true}', ChatReply(refused=True)], profile=PROFILES["llama-cpp"])
    first = asyncio.run(model.complete(_request(output_schema=SCHEMA)))
    assert first.text == '{"ok": true}' and first.structured == "json_object_schema"
    assert [a.kind for a in first.adaptations] == ["developer_folded"]
    assert model.bodies[0]["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert model.complete_sync(_request()).refused
    assert "no reply left" in (model.complete_sync(_request()).error or "")
    echo = ScriptedModel(lambda body: str(len(body["messages"])))
    assert echo.complete_sync(_request()).text == "3"


def test_scripted_failures_follow_the_retry_policy() -> None:
    busy = ScriptedFailure.http(503)
    model = ScriptedModel([busy, busy, "third"], policy=RetryPolicy(attempts=3))
    reply = model.complete_sync(_request())
    assert (reply.text, reply.attempts, len(model.bodies), len(model.requests)) == (
        "third",
        3,
        3,
        1,
    )
    model = ScriptedModel([busy, busy, "third"], policy=RetryPolicy(attempts=2))
    reply = model.complete_sync(_request())
    assert reply.failure == "server" and "after 2 attempt(s)" in (reply.error or "")
    refused = ScriptedModel([ScriptedFailure.http(400, "no such model"), "never"])
    reply = refused.complete_sync(_request())
    assert (
        reply.failure == "refused" and reply.attempts == 1 and "not retried" in (reply.error or "")
    )
    late = ScriptedModel([ScriptedFailure.timeout(), "late"], flags={"timeout": "--gen-timeout"})
    reply = asyncio.run(late.complete(_request()))
    assert (
        reply.failure == "timeout"
        and reply.attempts == 1
        and "--gen-timeout" in (reply.error or "")
    )


def test_a_scripted_refusal_teaches_the_profile_as_a_server_s_would() -> None:
    role = "Input should be 'system' [type=literal_error, input_value='developer']"
    model = ScriptedModel([ScriptedFailure.http(500, role), "fine", "again"])
    reply = model.complete_sync(_request())
    assert (reply.text, reply.attempts) == ("fine", 2)
    assert [lesson.field for lesson in model.lessons] == ["developer_role"]
    assert [m["role"] for m in model.bodies[1]["messages"]] == ["system", "user"]
    assert model.complete_sync(_request()).attempts == 1  # remembered for the run


def test_an_installed_scripted_model_is_reached_by_its_name() -> None:
    model = ScriptedModel(["hello"], name="scripted/gen")
    endpoint = resolve_endpoint("scripted/gen", option="--generator")
    assert (endpoint.model, endpoint.base_url, endpoint.api_key) == ("gen", None, None)
    with pytest.raises(ConfigurationError, match="--generator 'scripted/gen': no scripted"):
        open_client(endpoint, option="--generator")
    with model.installed():
        client = open_client(endpoint, profile=PROFILES["ollama"], policy=RetryPolicy(attempts=5))
        assert client is model and model.profile.name == "ollama"
        assert (model.policy.attempts, model.policy.backoff) == (5, 0.0)  # never waits
        assert client.complete_sync(_request()).text == "hello"
    assert model.bodies[0]["model"] == "gen"
    with pytest.raises(ConfigurationError, match="no scripted model"):
        open_client(endpoint)
    with pytest.raises(ConfigurationError, match="starts with"):
        ScriptedModel([], name="gen").installed().__enter__()


def test_provider_variables_come_through_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEN_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("GEN_API_KEY", "k")
    endpoint = resolve_endpoint("openai-api/gen/m")
    assert (endpoint.base_url, endpoint.api_key, endpoint.model) == (
        "http://127.0.0.1:9/v1",
        "k",
        "m",
    )
    monkeypatch.setenv("GEN_API_KEY", "")
    with pytest.raises(ConfigurationError, match="set GEN_API_KEY"):
        resolve_endpoint("openai-api/gen/m", option="--generator")
    with pytest.raises(ConfigurationError, match="HOME"):
        Settings.provider_variable("HOME")
