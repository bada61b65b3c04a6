"""What reaches the client and the record: cut streams, wide integers, retries that would
cost, stream overhead, the boundary token, and an app that leaves its host process alone."""

from __future__ import annotations

import gc
import json
import sys
import time
import typing
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai
import pytest

from specwright import example_spec_path, read_spec
from specwright._serve._app import create_app
from specwright._serve._records import (
    DecisionRecord,
    DecisionTrace,
    IsolatedSpan,
    IsolatedTrace,
    PartDecision,
    PartTrace,
    SectionDecision,
    SectionTrace,
    SpanDecision,
    SpanTrace,
)
from specwright._serve._streaming import BoundaryFilter
from tests.serve.conftest import (
    CLIENT_KEY,
    UPSTREAM_KEY,
    gateway_config,
    only_record,
    running_gateway,
)
from tests.serve.scripted_upstream import Upstream
from tests.serve.test_gateway_sdk import CONVERSATION

AUTH = {"authorization": f"Bearer {CLIENT_KEY}"}


def _client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url, api_key=CLIENT_KEY, max_retries=0, timeout=20)


def test_a_close_delimited_stream_cut_short_ends_in_an_error(
    gateway: str, upstream: Upstream, store_url: str
) -> None:
    """No length, no chunking: the close was taken for the end (no [DONE], record 200, no
    error)."""
    stream = _client(gateway).chat.completions.create(
        model="fault-closecut", messages=CONVERSATION, stream=True
    )
    received = []
    with pytest.raises(openai.APIError):
        for chunk in stream:
            received.append(chunk)
    assert received
    record = only_record(store_url)
    assert record.error is not None and "final event" in record.error


