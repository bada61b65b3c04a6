"""The one seam between a scenario and the messages the model under test receives.

Inspect has a single ``system`` message type; a developer message becomes a
``ChatMessageSystem`` marked with ``metadata={"specwright_role": "developer"}`` so that the
role-preserving provider (:mod:`specwright._eval._provider`) can put ``developer`` back on the
wire and logs keep the distinction. Tool results become user messages that say so, because a
spec example's tool output has no tool call id that an API would accept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
)

from specwright._eval._scenarios import Scenario
from specwright._model import Attachment, Message, Spec, TextPart, UntrustedPart

__all__ = ["ROLE_KEY", "message_text", "original_role", "scenario_messages"]

ROLE_KEY = "specwright_role"
"""Chat message metadata key that records the spec role an Inspect message stands for."""


def scenario_messages(
    scenario: Scenario, spec: Spec, *, enforce: bool = False
) -> list[ChatMessage]:
    """The messages to send for ``scenario``: raw, or shaped by the chain-of-command compiler."""
    messages = _enforced(scenario, spec) if enforce else scenario.messages
    return [_to_inspect(message) for message in messages]


def _enforced(scenario: Scenario, spec: Spec) -> tuple[Message, ...]:
    # The chain-of-command compiler: a preamble system message, then the turns with every
    # span that carries no authority isolated between per-request boundary markers.
    from specwright._chain._compiler import compile_prompt
    from specwright._chain._conversation import Conversation

    compiled = compile_prompt(spec, Conversation.from_messages(scenario.messages))
    return tuple(turn.message for turn in compiled.conversation.turns)


def message_text(message: Message) -> str:
    """The message as plain text, with untrusted blocks and attachments marked as such."""
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


def _tool_result(message: Message, text: str, meta: dict[str, Any]) -> ChatMessage:
    name = message.attributes.get("name", "tool")
    return ChatMessageUser(content=f"[output of {name}]\n{text}", metadata=meta)


# Role → Inspect message; system and developer share Inspect's one system type (see above).
_BUILDERS: dict[str, Callable[[Message, str, dict[str, Any]], ChatMessage]] = {
    "system": lambda _m, text, meta: ChatMessageSystem(content=text, metadata=meta),
    "developer": lambda _m, text, meta: ChatMessageSystem(content=text, metadata=meta),
    "user": lambda _m, text, meta: ChatMessageUser(content=text, metadata=meta),
    "assistant": lambda _m, text, meta: ChatMessageAssistant(content=text, metadata=meta),
    "tool": _tool_result,
}


def _to_inspect(message: Message) -> ChatMessage:
    return _BUILDERS[message.role](message, message_text(message), {ROLE_KEY: message.role})


def original_role(message: ChatMessage) -> str:
    """The spec role an Inspect message stands for (its own role when unmarked)."""
    role = (message.metadata or {}).get(ROLE_KEY)
    return role if isinstance(role, str) else message.role
