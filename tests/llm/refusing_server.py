"""A scripted OpenAI-compatible server on 127.0.0.1 that refuses what real servers refuse.

``Quirks`` names what the server refuses and how (status and error body in the server's own
shape), after the servers measured in ``/work/shared/notes/real-model.md`` and their docs:

- ``llama-cpp`` (llama-cpp-python 0.3.x): a developer message, a list of content parts and
  ``content: null`` each answer HTTP 500; ``response_format`` type ``json_schema`` answers 422
  (FastAPI's ``detail`` list); type ``json_object`` with a ``schema`` is accepted.
- ``vllm``: a developer role the chat template lacks answers 400 in vLLM's error object.
- ``ollama``: a developer message and ``content: null`` answer 400 (``{"error": "..."}``);
  structured output fields are ignored (the reply is prose).
- ``openai``: accepts every shape.

Replies are served from ``Server.replies`` in order (a ``str`` is the content; an ``int`` an
HTTP error status with ``scripted refusal <status>`` as OpenAI's error message, or a
``(status, message)`` pair; a ``float`` a delay in seconds before the next reply, to provoke
a timeout). Every request body is kept.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PYDANTIC_ROLE = (
    "1 validation error for ChatCompletionRequestSystemMessage\nrole\n  Input should be "
    "'system' [type=literal_error, input_value='developer', input_type=str]"
)


@dataclass
class Server:
    """What the server refuses and replies; the requests it received."""

    quirks: str = "openai"
    replies: list[str | int | float | tuple[int, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


def _shapes(body: dict[str, Any]) -> dict[str, bool]:
    messages = body.get("messages", [])
    return {
        "developer": any(m.get("role") == "developer" for m in messages),
        "parts": any(isinstance(m.get("content"), list) for m in messages),
        "null": any(m.get("role") == "assistant" and m.get("content") is None for m in messages),
        "schema": (body.get("response_format") or {}).get("type") == "json_schema",
    }


def _server_error(text: str) -> tuple[int, dict[str, Any]]:
    return 500, {"error": {"message": text, "type": "internal_server_error"}}


def _llama_cpp(used: dict[str, bool]) -> tuple[int, dict[str, Any]] | None:
    if used["schema"]:  # FastAPI validates the body before the handler runs
        detail = [
            {
                "type": "literal_error",
                "loc": ["body", "response_format", "type"],
                "msg": "Input should be 'text' or 'json_object'",
                "input": "json_schema",
            }
        ]
        return 422, {"detail": detail}
    if used["developer"]:
        return _server_error(_PYDANTIC_ROLE)
    if used["parts"]:
        return _server_error('can only concatenate str (not "list") to str')
    if used["null"]:
        return _server_error('can only concatenate str (not "NoneType") to str')
    return None


def _vllm(used: dict[str, bool]) -> tuple[int, dict[str, Any]] | None:
    if used["developer"]:
        text = "Conversation roles must alternate; unexpected role 'developer' in the chat template"
        return 400, {"object": "error", "message": text, "type": "BadRequestError", "code": 400}
    return None


def _ollama(used: dict[str, bool]) -> tuple[int, dict[str, Any]] | None:
    if used["developer"]:
        return 400, {"error": "invalid role: developer"}
    if used["null"]:
        return 400, {"error": "invalid message content type: <nil>"}
    return None


_SERVERS = {"llama-cpp": _llama_cpp, "vllm": _vllm, "ollama": _ollama}


def refusal(quirks: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The status and error body ``quirks`` answers ``body`` with, or None when it accepts it."""
    server = _SERVERS.get(quirks)
    return server(_shapes(body)) if server is not None else None


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-refusing",
        "object": "chat.completion",
        "created": 0,
        "model": "refusing",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }  # fmt: skip


def _answer(server: Server, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    refused = refusal(server.quirks, body)
    if refused is not None:
        return refused
    reply = server.replies.pop(0) if server.replies else "ok"
    if isinstance(reply, tuple):
        return reply[0], {"error": {"message": reply[1], "type": "error"}}
    if isinstance(reply, int):
        return reply, {"error": {"message": f"scripted refusal {reply}", "type": "error"}}
    if isinstance(reply, float):
        time.sleep(reply)
        reply = server.replies.pop(0) if server.replies else "late"
    return 200, _completion(str(reply))


@contextmanager
def refusing_server(server: Server) -> Iterator[Server]:
    """Serve ``server`` on 127.0.0.1; its ``url`` is the base URL (``…/v1``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
            server.requests.append(body)
            status, answer = _answer(server, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (a timeout test)

        def log_message(self, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.daemon_threads = True
    thread = threading.Thread(target=http.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{http.server_address[1]}/v1"
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
