"""A scripted OpenAI-compatible upstream on 127.0.0.1, written on asyncio streams.

Raw HTTP/1.1 (keep-alive, one write per answer) so that it can also misbehave the ways a
real upstream does: the request's ``model`` picks the behaviour.

* anything else: a completion (or a stream) answering ``echo: <n> messages``;
* ``fault-500`` / ``fault-429`` / ``fault-400``: that status (429 with ``Retry-After: 7``);
* ``fault-reset``: the connection is dropped before any answer;
* ``fault-garbage``: 200 with a body that is not JSON;
* ``fault-hang``: never answers;
* ``fault-midstream``: a stream that breaks after two chunks;
* ``close-delimited``: a stream framed by the connection's close (no length, no chunking);
* ``fault-closecut``: such a stream, closed after two events;
* ``echo-boundary``: an answer that repeats the first isolation marker it received (a stream
  sends it one character per event);
* ``flaky-<id>``: the first request with that model gets 503, later ones succeed;
* ``gated``: a stream whose chunks after the first wait for :attr:`Upstream.gate`;
* ``slow-<ms>``: an answer (or a stream's first chunk) after ``<ms>`` milliseconds, the time a
  model takes to answer (the benchmark's realistic upstream).

``POST …/messages`` answers in Anthropic's Messages shape (and its stream events), with the
same behaviours. Every request is kept in :attr:`Upstream.requests` (path, headers, JSON
body). Run as a program (``python -m tests.serve.scripted_upstream --port P``) for benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Seen:
    """One request as the upstream received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class Upstream:
    """The upstream's state, shared with the test."""

    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    keep: bool = True
    gate: threading.Event = field(default_factory=threading.Event)
    flaky_seen: set[str] = field(default_factory=set)


