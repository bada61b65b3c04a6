"""Streaming pass-through: upstream chunks go to the client as they come, nothing buffered.

:class:`StreamScan` (Chat Completions) and :class:`AnthropicStreamScan` (Messages) read the
model name and token usage off the server-sent events they see (only lines that mention them
are parsed). :class:`RecordedStream` closes the upstream response and hands the record to the
writer however the stream ends: finished, failed upstream (the client then gets an ``error``
event in its API's shape), or the client gone.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import orjson
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from specwright._serve._records import PendingDecision
from specwright._serve._upstream import UPSTREAM_ERRORS, StreamOpened

__all__ = [
    "REDACTED",
    "AnthropicStreamScan",
    "BoundaryFilter",
    "RecordedStream",
    "StreamScan",
    "anthropic_error_event",
    "openai_error_event",
    "redact",
]

_LOG = logging.getLogger("specwright.serve")


class StreamScan:
    """Picks the model and usage out of Chat Completions stream events."""

    FINAL = (b"data: [DONE]", b"data:[DONE]")
    """The lines that end a complete stream."""

    def __init__(self, pending: PendingDecision) -> None:
        self.pending = pending
        self._partial = b""
        self.complete = False
        """Whether the stream's final event went by."""

    def feed(self, chunk: bytes) -> None:
        """Look at one chunk (lines may straddle chunks)."""
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > 1 << 20:  # a line without end: stop carrying it
            self._partial = b""
        for line in lines:
            if not self.complete and line.rstrip() in self.FINAL:
                self.complete = True
            if line.startswith(b"data:") and (
                self.pending.upstream_model is None or b'"usage"' in line
            ):
                event = _event(line[5:])
                if event is not None:
                    self._read(event)

    def _read(self, event: dict[str, object]) -> None:
        model = event.get("model")
        if isinstance(model, str) and self.pending.upstream_model is None:
            self.pending.upstream_model = model
        usage = event.get("usage")
        if isinstance(usage, dict):
            prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
            if isinstance(prompt, int):
                self.pending.prompt_tokens = prompt
            if isinstance(completion, int):
                self.pending.completion_tokens = completion


class AnthropicStreamScan(StreamScan):
    """Picks the model and usage out of Anthropic Messages stream events.

    ``message_start`` carries the model and the input tokens; ``message_delta`` the output
    tokens so far (the last one counts).
    """

    FINAL = (b"event: message_stop", b"event:message_stop")

    def _read(self, event: dict[str, object]) -> None:
        message = event.get("message")
        if isinstance(message, dict):
            model = message.get("model")
            if isinstance(model, str) and self.pending.upstream_model is None:
                self.pending.upstream_model = model
            self._usage(message.get("usage"))
        self._usage(event.get("usage"))

    def _usage(self, usage: object) -> None:
        if not isinstance(usage, dict):
            return
        prompt, completion = usage.get("input_tokens"), usage.get("output_tokens")
        if isinstance(prompt, int):
            self.pending.prompt_tokens = prompt
        if isinstance(completion, int):
            self.pending.completion_tokens = completion


def _event(data: bytes) -> dict[str, object] | None:
    try:
        event = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None  # "[DONE]" and anything else that is not JSON
    return event if isinstance(event, dict) else None


def openai_error_event(message: str) -> bytes:
    """The event that ends a Chat Completions stream whose upstream failed."""
    error = {"message": message, "type": "upstream_error", "param": None, "code": "upstream_failed"}
    return b"data: " + json.dumps({"error": error}).encode("utf-8") + b"\n\n"


def anthropic_error_event(message: str) -> bytes:
    """The event that ends a Messages stream whose upstream failed."""
    error = {"type": "error", "error": {"type": "api_error", "message": message}}
    return b"event: error\ndata: " + json.dumps(error).encode("utf-8") + b"\n\n"


REDACTED = "[boundary]"
"""What a boundary token in an answer is replaced with."""

_MAX_EVENT = 1 << 20
_EVENT_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)")


