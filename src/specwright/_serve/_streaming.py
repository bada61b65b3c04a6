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
from collections.abc import AsyncIterator, Callable

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from specwright._serve._records import PendingDecision
from specwright._serve._upstream import UPSTREAM_ERRORS, StreamOpened

__all__ = [
    "AnthropicStreamScan",
    "RecordedStream",
    "StreamScan",
    "anthropic_error_event",
    "openai_error_event",
]

_LOG = logging.getLogger("specwright.serve")


class StreamScan:
    """Picks the model and usage out of Chat Completions stream events."""

    def __init__(self, pending: PendingDecision) -> None:
        self.pending = pending
        self._partial = b""

    def feed(self, chunk: bytes) -> None:
        """Look at one chunk (lines may straddle chunks)."""
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > 1 << 20:  # a line without end: stop carrying it
            self._partial = b""
        for line in lines:
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


class RecordedStream(StreamingResponse):
    """A streaming response that always closes the upstream and always records once."""

    def __init__(
        self,
        opened: StreamOpened,
        scan: StreamScan,
        done: Callable[[], None],
        headers: dict[str, str],
        error_event: Callable[[str], bytes] = openai_error_event,
    ) -> None:
        self._opened = opened
        self._scan = scan
        self._done = done
        self._error_event = error_event
        super().__init__(self._chunks(), 200, headers, media_type="text/event-stream")

    async def _chunks(self) -> AsyncIterator[bytes]:
        opened = self._opened
        self._scan.feed(opened.first)
        yield opened.first
        try:
            async for chunk in opened.rest:
                self._scan.feed(chunk)
                yield chunk
        except UPSTREAM_ERRORS as exc:
            # Bytes already went out: no retry, no new status; say so in the stream and end it.
            pending = self._scan.pending
            pending.error = f"upstream failed mid-stream: {type(exc).__name__}"
            yield self._error_event("upstream failed mid-stream")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except OSError:
            self._scan.pending.error = "client disconnected mid-stream"
        finally:
            self._opened.response.release()
            self._done()
