"""Error answers: OpenAI-shaped (``{"error": {"message", "type", "param", "code"}}``) on the
Chat Completions routes, Anthropic-shaped (``{"type": "error", "error": {"type", "message"}}``)
on ``/v1/messages``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["Problem", "anthropic_error_body", "error_body"]

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    502: "upstream_error",
}

_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    529: "overloaded_error",
}


@dataclass
class Problem(Exception):
    """A request that ends in an error answer (raised inside the handler, answered once)."""

    status: int
    message: str
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code or _TYPES.get(self.status, 'error')}: {self.message}"

    def body(self) -> bytes:
        """The JSON error body."""
        return error_body(self.status, self.message, self.param, self.code)

    def anthropic_body(self) -> bytes:
        """The JSON error body in Anthropic's shape (the ``param`` goes into the message)."""
        message = f"{self.param}: {self.message}" if self.param else self.message
        return anthropic_error_body(self.status, message)


def error_body(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> bytes:
    """The JSON body of an OpenAI-style error."""
    error = {
        "message": message,
        "type": _TYPES.get(status, "invalid_request_error" if status < 500 else "server_error"),
        "param": param,
        "code": code,
    }
    return json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")


def anthropic_error_body(status: int, message: str) -> bytes:
    """The JSON body of an Anthropic-style error."""
    kind = _ANTHROPIC_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")
    error = {"type": "error", "error": {"type": kind, "message": message}}
    return json.dumps(error, ensure_ascii=False).encode("utf-8")
