"""Malformed requests and failing upstreams: OpenAI-shaped errors, one record each, no hang."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from specwright._serve._decision_store import DecisionFilter, DecisionStore
from tests.serve.conftest import CLIENT_KEY, UPSTREAM_KEY, gateway_config, running_gateway
from tests.serve.process import free_port
from tests.serve.scripted_upstream import Upstream
from tests.serve.test_gateway_sdk import CONVERSATION

LIMIT = 64 * 1024
AUTH = {"authorization": f"Bearer {CLIENT_KEY}"}


@pytest.fixture
def small_gateway(
    upstream: Upstream, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A gateway with a 64 KiB body limit and a 1 s upstream timeout."""
    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)
    config = gateway_config(upstream.url, store_url, max_body_bytes=LIMIT, timeout=1.0)
    with running_gateway(config) as url:
        yield url


def _records(store_url: str, expected: int, limit: float = 10.0) -> int:
    store = DecisionStore(store_url)
    deadline = time.monotonic() + limit
    while (count := store.count()) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # and no more than that
    count = store.count()
    store.close()
    return count


def _assert_error(response: httpx.Response, status: int, param: str | None = None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    if param is not None:
        assert error["param"] == param
    assert response.headers["content-type"].startswith("application/json")


MALFORMED: list[tuple[bytes, int, str | None]] = [
    (b"{not json", 400, None),
    (b"\xff\xfe\x00", 400, None),
    (b"[1, 2]", 400, None),
    (b'{"model": "m"}', 422, "messages"),
    (b'{"model": "m", "messages": "hello"}', 422, "messages"),
    (b'{"model": "m", "messages": [{"role": "wizard", "content": "x"}]}', 422, "messages[0].role"),
    (b'{"model": "m", "messages": [{"role": "user", "content": 42}]}', 422, "messages[0].content"),
    (b'{"model": "m", "messages": [{"role": "user"}]}', 422, "messages[0].content"),
    (b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}', 422,
     "stream"),
    (b'{"model": "m", "messages": [17]}', 422, None),
    # JSON that Python's json module reads but that cannot be written back as UTF-8 JSON:
    (b'{"model": "m", "messages": [{"role": "user", "content": "a \\ud800 b"}]}', 400, None),
    (b'{"model": "m", "temperature": NaN, "messages": [{"role": "user", "content": "x"}]}', 400,
     None),
]  # fmt: skip


def test_malformed_requests_get_4xx_and_a_record(
    small_gateway: str, upstream: Upstream, store_url: str
) -> None:
    url = f"{small_gateway}/chat/completions"
    with httpx.Client(timeout=10) as client:
        for body, status, param in MALFORMED:
            response = client.post(url, content=body, headers=AUTH)
            _assert_error(response, status, param)
            assert response.headers["x-specwright-decision-id"].startswith("dec_")
        huge = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x" * LIMIT}]})
        _assert_error(client.post(url, content=huge, headers=AUTH), 413)

        def chunks() -> Iterator[bytes]:  # no content-length: the limit holds while reading
            for _ in range(100):
                yield b" " * 4096

        _assert_error(client.post(url, content=chunks(), headers=AUTH), 413)
        _assert_error(client.post(url, content=b"{}"), 401)
        _assert_error(client.post(url, content=b"{}", headers={"authorization": "Bearer no"}), 401)
        _assert_error(client.get(f"{small_gateway}/nowhere"), 404)
        _assert_error(client.get(url), 405)
        assert client.get(small_gateway.removesuffix("/v1") + "/healthz").status_code == 200
    assert upstream.requests == []
    assert _records(store_url, len(MALFORMED) + 4) == len(MALFORMED) + 4  # not 404/405


@pytest.mark.parametrize(("depth", "status"), [(200, 200), (300, 422), (1100, 400)])
@pytest.mark.parametrize("where", ["body", "message"])
def test_deeply_nested_json_is_forwarded_or_refused_never_a_500(
    small_gateway: str, upstream: Upstream, depth: int, status: int, where: str
) -> None:
    """Past what the model accepts (a pydantic recursion error: it was a 500) the field is
    named in a 422; past the parser's 1,024 levels, a 400; below both, the request is forwarded
    (past orjson's 254 writable levels, written by the json module)."""
    nested = "[" * depth + "]" * depth
    meta = f', "meta": {nested}' if where == "message" else ""
    extra = f', "metadata": {nested}' if where == "body" else ""
    body = f'{{"model": "m", "messages": [{{"role": "user", "content": "x"{meta}}}]{extra}}}'
    with httpx.Client(timeout=10) as client:
        response = client.post(
            f"{small_gateway}/chat/completions", content=body.encode(), headers=AUTH
        )
    assert response.status_code == status, response.text
    if status != 200:
        _assert_error(response, status)
    if status == 422:
        assert response.json()["error"]["param"] == (
            "metadata" if where == "body" else "messages[0].meta"
        )
    assert response.headers["x-specwright-decision-id"].startswith("dec_")


