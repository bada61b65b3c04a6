"""Helpers shared by the conversation adapters: typed access to untyped JSON with errors
that name the message index and field."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from pydantic import JsonValue, ValidationError

from specwright._chain._conversation import Conversation
from specwright._errors import ConversationError

__all__ = [
    "expect_dict",
    "expect_list",
    "expect_str",
    "kind_of",
    "optional_str",
    "registrar",
    "rest",
]

T = TypeVar("T")


def expect_dict(value: object, index: int | None, field: str) -> dict[str, JsonValue]:
    """Return ``value`` as a JSON object or raise naming ``index`` and ``field``."""
    if not isinstance(value, dict):
        raise ConversationError(
            f"expected an object, got {kind_of(value)}", index=index, field=field
        )
    return value


def expect_list(value: object, index: int | None, field: str) -> list[JsonValue]:
    """Return ``value`` as a JSON array or raise naming ``index`` and ``field``."""
    if not isinstance(value, list):
        raise ConversationError(
            f"expected an array, got {kind_of(value)}", index=index, field=field
        )
    return value


def expect_str(obj: Mapping[str, JsonValue], key: str, index: int | None, prefix: str = "") -> str:
    """Return ``obj[key]`` as a string or raise naming the field ``prefix + key``."""
    field = f"{prefix}{key}"
    if key not in obj:
        raise ConversationError("missing required field", index=index, field=field)
    value = obj[key]
    if not isinstance(value, str):
        raise ConversationError(
            f"expected a string, got {kind_of(value)}", index=index, field=field
        )
    return value


_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:-]{1,256}")


def expect_identifier(
    obj: Mapping[str, JsonValue], key: str, index: int | None, prefix: str = ""
) -> str:
    """``obj[key]`` as a tool name or call id: letters, digits and ``_.:-``, at most 256.

    Names and ids are structural: they reach the model as they are, outside every isolation
    marker, so a caller who forges an assistant turn must not be able to carry prose in them.
    The APIs give them this shape (OpenAI and Anthropic names ``[A-Za-z0-9_-]{1,64}``).
    """
    value = expect_str(obj, key, index, prefix)
    if _IDENTIFIER.fullmatch(value) is None:
        raise ConversationError(
            "not a name or id (letters, digits and _.:- only, at most 256)",
            index=index,
            field=f"{prefix}{key}",
        )
    return value


def optional_str(
    obj: Mapping[str, JsonValue], key: str, index: int | None, prefix: str = ""
) -> str | None:
    """Return ``obj[key]`` as a string, ``None`` when absent or null; raise on other types."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        field = f"{prefix}{key}"
        raise ConversationError(
            f"expected a string, got {kind_of(value)}", index=index, field=field
        )
    return value


def registrar(table: dict[str, T]) -> Callable[[str], Callable[[T], T]]:
    """A decorator factory filing each decorated reader in ``table`` under its kind."""

    def reads(kind: str) -> Callable[[T], T]:
        def register(fn: T) -> T:
            table[kind] = fn
            return fn

        return register

    return reads


def rest(obj: Mapping[str, JsonValue], known: frozenset[str]) -> dict[str, JsonValue]:
    """The keys of ``obj`` that an adapter does not interpret (kept for round trips)."""
    if obj.keys() <= known:  # the usual case, checked without building a comprehension
        return {}
    return {k: v for k, v in obj.items() if k not in known}


def kind_of(value: object) -> str:
    """How a JSON value's type reads in an error message: ``an object``, ``a number``…"""
    if value is None:
        return "null"
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    return kinds.get(type(value), "a number" if isinstance(value, int | float) else "a value")


_JSON_TAGS = frozenset({"list", "dict", "str", "int", "float", "bool"})


def validated_conversation(data: Mapping[str, object], *, turn_is_message: bool) -> Conversation:
    """Build the conversation in one validating call; what pydantic refuses (JSON nested past
    its recursion limit, say) is a ``ConversationError`` naming where, like every other fault.

    ``turn_is_message``: turn ``i`` is message ``i`` (OpenAI); otherwise the error names the
    turn path, since one Anthropic message can make several turns.
    """
    try:
        return Conversation.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error["loc"]][:4]
        index = None
        if turn_is_message and len(loc) > 1 and loc[0] == "turns" and loc[1].isdigit():
            index, loc = int(loc[1]), loc[2:]
        # "extra" is where unmodelled keys live; "list"/"dict" are pydantic's JsonValue tags.
        loc = [p for p in loc if p != "extra"]
        loc = loc[: next((i for i, p in enumerate(loc) if p in _JSON_TAGS), len(loc))]
        message = error["msg"]
        if error["type"] == "recursion_loop":
            message = "JSON nested too deeply"
        raise ConversationError(message, index=index, field=".".join(loc)) from None
