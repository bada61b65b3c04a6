"""A scripted OpenAI-compatible Chat Completions server on 127.0.0.1 (Starlette + uvicorn).

Tests and the benchmark start it in a thread; it records every request body and answers with
what a ``responder`` function returns for that body, after an optional latency.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class RawReply:
    """A reply sent as given instead of a completion (malformed bodies, odd statuses)."""

    def __init__(
        self, body: bytes | str, status: int = 200, content_type: str = "application/json"
    ) -> None:
        self.body = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        self.status = status
        self.content_type = content_type


Responder = Callable[[dict[str, Any]], "str | RawReply"]

GRADER_MARKER = "You grade whether"


def is_grader_request(body: dict[str, Any]) -> bool:
    """Whether a request comes from the specwright judge."""
    return any(GRADER_MARKER in str(m.get("content", "")) for m in body["messages"])


def grader_transcript(body: dict[str, Any]) -> str:
    """What a grader request asks about: its prompt's transcript (the prompt before it also
    quotes the spec's GOOD/BAD anchors, which must not count as the answer)."""
    return str(body["messages"][-1]["content"]).split("## TRANSCRIPT", 1)[1]


def last_user_text(body: dict[str, Any]) -> str:
    """The content of the request's last user message."""
    users = [m for m in body["messages"] if m["role"] == "user"]
    return str(users[-1]["content"]) if users else ""


class ScriptedServer:
    """The running server: its base URL and the requests it received."""

    def __init__(
        self, responder: Responder, latency: float = 0.0, keep_bodies: bool = True
    ) -> None:
        self.responder = responder
        self.latency = latency
        # A long benchmark run counts requests only: keeping 200,000 bodies costs gigabytes.
        self.keep_bodies = keep_bodies
        self.requests: list[dict[str, Any]] = []
        self.base_url = ""
        self.first_request: float | None = None
        self.last_response: float | None = None
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None

    def stop(self) -> None:
        """Shut the server down (as a server dying mid-run); later requests are refused."""
        if self._server is not None:
            self._server.should_exit = True

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.requests.append(body if self.keep_bodies else {})
            self.first_request = self.first_request or time.monotonic()
        if self.latency:
            await asyncio.sleep(self.latency)
        text = self.responder(body)
        self.last_response = time.monotonic()
        if isinstance(text, RawReply):
            return Response(text.body, status_code=text.status, media_type=text.content_type)
        return JSONResponse(_completion(body.get("model", "m"), text))

    async def reject(self, request: Request) -> JSONResponse:
        """A 400 that no retry mends, as a server answers a model name it does not serve."""
        await request.body()
        error = {"message": "model not found", "type": "invalid_request_error"}
        return JSONResponse({"error": error}, status_code=400)

    async def count_requests(self, request: Request) -> JSONResponse:
        with self._lock:
            window = (self.last_response or 0.0) - (self.first_request or 0.0)
            return JSONResponse({"requests": len(self.requests), "window": window})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self.completions, methods=["POST"]),
                Route("/rejecting/v1/chat/completions", self.reject, methods=["POST"]),
                Route("/count", self.count_requests, methods=["GET"]),
            ]
        )

    def count(self, predicate: Callable[[dict[str, Any]], bool]) -> int:
        with self._lock:
            return sum(1 for r in self.requests if predicate(r))


def completion_body(text: str, model: str = "m") -> RawReply:
    """A well-formed completion as raw JSON (ASCII escapes: lone surrogates survive)."""
    return RawReply(json.dumps(_completion(model, text)))


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30},
    }


@contextmanager
def scripted_server(
    responder: Responder, latency: float = 0.0, backlog: int = 2048, keep_bodies: bool = True
) -> Iterator[ScriptedServer]:
    """Run a :class:`ScriptedServer` on a free port of 127.0.0.1 for the ``with`` block."""
    scripted = ScriptedServer(responder, latency, keep_bodies)
    # A long keep-alive: a client reusing a connection the server already closed sees a
    # ReadError, which would measure the server instead of the code under test.
    config = uvicorn.Config(
        scripted.app(),
        host="127.0.0.1",
        port=0,
        log_level="error",
        backlog=backlog,
        timeout_keep_alive=120,
    )
    server = uvicorn.Server(config)
    scripted._server = server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("scripted server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    scripted.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield scripted
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def env_server(
    monkeypatch: Any, responder: Responder, providers: tuple[str, ...] = ("LOCAL",)
) -> Iterator[ScriptedServer]:
    """A scripted server that ``openai-api/<provider>/...`` models reach: each provider's
    ``<PROVIDER>_BASE_URL`` and ``<PROVIDER>_API_KEY`` are set for the ``with`` block."""
    with scripted_server(responder) as running:
        for provider in providers:
            monkeypatch.setenv(f"{provider}_BASE_URL", running.base_url)
            monkeypatch.setenv(f"{provider}_API_KEY", "test-key")
        yield running


@contextmanager
def local_server(monkeypatch: Any, responder: Responder) -> Iterator[ScriptedServer]:
    """A scripted server that ``openai-api/local/...`` models reach (``LOCAL_*`` variables set).

    ``INSPECT_LOG_DIR`` is cleared so that logs go where the test says.
    """
    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    with env_server(monkeypatch, responder) as running:
        yield running


def grade_json(compliant: bool, score: int | None = None) -> str:
    """A valid grader answer."""
    score = score if score is not None else (6 if compliant else 2)
    return json.dumps(
        {"score": score, "compliant": compliant, "rationale": "scripted", "cited_sections": []}
    )


def _default_responder(body: dict[str, Any]) -> str:
    return grade_json(True) if is_grader_request(body) else "COMPLIED"


def serve_until_killed(responder: Responder) -> None:
    """Serve in a process of its own (for the benchmarks): print the base URL, run until
    killed; the first argument, if any, is the latency in seconds."""
    import sys

    latency = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    keep = "--count-only" not in sys.argv[2:]
    with scripted_server(responder, latency=latency, keep_bodies=keep) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()


def main() -> None:
    """Serve graders that find every answer compliant, and targets that comply."""
    serve_until_killed(_default_responder)


if __name__ == "__main__":
    main()
