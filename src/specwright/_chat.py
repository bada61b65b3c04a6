"""Spec-model messages → chat messages (``{"role", "content"}``): the wire and training data.

System and developer roles stay apart. A spec tool exchange (an assistant message with a
``recipient`` followed by that tool's message) becomes an assistant ``tool_calls`` entry and a
``tool`` message answering it, as the Chat Completions format and TRL's conversational format
write them; a tool message with no call before it becomes a user message that says whose
output it is (a ``tool`` role without a call id is refused by fine-tuning APIs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from specwright._model import Attachment, Message, TextPart, UntrustedPart

__all__ = ["call_message", "chat_messages", "message_text", "pair_tool_calls"]


def pair_tool_calls(messages: Sequence[Message]) -> dict[int, int]:
    """Map each tool message's index to the index of the assistant message that called it.

    A call is an assistant message with a ``recipient`` other than ``all``; its result is the
    next tool message (named like the recipient, when named) before the next assistant turn.
    """
    pairs: dict[int, int] = {}
    pending: int | None = None
    for index, message in enumerate(messages):
        if message.role == "assistant":
            recipient = message.attributes.get("recipient", "all")
            pending = index if recipient != "all" else None
        elif message.role == "tool" and pending is not None:
            name = message.attributes.get("name")
            if name in (None, messages[pending].attributes["recipient"]):
                pairs[index] = pending
                pending = None
    return pairs


def message_text(message: Message) -> str:
    """The message as plain text, untrusted blocks and attachments marked as such."""
    chunks: list[str] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            chunks.append(part.text)
        elif isinstance(part, UntrustedPart):
            chunks.append(f"<untrusted>\n{part.text}\n</untrusted>")
        elif isinstance(part, Attachment):
            body = f"\n{part.text}" if part.text else ""
            chunks.append(f"[{part.media}: {part.name}]{body}")
    return "\n\n".join(c for c in chunks if c)


def chat_messages(
    messages: Sequence[Message], *, call_prefix: str = "call"
) -> list[dict[str, Any]]:
    """Chat messages for ``messages``; tool call ids are ``<call_prefix>_<index>``."""
    calls = pair_tool_calls(messages)
    called = set(calls.values())
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        text = message_text(message)
        if message.role == "assistant" and index in called:
            out.append(call_message(message, f"{call_prefix}_{index}"))
        elif message.role == "tool" and index in calls:
            out.append(
                {"role": "tool", "tool_call_id": f"{call_prefix}_{calls[index]}", "content": text}
            )
        elif message.role == "tool":
            name = message.attributes.get("name", "tool")
            out.append({"role": "user", "content": f"[output of {name}]\n{text}"})
        else:
            out.append({"role": message.role, "content": text})
    return out


def call_message(message: Message, call_id: str) -> dict[str, Any]:
    """An assistant message with a ``recipient`` as a Chat Completions tool call."""
    # Function names allow [a-zA-Z0-9_-] only (the spec's `functions.x` recipients have a dot).
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", message.attributes["recipient"]) or "tool"
    function = {"name": name, "arguments": message_text(message)}
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call_id, "type": "function", "function": function}],
    }
