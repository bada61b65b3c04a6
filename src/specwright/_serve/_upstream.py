"""The upstream: one pooled ``aiohttp.ClientSession`` per worker, retries before the first byte.

Connection failures and resets, 5xx answers and garbage bodies are retried (``retries`` extra
attempts with a short backoff); once a byte has gone to the client nothing is retried. A
timeout is not retried unless ``retry_timeouts`` says so: the upstream may still be generating
the first answer, and a second request would be paid for in full. A 429
is not retried here: it goes back to the client with the upstream's ``Retry-After``, since the
client's own SDK backs off by it. Other 4xx answers pass through as the upstream wrote them.

What the upstream accepts is its :class:`specwright._llm.ModelProfile` (declared, or learned
from its first refusal, per worker): a Chat Completions body is adapted to it
(:func:`specwright._llm.adapt_body`; the changes are kept in :attr:`Wait.adaptations` for the
decision record), and a refusal that names a role, a shape or the structured-output form is
learned and the request sent once more, adapted. A 5xx that is a refusal (a validation error,
as llama-cpp-python answers a developer message) is not retried: it is answered 400 with the
upstream's own message, in the caller's API's error shape.

Why aiohttp and not httpx: measured on the benchmark's machine (2 cores, a loopback upstream
answering at once), an ``httpx.AsyncClient`` call cost about 1.0 ms of CPU with one client
and 3–7 ms with 100 concurrent ones (its pool scans every connection on each request and
release), against about 0.2 ms for aiohttp at either concurrency: the client library alone
capped the gateway at a few hundred requests a second.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import aiohttp
import orjson

from specwright._llm import (
    DEFAULT_PROFILE,
    Adaptation,
    ModelProfile,
    adapt_body,
    already_learned,
    classify_status,
    error_message,
    learn_from_refusal,
)
from specwright._serve._problems import Problem

__all__ = ["UPSTREAM_ERRORS", "StreamOpened", "Upstream", "UpstreamReply", "Wait"]

_PASSED_HEADERS = ("retry-after", "x-request-id", "openai-processing-ms", "request-id")
_MAX_CONNECTIONS = 1000
"""Connections per worker; beyond it requests wait for one (aiohttp queues them)."""

UPSTREAM_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)
"""What a failing upstream raises: transport errors, malformed HTTP, timeouts."""


@dataclass
class Wait:
    """Seconds one request spent waiting on the upstream, over all its attempts."""

    seconds: float = 0.0
    attempts: int = 0
    adaptations: list[Adaptation] = field(default_factory=list)
    """What was changed in the request for the upstream (for the decision record)."""


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

    response: aiohttp.ClientResponse
    first: bytes
    rest: AsyncIterator[bytes]
    headers: dict[str, str]
    delimited: bool = True
    """Whether the stream has a length or chunking; without either, only its final event
    tells a complete stream from one cut short."""


def _passed(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: headers[k] for k in _PASSED_HEADERS if k in headers}


def _failure(exc: BaseException) -> str:
    """A short name for a failed attempt (no URL, no header: nothing that could hold a key)."""
    if isinstance(exc, _Garbage):
        return str(exc)
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectionError):
        return "connection failed"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "upstream body broken off"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "upstream answer is not valid HTTP"
    return "error"


class Upstream:
    """Calls to the upstream's API (Chat Completions, models; Messages for Anthropic)."""

    def __init__(
        self,
        base_url: str,
        key: str | None,
        *,
        timeout: float,
        retries: int,
        retry_timeouts: bool = False,
        profile: ModelProfile | None = None,
    ) -> None:
        """Needs a running event loop (the gateway builds it in its lifespan startup)."""
        self.profile = profile or DEFAULT_PROFILE
        # Bodies are parsed and adapted only once there is something to adapt to.
        self._adapting = profile is not None
        headers = {"content-type": "application/json", "accept-encoding": "identity"}
        # OpenAI-style APIs take the key as a bearer token; Anthropic's as ``x-api-key``.
        self.bearer = {"authorization": f"Bearer {key}"} if key else {}
        self.api_key = {"x-api-key": key} if key else {}
        self._base = base_url.rstrip("/")
        self._session = aiohttp.ClientSession(
            headers=headers,
            connector=aiohttp.TCPConnector(limit=_MAX_CONNECTIONS, keepalive_timeout=30),
            # ``sock_read`` bounds the wait for the first byte and between bytes, not the whole
            # answer: a long stream that keeps flowing is never cut.
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=min(timeout, 10.0), sock_read=timeout
            ),
            trust_env=False,
        )
        self._retries = retries
        self._retry_timeouts = retry_timeouts

    def _final(self, exc: BaseException) -> bool:
        """Whether a failed attempt must not be sent again (a timeout may still cost)."""
        return isinstance(exc, asyncio.TimeoutError) and not self._retry_timeouts

    async def close(self) -> None:
        """Close the pool."""
        await self._session.close()

    async def models(self, wait: Wait) -> UpstreamReply:
        """``GET /models`` passed through (with the same retry rules)."""
        call = lambda: self._once("GET", "/models", None, self.bearer)  # noqa: E731
        return await self._attempts(call, wait)

    async def complete(
        self, payload: bytes, wait: Wait, path: str, headers: Mapping[str, str]
    ) -> UpstreamReply:
        """``POST path`` without streaming; ``headers`` add to the pool's (auth, version)."""
        sent = self._adapted(payload, path, wait)
        reply = await self._attempts(lambda: self._once("POST", path, sent, headers), wait)
        if self._learned(reply, sent):
            sent = self._adapted(payload, path, wait)
            reply = await self._attempts(lambda: self._once("POST", path, sent, headers), wait)
        return _refused(reply)

    async def _once(
        self, method: str, path: str, payload: bytes | None, headers: Mapping[str, str]
    ) -> UpstreamReply:
        url = self._base + path
        async with self._session.request(method, url, data=payload, headers=headers) as response:
            content = await response.read()
            status = response.status
            data = None
            if status < 300 or response.content_type == "application/json":
                data = _json_object(content)
                if data is None and status < 300:
                    raise _Garbage(f"upstream answered {status} with a body not JSON")
            return UpstreamReply(status, content, _passed(response.headers), data)

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
            except (*UPSTREAM_ERRORS, _Garbage) as exc:
                failure = _failure(exc)
                if self._final(exc):
                    raise _bad_gateway(failure, wait.attempts) from None
                continue
            finally:
                wait.seconds += time.perf_counter() - started
            if reply.status >= 500 and not _is_refusal(reply):
                failure = f"upstream answered {reply.status}: {error_message(reply.content, 200)}"
                continue
            return reply
        raise _bad_gateway(failure, self._retries + 1)

    async def open_stream(
        self, payload: bytes, wait: Wait, path: str, headers: Mapping[str, str]
    ) -> StreamOpened | UpstreamReply:
        """``POST path`` with streaming, up to the first chunk.

        Returns the opened stream, or the upstream's non-5xx error answer.
        """
        sent = self._adapted(payload, path, wait)
        opened = await self._open_attempts(sent, wait, path, headers)
        if isinstance(opened, UpstreamReply) and self._learned(opened, sent):
            sent = self._adapted(payload, path, wait)
            opened = await self._open_attempts(sent, wait, path, headers)
        return _refused(opened) if isinstance(opened, UpstreamReply) else opened

    async def _open_attempts(
        self, payload: bytes, wait: Wait, path: str, headers: Mapping[str, str]
    ) -> StreamOpened | UpstreamReply:
        failure = "no attempt"
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(0.02 * 2**attempt)
            started = time.perf_counter()
            wait.attempts += 1
            try:
                return await self._open_once(payload, path, headers)
            except (*UPSTREAM_ERRORS, _Garbage) as exc:
                failure = _failure(exc)
                if self._final(exc):
                    raise _bad_gateway(failure, wait.attempts) from None
            finally:
                wait.seconds += time.perf_counter() - started
        raise _bad_gateway(failure, self._retries + 1)

    async def _open_once(
        self, payload: bytes, path: str, headers: Mapping[str, str]
    ) -> StreamOpened | UpstreamReply:
        response = await self._session.post(self._base + path, data=payload, headers=headers)
        try:
            if response.status != 200:
                content = await response.read()
                reply = UpstreamReply(
                    response.status, content, _passed(response.headers), _json_object(content)
                )
                if response.status >= 500 and not _is_refusal(reply):
                    raise _Garbage(f"upstream answered {response.status}")
                return reply
            rest = response.content.iter_any()
            first = b""
            async for chunk in rest:  # breaking out leaves ``rest`` open for the caller
                first += chunk
                if first.strip():
                    break
            if not first.lstrip().startswith((b"data", b":", b"event", b"id")):
                raise _Garbage("upstream stream is not server-sent events")
        except BaseException:
            response.close()
            raise
        framing = response.headers.get("transfer-encoding", "").lower()
        delimited = "chunked" in framing or "content-length" in response.headers
        return StreamOpened(response, first, rest, _passed(response.headers), delimited)

    # --- request adaptation (specwright._llm) -------------------------------------------

    def _adapted(self, payload: bytes, path: str, wait: Wait) -> bytes:
        """``payload`` adapted to the profile (Chat Completions only); the changes noted."""
        if not self._adapting or not path.endswith("/chat/completions"):
            return payload
        body = _json_object(payload)
        if body is None:
            return payload
        adapted, changes = adapt_body(body, self.profile)
        if not changes:
            return payload
        wait.adaptations.extend(c for c in changes if c not in wait.adaptations)
        return orjson.dumps(adapted)

    def _learned(self, reply: UpstreamReply, sent: bytes) -> bool:
        """Whether the refusal ``reply`` taught the profile something (then send once more)."""
        if not _is_refusal(reply):
            return False
        body, message = _json_object(sent) or {}, error_message(reply.content, None)
        lesson = learn_from_refusal(self.profile, body, message)
        if lesson is None:
            return already_learned(self.profile, body, message)
        self.profile, self._adapting = lesson.profile, True
        return True


def _is_refusal(reply: UpstreamReply) -> bool:
    """A 4xx (not 408/429, not auth) or a 5xx whose body is a validation error."""
    if reply.status < 400:
        return False
    return classify_status(reply.status, error_message(reply.content, None)) == "refused"


def _refused(reply: UpstreamReply) -> UpstreamReply:
    """A 5xx refusal as a 400 with the upstream's own message; anything else as it came."""
    if reply.status >= 500:
        raise _refusal(reply)
    return reply


def _refusal(reply: UpstreamReply) -> Problem:
    message = f"upstream refused the request: {error_message(reply.content)}"
    return Problem(400, message, code="upstream_refused")


class _Garbage(Exception):
    """An upstream answer that cannot be what it claims (retried like a failure)."""


def _json_object(content: bytes) -> dict[str, object] | None:
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError:
        try:  # the json module is laxer (NaN, lone surrogates): an answer it reads is passed on
            data = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            return None
    return data if isinstance(data, dict) else None


def _bad_gateway(failure: str, attempts: int) -> Problem:
    noun = "attempt" if attempts == 1 else "attempts"
    return Problem(
        502, f"upstream failed after {attempts} {noun}: {failure}", code="upstream_failed"
    )