def redact(content: bytes, token: str | None) -> bytes:
    """``content`` without the request's boundary token (a model may echo its markers)."""
    if token is None:
        return content
    return content.replace(token.encode("ascii"), REDACTED.encode("ascii"))


class BoundaryFilter:
    """Keeps the boundary token out of a stream of server-sent events.

    A model streams text in pieces, so the token can straddle events: a streamed field (text,
    a refusal, tool-call arguments, thinking, partial JSON) whose piece ends with the start of
    the token is held back (its event goes out without it) until the next piece of the same
    field shows whether the token follows. Events are passed on whole; their lines may end in
    ``\\n``, ``\\r\\n`` or a bare ``\\r`` (the SSE grammar allows all three).
    """

    def __init__(self, token: str, anthropic: bool) -> None:
        self._token = token
        self._raw = token.encode("ascii")
        self._anthropic = anthropic
        self._partial = b""
        self._held: dict[_Field, str] = {}

    def feed(self, chunk: bytes) -> bytes:
        """The complete events in ``chunk`` (and before it), filtered."""
        data = self._partial + chunk
        out: list[bytes] = []
        start = 0
        for end in _EVENT_END.finditer(data):
            if end.end() == len(data) and data.endswith(b"\r"):
                break  # a \n may follow in the next chunk: not yet a whole separator
            out.extend(self._event(data[start : end.end()]))
            start = end.end()
        self._partial = data[start:]
        if len(self._partial) > _MAX_EVENT:  # no event ends: pass it on rather than hoard it
            out.append(self._partial.replace(self._raw, REDACTED.encode("ascii")))
            self._partial = b""
        return b"".join(out)

    def end(self) -> bytes:
        """What is left when the stream ends: an event without its blank line, held text."""
        rest, self._partial = self._partial, b""
        last = b"".join(self._event(rest)) if rest else b""
        held = [_field_event(f, text, self._anthropic) for f, text in self._held.items() if text]
        self._held.clear()
        return last + b"".join(held)

    def _event(self, raw: bytes) -> Iterator[bytes]:
        event = _data_of(raw)
        texts = list(_texts(event, self._anthropic)) if event is not None else []
        if not texts:
            for field in list(self._held):  # e.g. finish or block stop: release held text
                if not self._anthropic or _index(event) == field[0]:
                    yield _field_event(field, self._held.pop(field), self._anthropic)
            yield raw.replace(self._raw, REDACTED.encode("ascii"))
            return
        changed = False
        for field, holder, key in texts:
            text = self._pass(field, holder[key])
            changed = changed or text != holder[key]
            holder[key] = text
        out = _rewrite(raw, event) if changed and event is not None else raw
        yield out.replace(self._raw, REDACTED.encode("ascii"))

    def _pass(self, field: _Field, text: str) -> str:
        text = (self._held.pop(field, "") + text).replace(self._token, REDACTED)
        for size in range(min(len(self._token) - 1, len(text)), 0, -1):
            if text.endswith(self._token[:size]):
                self._held[field] = text[-size:]
                return text[:-size]
        return text


_Field = tuple[int, str, int]
"""A streamed string field: (choice or block index, its delta key, tool call index or -1)."""
_ANTHROPIC_DELTAS = {"text": "text_delta", "thinking": "thinking_delta",
                     "partial_json": "input_json_delta"}  # fmt: skip


def _field_event(field: _Field, text: str, anthropic: bool) -> bytes:
    """An event carrying held-back ``text`` of ``field`` alone."""
    index, key, call = field
    if anthropic:
        delta = {"type": "content_block_delta", "index": index,
                 "delta": {"type": _ANTHROPIC_DELTAS[key], key: text}}  # fmt: skip
        return b"event: content_block_delta\ndata: " + orjson.dumps(delta) + b"\n\n"
    inner: dict[str, Any] = {key: text}
    if call >= 0:
        inner = {"tool_calls": [{"index": call, "function": {"arguments": text}}]}
    choice = {"index": index, "delta": inner, "finish_reason": None}
    chunk = {"object": "chat.completion.chunk", "choices": [choice]}
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _data_of(raw: bytes) -> dict[str, Any] | None:
    for line in raw.splitlines():
        if line.startswith(b"data:"):
            try:
                event = orjson.loads(line[5:])
            except orjson.JSONDecodeError:
                return None
            return event if isinstance(event, dict) else None
    return None


