"""Which conversation format a file is written in, told from its content.

OpenAI Chat Completions and Anthropic Messages share their simplest form (``user`` and
``assistant`` messages holding strings or ``text`` parts); beyond it each API has shapes the
other lacks: a top-level ``system``, ``tool_use``/``tool_result`` blocks and ``source`` keys
are Anthropic's; ``system``/``developer``/``tool`` roles, ``tool_calls`` and ``image_url`` parts
are OpenAI's. A document is read as the format whose shapes it holds. One holding the shapes of
both, or a JSON value that holds no messages at all, is refused rather than read as one of
them, since reading Anthropic blocks as OpenAI parts (or the reverse) silently drops the system
prompt and turns tool results into opaque attachments. A document in the shared form reads the
same either way (``tests/chain/test_format_detection.py`` checks it) and is read as OpenAI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pydantic import JsonValue

__all__ = ["JSON_FORMATS", "evidence", "looks_like_json", "looks_like_spec_dialect"]

JSON_FORMATS = ("openai", "anthropic")
"""The built-in JSON formats, in the order a document in their shared form is read."""

_OPENAI_ROLES = frozenset({"system", "developer", "tool", "function"})
_OPENAI_MESSAGE_KEYS = frozenset({"tool_calls", "tool_call_id", "name", "function_call", "refusal"})
_OPENAI_PART_TYPES = frozenset({"image_url", "input_audio", "file", "refusal"})
_OPENAI_BODY_KEYS = frozenset(
    {"response_format", "max_completion_tokens", "frequency_penalty", "presence_penalty", "n"}
)
_ANTHROPIC_PART_TYPES = frozenset(
    {
        "tool_use",
        "tool_result",
        "image",
        "document",
        "thinking",
        "redacted_thinking",
        "server_tool_use",
        "web_search_tool_result",
        "search_result",
    }
)
_ANTHROPIC_PART_KEYS = frozenset({"source", "cache_control"})
_ANTHROPIC_BODY_KEYS = frozenset({"system", "stop_sequences", "top_k", "anthropic_version"})
_SPEC_OPEN_RE = re.compile(r"^[ \t]*+<(?:system|developer|user|assistant|tool)\b", re.MULTILINE)


def looks_like_json(text: str) -> bool:
    """Whether the text is meant as JSON: its first non-blank character opens an array or object."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head in ("[", "{")


def looks_like_spec_dialect(text: str) -> bool:
    """Whether the text holds a line opening a message block (``<user>``, ``<developer …>``)."""
    return _SPEC_OPEN_RE.search(text) is not None


def evidence(document: JsonValue) -> dict[str, str] | None:
    """Per JSON format, the first shape found that only that format has.

    ``None`` when the document holds no messages (neither an array nor an object with
    ``messages``); an empty dict when it holds only the shapes both formats share.
    """
    if isinstance(document, dict):
        if "messages" not in document:
            return None
        found = _body_evidence(document)
        messages = document["messages"]
    elif isinstance(document, list):
        found, messages = {}, document
    else:
        return None
    if isinstance(messages, list):
        for fmt, what in _message_evidence(messages):
            found.setdefault(fmt, what)
            if len(found) == len(JSON_FORMATS):
                break
    return found


def _body_evidence(body: Mapping[str, JsonValue]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in body:
        if key in _ANTHROPIC_BODY_KEYS:
            found.setdefault("anthropic", f"a top-level {key!r}")
        elif key in _OPENAI_BODY_KEYS:
            found.setdefault("openai", f"a top-level {key!r}")
    return found


def _message_evidence(messages: list[JsonValue]) -> Iterator[tuple[str, str]]:
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        where = f"messages[{index}]"
        role = message.get("role")
        if isinstance(role, str) and role in _OPENAI_ROLES:
            yield "openai", f"the role {role!r} in {where}"
        for key in _OPENAI_MESSAGE_KEYS.intersection(message):
            yield "openai", f"{key!r} in {where}"
        content = message.get("content")
        if content is None and "content" in message:
            yield "openai", f"null content in {where}"
        if isinstance(content, list):
            yield from _part_evidence(content, where)


def _part_evidence(parts: list[JsonValue], where: str) -> Iterator[tuple[str, str]]:
    for n, part in enumerate(parts):
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if isinstance(kind, str) and kind in _OPENAI_PART_TYPES:
            yield "openai", f"a {kind!r} part in {where}.content[{n}]"
        elif isinstance(kind, str) and kind in _ANTHROPIC_PART_TYPES:
            yield "anthropic", f"a {kind!r} block in {where}.content[{n}]"
        for key in _ANTHROPIC_PART_KEYS.intersection(part):
            yield "anthropic", f"{key!r} in {where}.content[{n}]"