def test_a_complete_close_delimited_stream_is_not_an_error(
    gateway: str, upstream: Upstream, store_url: str
) -> None:
    chunks = list(
        _client(gateway).chat.completions.create(
            model="close-delimited", messages=CONVERSATION, stream=True
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "echo: 7 messages"
    assert only_record(store_url).error is None


@pytest.mark.parametrize(
    ("seed", "status"),
    [("123456789012345678901234567890", 400), ("-9223372036854775809", 400),
     ("18446744073709551615", 200), ("-9223372036854775808", 200)],
)  # fmt: skip
def test_integers_beyond_64_bits_are_a_400(
    gateway: str, upstream: Upstream, seed: str, status: int
) -> None:
    """A 30-digit seed went upstream as the float 1e+30."""
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    body = body[:-1] + f', "seed": {seed}}}'
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{gateway}/chat/completions", content=body, headers=AUTH)
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["error"]["type"] == "invalid_request_error"
        assert upstream.requests == []
    else:
        assert upstream.requests[-1].body["seed"] == int(seed)  # type: ignore[index]


@pytest.fixture
def impatient(
    upstream: Upstream, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """Two gateways with a 0.5 s upstream timeout: the default, and one that retries it."""
    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)
    plain = gateway_config(upstream.url, store_url, timeout=0.5)
    retrying = gateway_config(upstream.url, store_url, timeout=0.5, retry_timeouts=True)
    with running_gateway(plain) as one, running_gateway(retrying) as other:
        yield one, other


@pytest.mark.parametrize("stream", [False, True])
def test_a_timed_out_call_is_not_sent_again(
    impatient: tuple[str, str], upstream: Upstream, stream: bool
) -> None:
    """The model may still be generating: it was sent 3 times, each at full cost."""
    plain, retrying = impatient
    for url, sent in ((plain, 1), (retrying, 3)):
        upstream.requests.clear()
        with pytest.raises(openai.APIStatusError) as caught:
            _client(url).chat.completions.create(
                model="fault-hang", messages=CONVERSATION, stream=stream
            )
        assert caught.value.status_code == 502
        assert len(upstream.requests) == sent


def test_stream_overhead_ends_at_the_first_byte(
    gateway: str, upstream: Upstream, store_url: str
) -> None:
    """The stream's later chunks wait 0.6 s on the model: overhead counted all of it."""
    body = {"model": "gated", "messages": CONVERSATION, "stream": True}
    with (
        httpx.Client(timeout=10) as client,
        client.stream("POST", f"{gateway}/chat/completions", json=body, headers=AUTH) as r,
    ):
        chunks = r.iter_raw()
        next(chunks)
        time.sleep(0.6)
        upstream.gate.set()
        rest = b"".join(chunks)
    assert b"[DONE]" in rest
    record = only_record(store_url)
    assert record.latency_ms > 600
    assert record.overhead_ms < 300, record


def _marker_token(upstream: Upstream) -> str:
    sent = json.dumps(upstream.requests[-1].body)
    start = sent.index("<<<untrusted:") + len("<<<untrusted:")
    return sent[start : sent.index(":", start)]


def test_the_boundary_token_never_reaches_the_client(gateway: str, upstream: Upstream) -> None:
    """A model echoed the isolation marker back to the user."""
    client = _client(gateway)
    answer = client.chat.completions.create(model="echo-boundary", messages=CONVERSATION)
    token = _marker_token(upstream)
    text = answer.choices[0].message.content or ""
    assert token not in text and text.startswith("you said <<<untrusted:") and "ok" in text
    chunks = client.chat.completions.create(
        model="echo-boundary", messages=CONVERSATION, stream=True
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    token = _marker_token(upstream)
    assert token not in streamed
    assert streamed.startswith("you said <<<untrusted:") and streamed.endswith(">>> ok")


@pytest.mark.parametrize("anthropic", [False, True])
def test_a_token_split_anywhere_is_caught(anthropic: bool) -> None:
    token = "0123abcd4567ef89"
    text = f"a {token} b {token[:5]}x {token}"
    for size in (1, 3, 7, 16):
        stream = BoundaryFilter(token, anthropic)
        out = b""
        for start in range(0, len(text), size):
            piece = text[start : start + size]
            if anthropic:
                event = {"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": piece}}  # fmt: skip
                raw = b"event: content_block_delta\ndata: " + json.dumps(event).encode()
            else:
                event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                raw = b"data: " + json.dumps(event).encode()
            out += stream.feed(raw + b"\n\n")
        out += stream.end()
        joined = "".join(_texts(out))
        assert token not in joined and joined.count("[boundary]") == 2, (size, joined)
        assert joined == text.replace(token, "[boundary]")


@pytest.mark.parametrize("anthropic", [False, True])
def test_random_texts_and_splits_never_leak_the_token(anthropic: bool) -> None:
    """Random text with the token (and its prefixes) anywhere, cut into random events, the
    stream cut into random network chunks: the token never comes out, all else unchanged."""
    import random

    rng = random.Random(7)
    token = "9f3a0c1e7b2d4a68"
    pieces = [token, token[:3], token[:9], token[5:], "<<<untrusted:", ":1>>>", "a", " ", "ü"]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(0, 6))))
        events = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        raw = b"".join(_delta_event(piece, anthropic) for piece in events)
        stream = BoundaryFilter(token, anthropic)
        out, at = b"", 0
        while at < len(raw):
            step = rng.randint(1, 80)
            out += stream.feed(raw[at : at + step])
            at += step
        out += stream.end()
        assert token.encode() not in out
        assert "".join(_texts(out)) == text.replace(token, "[boundary]"), (text, events)


def _delta_event(piece: str, anthropic: bool) -> bytes:
    if anthropic:
        event = {"type": "content_block_delta", "index": 0,
                 "delta": {"type": "text_delta", "text": piece}}  # fmt: skip
        return b"event: content_block_delta\ndata: " + json.dumps(event).encode() + b"\n\n"
    event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def _texts(raw: bytes) -> Iterator[str]:
    for line in raw.splitlines():
        if line.startswith(b"data: "):
            event: dict[str, Any] = json.loads(line[6:])
            if "choices" in event:
                yield event["choices"][0]["delta"].get("content") or ""
            else:
                yield event["delta"]["text"]


def test_create_app_leaves_the_process_settings_alone(
    upstream: Upstream, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building and running the app changed the GIL switch interval and the collector."""
    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)

    def settings() -> tuple[float, tuple[int, int, int]]:
        return sys.getswitchinterval(), gc.get_threshold()

    # gc.freeze() would add the whole heap to the frozen generation; frozen objects that die
    # (an earlier test in this process may have frozen its heap) only lower the count.
    before, frozen = settings(), gc.get_freeze_count()
    with running_gateway(gateway_config(upstream.url, store_url)) as url:
        _client(url).chat.completions.create(model="m", messages=CONVERSATION)
        assert settings() == before and gc.get_freeze_count() <= frozen
    assert settings() == before and gc.get_freeze_count() <= frozen


def test_middleware_a_host_adds_sees_every_request(
    upstream: Upstream, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxied routes skipped it silently (adding it raised at the first request)."""
    from starlette.middleware.base import BaseHTTPMiddleware

    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)
    config = gateway_config(upstream.url, store_url)
    seen: list[str] = []

    async def note(request: Any, call_next: Any) -> Any:
        seen.append(request.url.path)
        return await call_next(request)

    app = create_app(config, read_spec(example_spec_path()))
    app.add_middleware(BaseHTTPMiddleware, dispatch=note)
    with running_gateway(config, app) as url:
        _client(url).chat.completions.create(model="m", messages=CONVERSATION)
    assert seen == ["/v1/chat/completions"]


