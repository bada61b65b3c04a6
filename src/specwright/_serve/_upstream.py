"""The upstream: one pooled ``httpx.AsyncClient`` per worker, with retries before the first byte.

Timeouts, connection resets, 5xx answers and garbage bodies are retried (``retries`` extra
attempts with a short backoff); once a byte has gone to the client nothing is retried. A 429
is not retried here: it goes back to the client with the upstream's ``Retry-After``, since the
client's own SDK backs off by it. Other 4xx answers pass through as the upstream wrote them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

from specwright._serve._problems import Problem

__all__ = ["StreamOpened", "Upstream", "UpstreamReply", "Wait"]

_POOLS = 8
_PASSED_HEADERS = ("retry-after", "x-request-id", "openai-processing-ms")


@dataclass
class Wait:
    """Seconds one request spent waiting on the upstream, over all its attempts."""

    seconds: float = 0.0
    attempts: int = 0


@dataclass
class UpstreamReply:
    """A complete (non-streamed) upstream answer."""

    status: int
    content: bytes
    headers: dict[str, str]
    data: dict[str, object] | None
    """The parsed body when it is a JSON object."""


@dataclass
class StreamOpened:
    """An upstream stream whose first chunk has arrived."""

    response: httpx.Response
    first: bytes
    rest: AsyncIterator[bytes]
    headers: dict[str, str]


def _passed(headers: httpx.Headers) -> dict[str, str]:
    return {k: headers[k] for k in _PASSED_HEADERS if k in headers}


def _retryable(exc: Exception) -> str | None:
    """A short name for a failure worth another attempt; ``None`` for anything else."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "connection failed"
    return None


class Upstream:
    """Calls to the upstream's Chat Completions and models endpoints."""

    def __init__(self, base_url: str, key: str | None, *, timeout: float, retries: int) -> None:
        headers = {"content-type": "application/json", "accept-encoding": "identity"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        # httpcore's pool scans every connection on each request and each release, so one
        # pool of hundreds of connections costs more CPU than the whole chain of command;
        # several small pools, taken in turn, keep each scan short.
        self._clients = [
            httpx.AsyncClient(
                base_url=base_url.rstrip("/"),
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                trust_env=False,
            )
            for _ in range(_POOLS)
        ]
        self._turn = itertools.cycle(self._clients)
        self._retries = retries

    @property
    def _client(self) -> httpx.AsyncClient:
        return next(self._turn)

    async def close(self) -> None:
        """Close the pools."""
        for client in self._clients:
            await client.aclose()

    async def models(self, wait: Wait) -> UpstreamReply:
        """``GET /models`` passed through (with the same retry rules)."""
        return await self._attempts(lambda: self._once("GET", "/models", None), wait)

    async def complete(self, payload: bytes, wait: Wait) -> UpstreamReply:
        """``POST /chat/completions`` without streaming."""
        call = lambda: self._once("POST", "/chat/completions", payload)  # noqa: E731
        return await self._attempts(call, wait)

    async def _once(self, method: str, path: str, payload: bytes | None) -> UpstreamReply:
        response = await self._client.request(method, path, content=payload)
        content = response.content
        data = None
        if response.status_code < 300 or response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            data = _json_object(content)
            if data is None and response.status_code < 300:
                raise _Garbage(f"upstream answered {response.status_code} with a body not JSON")
        return UpstreamReply(response.status_code, content, _passed(response.headers), data)

    async def _attempts(
        self, call: Callable[[], Awaitable[UpstreamReply]], wait: Wait
    ) -> UpstreamReply:
        failure = "no attempt"
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(0.02 * 2**attempt)
            started = time.perf_counter()
            wait.attempts += 1
            try:
                reply = await call()
            except (httpx.HTTPError, _Garbage) as exc:
                failure = str(exc) if isinstance(exc, _Garbage) else _retryable(exc) or "error"
                continue
            finally:
                wait.seconds += time.perf_counter() - started
            if reply.status >= 500:
                failure = f"upstream answered {reply.status}"
                continue
            return reply
        raise _bad_gateway(failure, self._retries + 1)

    async def open_stream(self, payload: bytes, wait: Wait) -> StreamOpened | UpstreamReply:
        """``POST /chat/completions`` with streaming, up to the first chunk.

        Returns the opened stream, or the upstream's non-5xx error answer.
        """
        failure = "no attempt"
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(0.02 * 2**attempt)
            started = time.perf_counter()
            wait.attempts += 1
            try:
                return await self._open_once(payload)
            except (httpx.HTTPError, _Garbage) as exc:
                failure = str(exc) if isinstance(exc, _Garbage) else _retryable(exc) or "error"
            finally:
                wait.seconds += time.perf_counter() - started
        raise _bad_gateway(failure, self._retries + 1)

    async def _open_once(self, payload: bytes) -> StreamOpened | UpstreamReply:
        client = self._client
        request = client.build_request("POST", "/chat/completions", content=payload)
        response = await client.send(request, stream=True)
        try:
            if response.status_code != 200:
                content = await response.aread()
                if response.status_code >= 500:
                    raise _Garbage(f"upstream answered {response.status_code}")
                return UpstreamReply(
                    response.status_code, content, _passed(response.headers), _json_object(content)
                )
            rest = response.aiter_bytes()
            first = b""
            async for chunk in rest:  # breaking out leaves ``rest`` open for the caller
                first += chunk
                if first.strip():
                    break
            if not first.lstrip().startswith((b"data", b":", b"event", b"id")):
                raise _Garbage("upstream stream is not server-sent events")
        except BaseException:
            await response.aclose()
            raise
        return StreamOpened(response, first, rest, _passed(response.headers))


class _Garbage(Exception):
    """An upstream answer that cannot be what it claims (retried like a failure)."""


def _json_object(content: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _bad_gateway(failure: str, attempts: int) -> Problem:
    noun = "attempt" if attempts == 1 else "attempts"
    return Problem(
        502, f"upstream failed after {attempts} {noun}: {failure}", code="upstream_failed"
    )
