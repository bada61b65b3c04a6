"""Conversation formats by name: a registry of readers and writers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import JsonValue, ValidationError

from specwright._chain._adapters_anthropic import from_anthropic, to_anthropic
from specwright._chain._adapters_openai import from_openai, to_openai
from specwright._chain._adapters_spec import from_spec_text
from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation
from specwright._errors import ConfigurationError, ConversationError
from specwright._jsonio import JsonInputError, byte_position, load_json
from specwright._validation import first_error

__all__ = ["FORMATS", "read_conversation", "write_conversation"]

_JSON_READERS: dict[str, Callable[[object], Conversation]] = {
    "openai": from_openai,
    "anthropic": from_anthropic,
}
_WRITERS: dict[str, Callable[[Conversation], Any]] = {
    "openai": to_openai,
    "anthropic": to_anthropic,
}
FORMATS: tuple[str, ...] = ("openai", "anthropic", "spec")
"""Names accepted by :func:`read_conversation`."""


def read_conversation(
    path: Path, fmt: str = "openai"
) -> tuple[Conversation, tuple[Delegation, ...]]:
    """Read a conversation file and the delegations it declares.

    JSON files may carry a ``"specwright"`` object beside the messages with ``delegations``
    (a list of :class:`Delegation` objects) and ``marks`` (``{"message": i, "part": p,
    "mark": "quoted" | "retrieved"}``). Bad input raises :class:`ConversationError` naming
    the file, message index and field.
    """
    if fmt not in FORMATS:
        raise ConfigurationError(
            f"unknown conversation format {fmt!r} (known: {', '.join(FORMATS)})"
        )
    text = _read_text(path)
    delegations: tuple[Delegation, ...] = ()
    if fmt == "spec":
        conversation = from_spec_text(text, file=str(path))
    else:
        try:
            conversation, delegations = _read_json(text, fmt)
        except ConversationError as exc:
            raise ConversationError(
                exc.message, index=exc.index, field=exc.field, file=str(path)
            ) from None
    if not len(conversation):
        # Nothing to check or compile: most likely the wrong file or --format.
        raise ConversationError(f"no messages (read as {fmt})", file=str(path))
    return conversation, delegations


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line, column = byte_position(exc.object, exc.start)
        raise ConversationError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line}, column {column})",
            file=str(path),
        ) from None


def _read_json(text: str, fmt: str) -> tuple[Conversation, tuple[Delegation, ...]]:
    try:
        document = load_json(text)
    except JsonInputError as exc:
        index, field = exc.message_index()
        raise ConversationError(
            f"{exc.problem} (line {exc.line}, column {exc.column})", index=index, field=field
        ) from None
    extension: JsonValue = {}
    if isinstance(document, dict) and "specwright" in document:
        extension = document.pop("specwright")
    conversation = _JSON_READERS[fmt](document)
    return _apply_extension(conversation, extension)


def _apply_extension(
    conversation: Conversation, extension: JsonValue
) -> tuple[Conversation, tuple[Delegation, ...]]:
    if not isinstance(extension, dict):
        raise ConversationError("expected an object", field="specwright")
    delegations = []
    for n, raw in enumerate(_list(extension.get("delegations", []), "specwright.delegations")):
        try:
            delegations.append(Delegation.model_validate(raw))
        except ValidationError as exc:
            raise ConversationError(
                f"invalid delegation: {first_error(exc)}", field=f"specwright.delegations[{n}]"
            ) from None
    for n, raw in enumerate(_list(extension.get("marks", []), "specwright.marks")):
        conversation = _mark(conversation, raw, f"specwright.marks[{n}]")
    return conversation, tuple(delegations)


def _list(value: JsonValue, field: str) -> list[JsonValue]:
    if not isinstance(value, list):
        raise ConversationError("expected an array", field=field)
    return value


def _mark(conversation: Conversation, raw: JsonValue, field: str) -> Conversation:
    if not isinstance(raw, dict) or raw.get("mark") not in ("quoted", "retrieved"):
        raise ConversationError(
            'expected {"message": i, "part": p, "mark": "quoted"|"retrieved"}', field=field
        )
    index, part = raw.get("message"), raw.get("part", 0)
    if (
        not isinstance(index, int)
        or not isinstance(part, int)
        or not 0 <= index < len(conversation)
    ):
        raise ConversationError("message/part out of range", field=field)
    if not 0 <= part < len(conversation.turns[index].message.parts):
        raise ConversationError("part out of range", index=index, field=field)
    return conversation.with_mark(index, part, raw["mark"])  # type: ignore[arg-type]


def write_conversation(conversation: Conversation, fmt: str) -> Any:
    """The conversation as JSON-able data in ``fmt`` (``openai`` or ``anthropic``)."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ConfigurationError(f"cannot write conversations as {fmt!r}")
    return writer(conversation)
