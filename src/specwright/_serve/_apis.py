"""The client-facing APIs the gateway speaks: OpenAI Chat Completions and Anthropic Messages.

One request pipeline serves both; an :class:`Api` holds what differs between them: how a
request body is read into a conversation and written back after compiling, where it goes
upstream and with which headers, how usage is read off an answer or a stream, and the shape
of an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from specwright._chain._adapters_anthropic import from_anthropic
from specwright._chain._adapters_openai import from_openai
from specwright._chain._compiled import CompiledPrompt
from specwright._chain._conversation import Conversation
from specwright._serve._problems import Problem
from specwright._serve._records import PendingDecision
from specwright._serve._streaming import (
    AnthropicStreamScan,
    StreamScan,
    anthropic_error_event,
    openai_error_event,
)
from specwright._serve._upstream import Upstream

__all__ = ["APIS", "CHAT_COMPLETIONS", "MESSAGES", "Api"]

ANTHROPIC_VERSION = "2023-06-01"
"""Sent upstream when the client names no ``anthropic-version``."""


@dataclass(frozen=True)
class Api:
    """What one client-facing API needs from the shared request pipeline."""

    name: str
    """Recorded in each decision (``chat.completions`` or ``messages``)."""
    path: str
    """The upstream path, after the ``--upstream`` base URL."""
    read: Callable[[object], Conversation]
    """The request body → the conversation (raises ``ConversationError``)."""
    write: Callable[[dict[str, Any], CompiledPrompt], dict[str, Any]]
    """The request body with the compiled conversation in place of the client's."""
    headers: Callable[[Upstream, Mapping[str, str]], Mapping[str, str]]
    """The upstream request's own headers (auth, version), from the client's headers."""
    read_usage: Callable[[dict[str, object], PendingDecision], None]
    """Model and token usage from a complete answer."""
    scan: Callable[[PendingDecision], StreamScan]
    """Model and usage from a stream."""
    error_body: Callable[[Problem], bytes]
    """An error answer's body."""
    error_event: Callable[[str], bytes]
    """The event that ends a stream whose upstream failed."""


def _write_openai(document: dict[str, Any], compiled: CompiledPrompt) -> dict[str, Any]:
    return {**document, "messages": compiled.to_openai()}


def _write_anthropic(document: dict[str, Any], compiled: CompiledPrompt) -> dict[str, Any]:
    written = compiled.to_anthropic()
    out = {k: v for k, v in document.items() if k != "system"}
    if "system" in written:
        out["system"] = written["system"]
    out["messages"] = written["messages"]
    return out


def _openai_headers(upstream: Upstream, _client: Mapping[str, str]) -> Mapping[str, str]:
    return upstream.bearer


def _anthropic_headers(upstream: Upstream, client: Mapping[str, str]) -> Mapping[str, str]:
    headers = {**upstream.api_key, "anthropic-version": ANTHROPIC_VERSION}
    for name in ("anthropic-version", "anthropic-beta"):
        if name in client:
            headers[name] = client[name]
    return headers


def _openai_usage(data: dict[str, object], pending: PendingDecision) -> None:
    _usage(data, pending, "prompt_tokens", "completion_tokens")


def _anthropic_usage(data: dict[str, object], pending: PendingDecision) -> None:
    _usage(data, pending, "input_tokens", "output_tokens")


def _usage(data: dict[str, object], pending: PendingDecision, prompt: str, completion: str) -> None:
    model = data.get("model")
    pending.upstream_model = model if isinstance(model, str) else None
    usage = data.get("usage")
    if isinstance(usage, dict):
        into, out = usage.get(prompt), usage.get(completion)
        pending.prompt_tokens = into if isinstance(into, int) else None
        pending.completion_tokens = out if isinstance(out, int) else None


CHAT_COMPLETIONS = Api(
    name="chat.completions",
    path="/chat/completions",
    read=from_openai,
    write=_write_openai,
    headers=_openai_headers,
    read_usage=_openai_usage,
    scan=StreamScan,
    error_body=Problem.body,
    error_event=openai_error_event,
)
"""``POST /v1/chat/completions`` (OpenAI)."""

MESSAGES = Api(
    name="messages",
    path="/messages",
    read=from_anthropic,
    write=_write_anthropic,
    headers=_anthropic_headers,
    read_usage=_anthropic_usage,
    scan=AnthropicStreamScan,
    error_body=Problem.anthropic_body,
    error_event=anthropic_error_event,
)
"""``POST /v1/messages`` (Anthropic)."""

APIS = {api.name: api for api in (CHAT_COMPLETIONS, MESSAGES)}
"""Each API by its recorded name."""
