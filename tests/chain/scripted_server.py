"""A scripted OpenAI-compatible chat server on 127.0.0.1, for testing LLM-facing code."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """Replies to serve in order (a str is message content; an int an HTTP error status)."""

    replies: list[str | int | dict[str, Any]]
    requests: list[dict[str, Any]] = field(default_factory=list)


def _completion(reply: str | dict[str, Any]) -> dict[str, Any]:
    message = {"role": "assistant", "content": reply} if isinstance(reply, str) else reply
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@contextmanager
def scripted_server(script: Script) -> Iterator[str]:
    """Serve ``script`` and yield the base URL (``http://127.0.0.1:PORT/v1``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            script.requests.append(json.loads(self.rfile.read(length)))
            reply = script.replies.pop(0) if script.replies else 500
            if isinstance(reply, int):
                body, status = json.dumps({"error": {"message": "scripted"}}).encode(), reply
            else:
                body, status = json.dumps(_completion(reply)).encode(), 200
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
