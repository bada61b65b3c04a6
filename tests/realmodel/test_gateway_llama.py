"""``specwright serve`` in front of llama.cpp's server: plain, streamed, tool call, developer.

The shapes the OpenAI SDK sends and llama.cpp's server used to refuse with a 500 (a tool call
with ``content: null``, a ``developer`` message) must reach the model and come back answered,
each with a complete decision record.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from specwright import example_spec_path
from specwright._serve._decision_store import DecisionFilter, DecisionStore
from tests.realmodel._llama import LlamaServer
from tests.serve.process import serving, stop

SHORT = 8  # tokens per answer: the mechanics, not the prose
TOOL_CALL = {"id": "call_1", "type": "function",
             "function": {"name": "lookup", "arguments": '{"city": "Porto"}'}}  # fmt: skip


@pytest.fixture(scope="module")
def gateway(
    llama: LlamaServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[openai.OpenAI, str]]:
    """The gateway (enforce mode, one worker) on the llama server; its client and store URL."""
    where = tmp_path_factory.mktemp("gateway")
    store = f"sqlite:///{where / 'decisions.sqlite'}"
    args = ["--spec", str(example_spec_path()), "--upstream", llama.base_url, "--no-auth",
            "--db", store, "--workers", "1"]  # fmt: skip
    with serving(args, {"SPECWRIGHT_UPSTREAM_API_KEY": "none"}, where / "serve.log") as served:
        port, proc = served
        client = openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=120
        )
        yield client, store
        assert stop(proc) == 0


def _ask(client: openai.OpenAI, messages: list[dict[str, Any]]) -> str:
    reply = client.chat.completions.create(
        model="smollm2",
        messages=messages,
        max_tokens=SHORT,  # type: ignore[arg-type]
    )
    assert reply.choices[0].finish_reason in {"stop", "length"}
    return reply.choices[0].message.content or ""


def _records(store: str, at_least: int) -> list[Any]:
    """The store's records, newest first, once ``at_least`` are there: the gateway writes them
    in batches, a moment after the answer."""
    deadline = time.monotonic() + 15
    while True:
        records = DecisionStore(store).find(DecisionFilter())
        if len(records) >= at_least or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def test_plain_and_streamed_requests_are_answered(gateway: tuple[openai.OpenAI, str]) -> None:
    client, store = gateway
    before = len(_records(store, 0))
    assert _ask(client, [{"role": "user", "content": "Say hello."}]).strip()
    stream = client.chat.completions.create(
        model="smollm2",
        messages=[{"role": "user", "content": "Count to five."}],
        max_tokens=SHORT,
        stream=True,
    )
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert len([p for p in pieces if p]) >= 2  # chunk by chunk, not one block
    records = _records(store, before + 2)[:2]
    assert {r.stream for r in records} == {True, False}
    assert all(r.status == 200 and r.error is None for r in records)


def test_a_tool_call_with_null_content_reaches_the_model(
    gateway: tuple[openai.OpenAI, str],
) -> None:
    client, _ = gateway
    messages = [
        {"role": "user", "content": "What is the weather in Porto?"},
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 24 C."},
    ]
    _ask(client, messages)  # a 502 here raises openai.APIStatusError


def test_a_developer_message_reaches_the_model(gateway: tuple[openai.OpenAI, str]) -> None:
    client, store = gateway
    before = len(_records(store, 0))
    messages = [
        {"role": "developer", "content": "You book trips for Acme Travel."},
        {"role": "user", "content": "Book the 9am flight to Porto."},
    ]
    _ask(client, messages)
    newest = _records(store, before + 1)[0]
    assert newest.status == 200 and newest.error is None