@pytest.mark.parametrize(
    ("trace", "model"),
    [(SpanTrace, SpanDecision), (PartTrace, PartDecision), (SectionTrace, SectionDecision),
     (IsolatedTrace, IsolatedSpan)],
)  # fmt: skip
def test_the_trace_is_typed_like_the_record(trace: type, model: type) -> None:
    assert set(typing.get_type_hints(trace)) == set(model.model_fields)


def test_the_trace_holds_the_records_other_fields() -> None:
    assert set(typing.get_type_hints(DecisionTrace)) <= set(DecisionRecord.model_fields)


def _streamed_fields(raw: bytes) -> dict[str, str]:
    """Every streamed string field of the events in ``raw``, joined per field as a client
    joins them (text, refusal, tool-call arguments, thinking, partial JSON)."""
    joined: dict[str, str] = {}
    for line in raw.replace(b"\r", b"\n").splitlines():
        if not line.startswith(b"data:"):
            continue
        event = json.loads(line[5:])
        for choice in event.get("choices", []):
            delta = choice["delta"]
            for key in ("content", "refusal"):
                joined[key] = joined.get(key, "") + (delta.get(key) or "")
            for call in delta.get("tool_calls") or ():
                key = f"tool{call['index']}"
                joined[key] = joined.get(key, "") + call["function"]["arguments"]
        delta = event.get("delta", {})
        for key in ("text", "thinking", "partial_json"):
            joined[key] = joined.get(key, "") + delta.get(key, "")
    return joined


def _openai_delta(delta: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps({"choices": [{"index": 0, "delta": delta}]}).encode()


def _anthropic_delta(kind: str, key: str, piece: str) -> bytes:
    event = {"type": "content_block_delta", "index": 0, "delta": {"type": kind, key: piece}}
    return b"event: content_block_delta\ndata: " + json.dumps(event).encode()


_FIELDS: dict[str, tuple[bool, Callable[[str], bytes]]] = {
    "tool-call arguments": (
        False,
        lambda p: _openai_delta({"tool_calls": [{"index": 0, "function": {"arguments": p}}]}),
    ),
    "refusal": (False, lambda p: _openai_delta({"refusal": p})),
    "input_json_delta": (True, lambda p: _anthropic_delta("input_json_delta", "partial_json", p)),
    "thinking_delta": (True, lambda p: _anthropic_delta("thinking_delta", "thinking", p)),
}


@pytest.mark.parametrize("field", sorted(_FIELDS))
def test_a_token_split_in_any_streamed_field_is_caught(field: str) -> None:
    """The attack helper's find: a token split across tool-call argument, refusal, thinking
    or partial-JSON deltas reached the client whole (only text deltas were joined)."""
    token = "0123abcd4567ef89"
    anthropic, event = _FIELDS[field]
    text = f'{{"q": "a {token} b {token[:5]}x"}}'
    for size in (1, 5, 7):
        stream = BoundaryFilter(token, anthropic)
        out = b"".join(
            stream.feed(event(text[i : i + size]) + b"\n\n") for i in range(0, len(text), size)
        )
        out += stream.end()
        joined = _streamed_fields(out)
        assert token not in json.dumps(joined), (size, joined)
        assert text.replace(token, "[boundary]") in joined.values(), (size, joined)


@pytest.mark.parametrize("separator", [b"\r\r", b"\r\n\r\n", b"\n\r\n"])
def test_a_token_split_across_events_that_end_in_carriage_returns_is_caught(
    separator: bytes,
) -> None:
    """Server-sent events may end their lines with a bare ``\\r``: such events were not
    split, so a token across two of them went out whole."""
    token = "0123abcd4567ef89"
    stream = BoundaryFilter(token, anthropic=False)
    out = stream.feed(_openai_delta({"content": "a " + token[:7]}) + separator)
    out += stream.feed(_openai_delta({"content": token[7:] + " b"}) + separator) + stream.end()
    assert _streamed_fields(out)["content"] == "a [boundary] b"
