"""The one seam between a scenario and the messages the model under test receives.

Inspect has a single ``system`` message type; a developer message becomes a
``ChatMessageSystem`` marked with ``metadata={"specwright_role": "developer"}`` so that the
role-preserving provider (:mod:`specwright._eval._provider`) can put ``developer`` back on the
wire and logs keep the distinction.

Spec examples write a tool exchange as ``<assistant recipient="browser">call</assistant>``
followed by ``<tool name="browser">output</tool>``. Such pairs go on the wire as a real tool
call and a ``tool`` message with its id, so tool output keeps *no* authority there too. A tool
message with no call before it cannot be sent as a tool message (APIs refuse a ``tool`` role
without a call id); it becomes a user message that says whose output it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
)
from inspect_ai.tool import ToolCall

from specwright._chat import message_text, pair_tool_calls
from specwright._model import Message, Spec
from specwright._scenarios import Scenario

if TYPE_CHECKING:
    from specwright._chain._spec_index import SpecIndex

__all__ = [
    "ROLE_KEY",
    "message_text",
    "original_role",
    "pair_tool_calls",
    "scenario_messages",
    "shown_text",
    "spec_index",
]

ROLE_KEY = "specwright_role"
"""Chat message metadata key that records the spec role an Inspect message stands for."""


def scenario_messages(
    scenario: Scenario, spec: Spec, *, enforce: bool = False, index: SpecIndex | None = None
) -> list[ChatMessage]:
    """The messages to send for ``scenario``: raw, or shaped by the chain-of-command compiler
    (``index``: the spec's :class:`SpecIndex`, to build once for many scenarios)."""
    messages = _enforced(scenario, spec, index) if enforce else scenario.messages
    calls = pair_tool_calls(messages)
    return [_convert(index, message, calls) for index, message in enumerate(messages)]


def _convert(index: int, message: Message, calls: dict[int, int]) -> ChatMessage:
    meta: dict[str, Any] = {ROLE_KEY: message.role}
    text = message_text(message)
    if message.role == "assistant" and index in calls.values():
        call = _tool_call(index, message, text)
        return ChatMessageAssistant(content="", tool_calls=[call], metadata=meta)
    if message.role == "tool" and index in calls:
        function = _function_name(message.attributes.get("name", "tool"))
        call_id = _call_id(calls[index])
        return ChatMessageTool(content=text, tool_call_id=call_id, function=function, metadata=meta)
    return _BUILDERS[message.role](message, text, meta)


def _tool_call(index: int, message: Message, text: str) -> ToolCall:
    # The spec writes calls as free text (`open_url("...")`); a JSON object is passed as is.
    try:
        arguments = json.loads(text)
    except ValueError:
        arguments = None
    if not isinstance(arguments, dict):
        arguments = {"input": text}
    function = _function_name(message.attributes["recipient"])
    return ToolCall(id=_call_id(index), function=function, arguments=arguments)


def _call_id(index: int) -> str:
    return f"call_{index}"


def _function_name(recipient: str) -> str:
    # Chat Completions accepts function names of [a-zA-Z0-9_-] only (`functions.x` has a dot).
    return re.sub(r"[^a-zA-Z0-9_-]", "_", recipient) or "tool"


def spec_index(spec: Spec) -> SpecIndex:
    """The chain's per-spec index (section candidates, relevance, costs), for enforced runs."""
    from specwright._chain._spec_index import SpecIndex

    return SpecIndex.build(spec)


def _enforced(scenario: Scenario, spec: Spec, index: SpecIndex | None) -> tuple[Message, ...]:
    # The chain-of-command compiler: a preamble system message, then the turns with every
    # span that carries no authority isolated between per-request boundary markers.
    from specwright._chain._compiler import compile_prompt
    from specwright._chain._conversation import Conversation

    conversation = Conversation.from_messages(scenario.messages)
    compiled = compile_prompt(spec, conversation, index=index)
    return tuple(turn.message for turn in compiled.conversation.turns)


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


def original_role(message: ChatMessage) -> str:
    """The spec role an Inspect message stands for (its own role when unmarked)."""
    role = (message.metadata or {}).get(ROLE_KEY)
    return role if isinstance(role, str) else message.role


def shown_text(message: ChatMessage) -> str:
    """The message as graders and reports see it: tool calls written out, not left blank."""
    calls = message.tool_calls if isinstance(message, ChatMessageAssistant) else None
    if not calls:
        return message.text
    written = [
        f"[call {call.function}] {json.dumps(call.arguments, ensure_ascii=False)}" for call in calls
    ]
    return "\n".join(t for t in (message.text, *written) if t)