def _index(event: dict[str, Any] | None) -> int | None:
    index = event.get("index") if event is not None else None
    return index if isinstance(index, int) else None


def _texts(event: dict[str, Any], anthropic: bool) -> Iterator[tuple[_Field, dict[str, Any], str]]:
    """(the field, the dict holding its piece, its key) for each streamed string field."""
    if anthropic:
        delta = event.get("delta")
        index = _index(event)
        if isinstance(delta, dict) and index is not None:
            for key in _ANTHROPIC_DELTAS:
                if isinstance(delta.get(key), str):
                    yield (index, key, -1), delta, key
        return
    for choice in event.get("choices") or ():
        delta = choice.get("delta") if isinstance(choice, dict) else None
        index = choice.get("index", 0) if isinstance(choice, dict) else 0
        index = index if isinstance(index, int) else 0
        if isinstance(delta, dict):
            yield from _choice_fields(index, delta)


def _choice_fields(
    index: int, delta: dict[str, Any]
) -> Iterator[tuple[_Field, dict[str, Any], str]]:
    for key in ("content", "refusal"):
        if isinstance(delta.get(key), str):
            yield (index, key, -1), delta, key
    for n, call in enumerate(delta.get("tool_calls") or ()):
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and isinstance(function.get("arguments"), str):
            at = call.get("index", n)
            yield (index, "arguments", at if isinstance(at, int) else n), function, "arguments"


def _rewrite(raw: bytes, event: dict[str, Any]) -> bytes:
    lines = [
        b"data: " + orjson.dumps(event) if line.startswith(b"data:") else line
        for line in raw.splitlines()
    ]
    return b"\n".join(lines) + b"\n\n"


class RecordedStream(StreamingResponse):
    """A streaming response that always closes the upstream and always records once."""

    def __init__(
        self,
        opened: StreamOpened,
        scan: StreamScan,
        done: Callable[[], None],
        headers: dict[str, str],
        error_event: Callable[[str], bytes] = openai_error_event,
        *,
        first_byte: Callable[[], None] = lambda: None,
        boundary: BoundaryFilter | None = None,
    ) -> None:
        self._opened = opened
        self._scan = scan
        self._done = done
        self._error_event = error_event
        self._first_byte = first_byte
        self._boundary = boundary
        super().__init__(self._chunks(), 200, headers, media_type="text/event-stream")

    async def _chunks(self) -> AsyncIterator[bytes]:
        first = True
        async for received in self._upstream():
            chunk = received if self._boundary is None else self._boundary.feed(received)
            if chunk:
                if first:
                    self._first_byte()
                    first = False
                yield chunk
        if self._boundary is not None and (rest := self._boundary.end()):
            yield rest

    async def _upstream(self) -> AsyncIterator[bytes]:
        opened = self._opened
        self._scan.feed(opened.first)
        yield opened.first
        try:
            async for chunk in opened.rest:
                self._scan.feed(chunk)
                yield chunk
        except UPSTREAM_ERRORS as exc:
            # Bytes already went out: no retry, no new status; say so in the stream and end it.
            self._failed(f"upstream failed mid-stream: {type(exc).__name__}")
            yield self._error_event("upstream failed mid-stream")
            return
        if not opened.delimited and not self._scan.complete:
            # No length and no chunking: the upstream's close is the only end, so a stream cut
            # short ends "cleanly". Without its final event it did not finish.
            self._failed("upstream stream ended before its final event")
            yield self._error_event("upstream stream ended before its final event")

    def _failed(self, error: str) -> None:
        # The status stays what the client got (200); the error marks the record as failed.
        self._scan.pending.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except OSError:
            self._scan.pending.error = "client disconnected mid-stream"
        finally:
            self._opened.response.release()
            self._done()