def _completion(model: str, n_messages: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": f"{model}-answer",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": f"echo: {n_messages} messages"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 11 * n_messages, "completion_tokens": 3, "total_tokens": 0},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    event = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": f"{model}-answer",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def _stream_events(model: str, body: dict[str, Any]) -> list[bytes]:
    n = len(body.get("messages", []))
    events = [
        _chunk(model, {"role": "assistant", "content": ""}),
        _chunk(model, {"content": "echo: "}),
        _chunk(model, {"content": f"{n} messages"}),
        _chunk(model, {}, "stop"),
    ]
    options = body.get("stream_options") or {}
    if options.get("include_usage"):
        usage = {"prompt_tokens": 11 * n, "completion_tokens": 3, "total_tokens": 11 * n + 3}
        event = {"id": "x", "object": "chat.completion.chunk", "created": 0,
                 "model": f"{model}-answer", "choices": [], "usage": usage}  # fmt: skip
        events.append(b"data: " + json.dumps(event).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


def _anthropic_message(model: str, body: dict[str, Any]) -> dict[str, Any]:
    n = _anthropic_count(body)
    return {
        "id": "msg_scripted",
        "type": "message",
        "role": "assistant",
        "model": f"{model}-answer",
        "content": [{"type": "text", "text": f"echo: {n} messages"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 11 * n, "output_tokens": 3},
    }


def _anthropic_count(body: dict[str, Any]) -> int:
    """Messages plus one for a system prompt (comparable with the Chat Completions count)."""
    return len(body.get("messages", [])) + (1 if body.get("system") else 0)


def _sse(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _anthropic_events(model: str, body: dict[str, Any]) -> list[bytes]:
    message = _anthropic_message(model, body)
    text = message["content"][0]["text"]
    usage = {"input_tokens": message["usage"]["input_tokens"], "output_tokens": 1}
    start = {**message, "content": [], "stop_reason": None, "usage": usage}
    stop = {"stop_reason": "end_turn", "stop_sequence": None}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"message": start}),
        ("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": text[:6]}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": text[6:]}}),
        ("content_block_stop", {"index": 0}),
        ("message_delta", {"usage": {"output_tokens": 3}, "delta": stop}),
        ("message_stop", {}),
    ]
    return [_sse(name, {"type": name, **data}) for name, data in events]


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _whole(status: int, body: bytes, extra: dict[str, str] | None = None) -> bytes:
    headers = {"content-type": "application/json", "content-length": str(len(body))}
    return _head(status, {**headers, **(extra or {})}) + body


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class _Handler:
    def __init__(self, state: Upstream) -> None:
        self.state = state
        self.anthropic = False

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        raw = await reader.readexactly(length) if length else b""
        body = json.loads(raw) if raw else None
        if self.state.keep:
            self.state.requests.append(Seen(method, path, headers, body))
        self.anthropic = path.endswith("/messages")
        return await self._answer(method, path, body, writer)

    async def _answer(
        self, method: str, path: str, body: dict[str, Any] | None, writer: asyncio.StreamWriter
    ) -> bool:
        if path.endswith("/models") and method == "GET":
            data = {"object": "list", "data": [{"id": "scripted", "object": "model"}]}
            writer.write(_whole(200, json.dumps(data).encode()))
            return True
        body = body or {}
        model = str(body.get("model", ""))
        if model.startswith("flaky-") and model not in self.state.flaky_seen:
            self.state.flaky_seen.add(model)
            model = "fault-503"
        if model.startswith("fault-"):
            return await self._fault(model[6:], body, writer)
        if model == "close-delimited":
            await self._close_delimited(model, body, writer, break_after=None)
            return False
        if model == "echo-boundary":
            return await self._echo_boundary(body, writer)
        if model.startswith("slow-") and model[5:].isdigit():
            await asyncio.sleep(int(model[5:]) / 1000.0)
        if body.get("stream"):
            await self._stream(model, body, writer, break_after=None)
        elif self.anthropic:
            writer.write(_whole(200, json.dumps(_anthropic_message(model, body)).encode()))
        else:
            answer = _completion(model, len(body.get("messages", [])))
            writer.write(_whole(200, json.dumps(answer).encode()))
        return True

    async def _fault(self, kind: str, body: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        if kind.isdigit():
            error = json.dumps({"error": {"message": f"scripted {kind}", "type": "x"}}).encode()
            extra = {"retry-after": "7"} if kind == "429" else {}
            writer.write(_whole(int(kind), error, extra))
            return True
        if kind == "reset":
            writer.transport.abort()
            return False
        if kind == "garbage":
            writer.write(_whole(200, b"<html>upstream exploded</html>"))
            return True
        if kind == "hang":
            await asyncio.sleep(3600)
        if kind == "midstream":
            await self._stream("fault-midstream", body, writer, break_after=2)
            return False
        if kind == "closecut":
            await self._close_delimited("fault-closecut", body, writer, break_after=2)
            return False
        writer.write(_whole(500, b"{}"))
        return True

    async def _stream(
        self,
        model: str,
        body: dict[str, Any],
        writer: asyncio.StreamWriter,
        break_after: int | None,
    ) -> None:
        head = {"content-type": "text/event-stream", "transfer-encoding": "chunked"}
        events = (_anthropic_events if self.anthropic else _stream_events)(model, body)
        writer.write(_head(200, head) + _chunked(events[0]))
        await writer.drain()
        for n, event in enumerate(events[1:], start=1):
            if break_after is not None and n >= break_after:
                writer.transport.abort()
                return
            if model == "gated":
                await asyncio.get_running_loop().run_in_executor(None, self.state.gate.wait, 10)
            writer.write(_chunked(event))
            await writer.drain()
        writer.write(b"0\r\n\r\n")

    async def _close_delimited(
        self,
        model: str,
        body: dict[str, Any],
        writer: asyncio.StreamWriter,
        break_after: int | None,
    ) -> None:
        events = (_anthropic_events if self.anthropic else _stream_events)(model, body)
        head = {"content-type": "text/event-stream", "connection": "close"}
        writer.write(_head(200, head))
        for event in events[:break_after]:
            writer.write(event)
            await writer.drain()
        await writer.drain()
        writer.close()

    async def _echo_boundary(self, body: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        found = _MARKER.search(json.dumps(body))
        text = f"you said {found.group(0) if found else 'nothing'} ok"
        if not body.get("stream"):
            answer = _completion("echo-boundary", 0)
            answer["choices"][0]["message"]["content"] = text
            writer.write(_whole(200, json.dumps(answer).encode()))
            return True
        head = {"content-type": "text/event-stream", "transfer-encoding": "chunked"}
        writer.write(_head(200, head))
        pieces = [{"role": "assistant", "content": ""}] + [{"content": c} for c in text]
        for delta in pieces:
            writer.write(_chunked(_chunk("echo-boundary", delta)))
            await writer.drain()
        writer.write(_chunked(_chunk("echo-boundary", {}, "stop") + b"data: [DONE]\n\n"))
        writer.write(b"0\r\n\r\n")
        return True


_MARKER = re.compile(r"<<<untrusted:[0-9a-f]+:\d+>>>")


async def _start(state: Upstream, port: int = 0) -> asyncio.Server:
    server = await asyncio.start_server(_Handler(state).serve, "127.0.0.1", port, backlog=1024)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
    return server


@contextmanager
def scripted_upstream() -> Iterator[Upstream]:
    """Run the upstream on a thread of its own; yield its state (``.url`` is the base URL)."""
    state = Upstream()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: list[asyncio.Server] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        holder.append(loop.run_until_complete(_start(state)))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield state
    finally:
        state.gate.set()
        asyncio.run_coroutine_threadsafe(_shutdown(holder[0]), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


async def _shutdown(server: asyncio.Server) -> None:
    server.close()
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    """Serve on ``--port`` until killed (for benchmarks: no request is kept)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    state = Upstream(keep=False)

    async def serve() -> None:
        server = await _start(state, args.port)
        print(state.url, flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
