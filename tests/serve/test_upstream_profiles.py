"""The gateway in front of an upstream that refuses like llama.cpp: it learns, adapts, and passes
a refusal's own message on in the caller's API's error shape; a refusal is never retried."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from specwright._llm import DEVELOPER_HEADER
from tests.llm.refusing_server import Server, refusing_server
from tests.serve.conftest import CLIENT_KEY, UPSTREAM_KEY, gateway_config, running_gateway

TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}


@pytest.fixture
def llama(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Server, openai.OpenAI]]:
    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)
    with (
        refusing_server(Server(quirks="llama-cpp")) as server,
        running_gateway(gateway_config(server.url, store_url)) as url,
    ):
        yield server, openai.OpenAI(base_url=url, api_key=CLIENT_KEY, max_retries=0)


def test_a_developer_message_is_learned_and_folded(llama: tuple[Server, openai.OpenAI]) -> None:
    server, client = llama
    messages = [{"role": "developer", "content": "Answer briefly."},
                {"role": "user", "content": "Hello"}]  # fmt: skip
    reply = client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == "ok"
    first, second = server.requests  # (the gateway puts its own system message first)
    assert "developer" in [m["role"] for m in first["messages"]]
    assert [m["role"] for m in second["messages"]] == ["system", "user"]
    assert DEVELOPER_HEADER in second["messages"][0]["content"]
    client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    assert len(server.requests) == 3  # remembered: sent adapted at once


def test_a_tool_call_with_null_content_is_adapted(llama: tuple[Server, openai.OpenAI]) -> None:
    server, client = llama
    messages = [{"role": "user", "content": "Look it up"},
                {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "c1", "content": "42"}]  # fmt: skip
    reply = client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == "ok"
    [assistant] = [m for m in server.requests[-1]["messages"] if m["role"] == "assistant"]
    assert assistant["content"] == "" and assistant["tool_calls"][0]["id"] == "c1"


def test_an_unlearnable_refusal_is_a_400_with_the_upstreams_message(
    llama: tuple[Server, openai.OpenAI],
) -> None:
    server, client = llama
    server.replies.append((500, "1 validation error: max_tokens Input should be less than 99"))
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert "Input should be less than 99" in raised.value.message
    assert len(server.requests) == 1  # a refusal is not retried


def test_a_failing_upstream_names_its_own_message(llama: tuple[Server, openai.OpenAI]) -> None:
    server, client = llama
    server.replies.extend([(503, "loading model")] * 3)
    with pytest.raises(openai.APIStatusError) as raised:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 502 and "loading model" in raised.value.message


def test_a_declared_profile_adapts_at_once_and_the_record_says_how(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `serve --profile llama-cpp`: no refusal to learn from; the decision record keeps the
    # adaptation, and a request that needed none records none.
    from specwright._serve._decision_store import DecisionFilter, DecisionStore

    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)
    config = gateway_config("", store_url, profile="llama-cpp")
    with refusing_server(Server(quirks="llama-cpp")) as server:
        config = config.model_copy(update={"upstream": server.url})
        with running_gateway(config) as url:
            client = openai.OpenAI(base_url=url, api_key=CLIENT_KEY, max_retries=0)
            messages = [{"role": "developer", "content": "Answer briefly."},
                        {"role": "user", "content": "Hello"}]  # fmt: skip
            client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
            client.chat.completions.create(model="m", messages=messages[1:])  # type: ignore[arg-type]
        assert len(server.requests) == 2  # adapted before the first send
    records = DecisionStore(store_url).find(DecisionFilter(limit=2))
    kinds = sorted(tuple(a.kind for a in r.adaptations) for r in records)
    assert kinds[0] == () and len(kinds[1]) >= 1
    assert all(r.status == 200 for r in records)
