"""Reading generator replies: strict shapes per kind; anything else is counted, never written.

A reply is bad when it is empty, a refusal, not JSON, or JSON of the wrong shape. Within a
well-formed reply each scenario is checked on its own, so that one malformed item costs only
itself.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, TypeAlias

from pydantic import ConfigDict, Field, ValidationError, field_validator

from specwright._frozen import FrozenModel
from specwright._generate._client import Reply

__all__ = [
    "BadReason",
    "ConflictItem",
    "DirectItem",
    "GenMessage",
    "InteractionItem",
    "Item",
    "ParaphraseItem",
    "TwinItem",
    "envelope",
    "reply_schema",
]

BadReason: TypeAlias = Literal["empty", "refusal", "not_json", "wrong_fields", "request_failed"]
"""Why a reply (or one item of it) was not written."""

_REFUSAL = re.compile(
    r"\b(I can(?:no|')t|I(?: a|')m (?:not able|unable)|I won't|I will not|I must decline|"
    r"sorry, but)\b",
    re.IGNORECASE,
)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class Item(FrozenModel):
    """One scenario item of a generator reply (the shape differs per kind)."""

    # Unlike FrozenModel, unknown keys are tolerated (generators add notes); missing or
    # mistyped ones are not.
    model_config = ConfigDict(extra="ignore")


class GenMessage(Item):
    """One message as the generator writes it."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str = Field(min_length=1)


def _conversation(messages: list[GenMessage]) -> list[GenMessage]:
    if not messages:
        raise ValueError("no messages")
    if messages[-1].role != "user":
        raise ValueError("the conversation must end with a user message")
    if not any(m.content.strip() for m in messages):
        raise ValueError("every message is blank")
    return messages


class DirectItem(Item):
    """A direct request (also the shape of adaptive variants)."""

    messages: list[GenMessage]
    expected: str = ""

    _check = field_validator("messages")(_conversation)


class MultiTurnItem(DirectItem):
    """Several turns: at least two user turns and one assistant turn."""

    @field_validator("messages")
    @classmethod
    def _turns(cls, messages: list[GenMessage]) -> list[GenMessage]:
        users = sum(1 for m in messages if m.role == "user")
        if users < 2 or not any(m.role == "assistant" for m in messages):
            raise ValueError("a multi-turn scenario needs two user turns and an assistant turn")
        return messages


class ConflictItem(Item):
    """An instruction against the section and a request it rides along with."""

    instruction: str = Field(min_length=1)
    request: str = Field(min_length=1)


class TwinItem(Item):
    """A request that needs care and its benign near-twin."""

    messages: list[GenMessage]
    twin: list[GenMessage]
    why_benign: str = ""

    _check = field_validator("messages", "twin")(_conversation)


class InteractionItem(Item):
    """A request where two sections pull apart; the winner and the sentence that says so."""

    messages: list[GenMessage]
    winner: str | None = None
    quote: str | None = None

    _check = field_validator("messages")(_conversation)


class ParaphraseItem(Item):
    """A paraphrase of one of the spec's examples."""

    example: str = Field(min_length=1)
    messages: list[GenMessage]

    _check = field_validator("messages")(_conversation)


def reply_schema(model: type[Item]) -> dict[str, Any]:
    """The JSON Schema of a whole reply: ``{"scenarios": [<model>, ...]}``.

    Asked for in the generator's profile form, so a server that supports structured output
    writes the envelope the parser reads; the item's ``$defs`` move to the root, where their
    ``$ref`` paths point.
    """
    item = model.model_json_schema()
    defs = item.pop("$defs", None)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"scenarios": {"type": "array", "items": item}},
        "required": ["scenarios"],
    }
    if defs:
        schema["$defs"] = defs
    return schema


def envelope(reply: Reply) -> list[object] | BadReason:
    """The list of raw scenario items in a reply, or why the reply is bad as a whole."""
    problem = _problem(reply)
    if problem is not None:
        return problem
    match = _JSON_OBJECT.search(reply.text)
    if match is None:
        return "refusal" if _REFUSAL.search(reply.text) else "not_json"
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return "not_json"
    items = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return "wrong_fields"
    return items or "empty"


def _problem(reply: Reply) -> BadReason | None:
    if reply.error is not None:
        return "request_failed"
    if reply.refused:
        return "refusal"
    return None if reply.text.strip() else "empty"


def parse_item(model: type[Item], raw: object) -> Item | None:
    """``raw`` as ``model``, or ``None`` when it does not fit."""
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None