def _client(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=url, api_key=CLIENT_KEY, max_retries=0, timeout=20)


@pytest.mark.parametrize("fault", ["fault-500", "fault-reset", "fault-garbage"])
def test_failing_upstream_ends_in_502_after_bounded_retries(
    small_gateway: str, upstream: Upstream, fault: str
) -> None:
    for stream in (False, True):
        upstream.requests.clear()
        with pytest.raises(openai.APIStatusError) as caught:
            _client(small_gateway).chat.completions.create(
                model=fault, messages=CONVERSATION, stream=stream
            )
        assert caught.value.status_code == 502
        body = caught.value.response.json()
        assert (
            body["error"]["code"] == "upstream_failed" and "3 attempts" in body["error"]["message"]
        )
        assert len(upstream.requests) == 3  # the first attempt and two retries


def test_429_passes_retry_after_on(small_gateway: str, upstream: Upstream) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        _client(small_gateway).chat.completions.create(model="fault-429", messages=CONVERSATION)
    assert caught.value.response.headers["retry-after"] == "7"
    assert len(upstream.requests) == 1


def test_hanging_upstream_times_out_into_502(small_gateway: str, upstream: Upstream) -> None:
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as caught:
        _client(small_gateway).chat.completions.create(model="fault-hang", messages=CONVERSATION)
    assert caught.value.status_code == 502 and "timeout" in caught.value.message
    assert time.monotonic() - started < 10  # one 1 s attempt (a timeout is not resent)


def test_retry_before_first_byte_recovers(small_gateway: str, upstream: Upstream) -> None:
    answer = _client(small_gateway).chat.completions.create(model="flaky-a", messages=CONVERSATION)
    assert answer.choices[0].message.content == "echo: 7 messages"
    chunks = list(
        _client(small_gateway).chat.completions.create(
            model="flaky-b", messages=CONVERSATION, stream=True
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "echo: 7 messages"


def test_upstream_dying_mid_stream_ends_the_stream_with_an_error(
    small_gateway: str, upstream: Upstream, store_url: str
) -> None:
    stream = _client(small_gateway).chat.completions.create(
        model="fault-midstream", messages=CONVERSATION, stream=True
    )
    received = []
    with pytest.raises(openai.APIError, match="mid-stream"):
        for chunk in stream:
            received.append(chunk)
    assert received  # bytes had gone out: no retry, no new status
    assert len(upstream.requests) == 1
    store = DecisionStore(store_url)
    deadline = time.monotonic() + 10
    while not store.count() and time.monotonic() < deadline:
        time.sleep(0.05)
    (record,) = store.find(DecisionFilter())
    assert record.status == 200 and record.error is not None and "mid-stream" in record.error


def test_unreachable_upstream_is_502(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    config = gateway_config(dead, store_url, timeout=1.0)
    with running_gateway(config) as url, pytest.raises(openai.APIStatusError) as caught:
        _client(url).chat.completions.create(model="m", messages=CONVERSATION)
    assert caught.value.status_code == 502 and "connection failed" in caught.value.message


def test_client_leaving_mid_stream_still_records_once(
    small_gateway: str, upstream: Upstream, store_url: str
) -> None:
    body = {"model": "gated", "messages": CONVERSATION, "stream": True}
    with (
        httpx.Client(timeout=10) as client,
        client.stream("POST", f"{small_gateway}/chat/completions", json=body, headers=AUTH) as r,
    ):
        assert r.status_code == 200
        next(r.iter_raw())
    upstream.gate.set()
    assert _records(store_url, 1) == 1


def test_fuzzed_requests_never_crash_the_gateway(
    small_gateway: str, upstream: Upstream, store_url: str
) -> None:
    """Mutated real requests: each answered 2xx or 4xx (never 5xx, never a hang)."""
    seed = json.dumps({"model": "target", "messages": CONVERSATION}).encode()
    rng = random.Random(13)
    statuses = []
    with httpx.Client(timeout=10) as client:
        for _ in range(150):
            data = bytearray(seed)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.choice(b'{}[]":,\\x0 \xff')
            response = client.post(f"{small_gateway}/chat/completions", content=bytes(data),
                                   headers=AUTH)  # fmt: skip
            statuses.append(response.status_code)
            if response.status_code >= 400:
                assert "error" in response.json()
    assert all(s < 500 for s in statuses), statuses
    assert _records(store_url, 150) == 150


def test_client_giving_up_on_a_hanging_upstream_still_records_once(
    small_gateway: str, upstream: Upstream, store_url: str
) -> None:
    body = {"model": "fault-hang", "messages": CONVERSATION}
    with httpx.Client(timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.post(f"{small_gateway}/chat/completions", json=body, headers=AUTH)
    assert _records(store_url, 1) == 1
    (record,) = DecisionStore(store_url).find(DecisionFilter())
    assert record.status in (499, 502) and record.error
