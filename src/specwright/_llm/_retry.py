"""One retry policy: retry what costs nothing upstream, never what a retry cannot fix.

A failure is one of :data:`FailureKind`. A *refusal* (HTTP 4xx other than 408 and 429, or any
status whose body is a validation error such as llama-cpp-python's 500 "should be 'system'")
is permanent: the same request would be refused again, so it is never retried — only adapted
once when the refusal names something the profile can change (:mod:`._adapt`). A *timeout* is
not retried by default either: the server may still be generating the first answer at full
cost, and a second request would queue behind it (``RetryPolicy.retry_timeouts`` turns it on).
Busy servers (408, 429), server errors, dropped connections and malformed 200 replies are
retried with exponential backoff, a bounded number of times.
"""

from __future__ import annotations

import json
from typing import Literal, TypeAlias

from pydantic import Field

from specwright._frozen import FrozenModel

__all__ = ["FailureKind", "RetryPolicy", "advice", "classify_status", "error_message"]

FailureKind: TypeAlias = Literal[
    "refused", "auth", "busy", "server", "connection", "timeout", "malformed"
]
"""Why a request failed."""

_TRANSIENT: frozenset[FailureKind] = frozenset({"busy", "server", "connection", "malformed"})

_VALIDATION = (
    "validation error",
    "should be",
    "input should",
    "is not valid",
    "not supported",
    "unsupported",
    "can only concatenate",
    "extra inputs are not permitted",
)
"""Phrases of a server's error body that make a 5xx a refusal of the request itself."""


class RetryPolicy(FrozenModel):
    """How often, and after which failures, a request is sent again."""

    attempts: int = Field(default=3, ge=1)
    """Requests in all for one call (the first included)."""
    backoff: float = Field(default=0.5, ge=0)
    """Seconds before the second attempt; doubled for each further one."""
    retry_timeouts: bool = False
    """Whether a timed-out request is sent again (off: it may still be running upstream)."""

    def retries(self, kind: FailureKind, attempt: int) -> bool:
        """Whether a failure of ``kind`` at ``attempt`` (1-based) is followed by another."""
        if attempt >= self.attempts:
            return False
        return kind in _TRANSIENT or (kind == "timeout" and self.retry_timeouts)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed ``attempt`` (1-based)."""
        return float(self.backoff * 2 ** (attempt - 1))


def classify_status(status: int, message: str) -> FailureKind:
    """The kind of an HTTP error reply with ``message`` (the server's error text)."""
    if status in (401, 403):
        return "auth"
    if status in (408, 429):
        return "busy"
    if 400 <= status < 500:
        return "refused"
    lowered = message.lower()
    return "refused" if any(p in lowered for p in _VALIDATION) else "server"


def advice(kind: FailureKind, attempts: int, *, timeout_flag: str, profile_flag: str,
           profile: str) -> str:  # fmt: skip
    """What to add to a failure's line: attempts made and the setting that fixes it."""
    tries = f" after {attempts} attempt(s)"
    if kind == "timeout":
        return (f"{tries}; a timeout is not retried (the server may still be working): "
                f"raise {timeout_flag} or lower the load on the server")  # fmt: skip
    if kind == "refused":
        return (f"; a refusal is not retried: if the server does not accept this request's "
                f"roles or shapes, declare its profile with {profile_flag} "
                f"(now {profile})")  # fmt: skip
    return tries


def error_message(body: bytes | str, limit: int | None = 300) -> str:
    """The server's own error text from an error reply's body, on one line (``limit``
    characters at most; ``None``: all of it, as learning from a refusal needs: llama-cpp-python
    names the refused field several hundred characters in).

    Reads OpenAI's ``{"error": {"message": …}}``, FastAPI's ``{"detail": …}`` (llama-cpp-python,
    vLLM) and Ollama's ``{"error": "…"}``; anything else is quoted as it came.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    found = _message_of(data) if data is not None else None
    line = " ".join((found if found is not None else text).split())
    return line if limit is None or len(line) <= limit else line[: limit - 3] + "..."


def _message_of(data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    detail = data.get("detail", data.get("message"))
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):  # FastAPI validation errors: loc + msg each
        return "; ".join(_fastapi_error(d) for d in detail if isinstance(d, dict))
    return None


def _fastapi_error(error: dict[str, object]) -> str:
    loc = error.get("loc")
    where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
    return f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", ""))
