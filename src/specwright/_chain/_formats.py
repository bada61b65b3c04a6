"""Conversation formats by name: a registry of readers and writers.

A :class:`ConversationFormat` reads a file's text into a conversation (and the delegations it
declares) and, when it can, writes a conversation back. Plugins add formats through the
``specwright.conversation_formats`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import JsonValue, ValidationError

from specwright._chain._adapters_anthropic import from_anthropic, to_anthropic
from specwright._chain._adapters_openai import from_openai, to_openai
from specwright._chain._adapters_spec import from_spec_text
from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation
from specwright._chain._format_evidence import (
    JSON_FORMATS,
    evidence,
    looks_like_json,
    looks_like_spec_dialect,
)
from specwright._chain._limits import DEFAULT_LIMITS, ConversationLimits, check_limits
from specwright._errors import ConfigurationError, ConversationError, ConversationTooLarge
from specwright._jsonio import JsonInputError, byte_position, load_json
from specwright._registry import Registry
from specwright._validation import first_error

__all__ = [
    "CONVERSATION_FORMATS",
    "ConversationFormat",
    "read_conversation",
    "write_conversation",
]

Read = Callable[[str, str], tuple[Conversation, tuple[Delegation, ...]]]
"""``(text, file name) → (conversation, delegations)``; bad input raises ConversationError."""
BoundedRead = Callable[
    [str, str, ConversationLimits | None], tuple[Conversation, tuple[Delegation, ...]]
]
"""A :data:`Read` that also applies limits, refusing too many messages before building any."""


@dataclass(frozen=True)
class ConversationFormat:
    """How one format is read and (optionally) written."""

    read: Read
    """Reads a file's text."""
    write: Callable[[Conversation], Any] | None = None
    """Writes a conversation as JSON-able data; ``None`` when the format is read-only."""
    bounded: BoundedRead | None = None
    """Reads within limits (the built-in JSON formats); ``None``: ``read``, then the limits
    are checked on what it built."""


def _check_format(entry: object) -> ConversationFormat:
    if not isinstance(entry, ConversationFormat):
        raise TypeError(f"expected a ConversationFormat, got {type(entry).__name__}")
    return entry


CONVERSATION_FORMATS: Registry[ConversationFormat] = Registry(
    "conversation format", "specwright.conversation_formats", check=_check_format
)
"""Conversation formats by name (``openai``, ``anthropic``, ``spec`` and plugins')."""


def _json_format(
    reader: Callable[..., Conversation], writer: Callable[[Conversation], Any]
) -> ConversationFormat:
    def bounded(
        text: str, file: str, limits: ConversationLimits | None
    ) -> tuple[Conversation, tuple[Delegation, ...]]:
        return _read_document(_load(text, file), partial(reader, limits=limits), file)

    def read(text: str, file: str) -> tuple[Conversation, tuple[Delegation, ...]]:
        return bounded(text, file, DEFAULT_LIMITS)

    return ConversationFormat(read=read, write=writer, bounded=bounded)


def _read_spec(text: str, file: str) -> tuple[Conversation, tuple[Delegation, ...]]:
    return from_spec_text(text, file=file), ()


CONVERSATION_FORMATS.add("openai", _json_format(from_openai, to_openai))
CONVERSATION_FORMATS.add("anthropic", _json_format(from_anthropic, to_anthropic))
CONVERSATION_FORMATS.add("spec", ConversationFormat(read=_read_spec))
_JSON_READERS: dict[str, Callable[..., Conversation]] = {
    "openai": from_openai,
    "anthropic": from_anthropic,
}


def read_conversation(
    path: Path, fmt: str | None = None, limits: ConversationLimits | None = DEFAULT_LIMITS
) -> tuple[Conversation, tuple[Delegation, ...]]:
    """Read a conversation file and the delegations it declares.

    ``fmt`` names the format; ``None`` tells it from the content (OpenAI or Anthropic JSON,
    or the spec dialect's message blocks) and refuses a file that reads as none of them or
    as both JSON formats, rather than read one shape as another.

    JSON files may carry a ``"specwright"`` object beside the messages with ``delegations``
    (a list of :class:`Delegation` objects) and ``marks`` (``{"message": i, "part": p,
    "mark": "quoted" | "retrieved"}``). Bad input raises :class:`ConversationError` naming
    the file, message index and field; a conversation beyond ``limits`` (``None``: no
    limits), :class:`ConversationTooLarge` naming the file and the limit.
    """
    text, file = _read_text(path), str(path)
    if fmt is None:
        fmt, conversation, delegations = _read_recognised(text, file, limits)
    else:
        entry = CONVERSATION_FORMATS.get(fmt)
        if entry.bounded is not None:
            conversation, delegations = entry.bounded(text, file, limits)
        else:
            conversation, delegations = entry.read(text, file)
            _check_limits(conversation, limits, file)
    if not len(conversation):
        # Nothing to check or compile: most likely the wrong file or --input-format.
        raise ConversationError(f"no messages (read as {fmt})", file=str(path))
    return conversation, delegations


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such file") from None  # as a spec says it
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line, column = byte_position(exc.object, exc.start)
        raise ConversationError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line}, column {column})",
            file=str(path),
        ) from None


_NAME_IT = "name the format with --input-format"


def _check_limits(conversation: Conversation, limits: ConversationLimits | None, file: str) -> None:
    try:
        check_limits(conversation, limits)
    except ConversationTooLarge as exc:
        raise ConversationTooLarge(
            exc.message, field=exc.field, file=file, limit=exc.limit
        ) from None


def _read_recognised(
    text: str, file: str, limits: ConversationLimits | None
) -> tuple[str, Conversation, tuple[Delegation, ...]]:
    """The format the text is written in, and the conversation read in it."""
    if looks_like_json(text):
        document = _load(text, file)
        fmt = _json_format_of(document, file)
        reader = partial(_JSON_READERS[fmt], limits=limits)
        conversation, delegations = _read_document(document, reader, file)
        return fmt, conversation, delegations
    if looks_like_spec_dialect(text):
        conversation, delegations = _read_spec(text, file)
        _check_limits(conversation, limits, file)
        return "spec", conversation, delegations
    raise ConversationError(
        "neither JSON nor the spec dialect's message blocks (<user>…</user>); " + _NAME_IT,
        file=file,
    )


def _json_format_of(document: JsonValue, file: str) -> str:
    body = document
    if isinstance(body, dict) and "specwright" in body:
        body = {key: value for key, value in body.items() if key != "specwright"}
    found = evidence(body)
    if found is None:
        raise ConversationError(
            "no messages: not an OpenAI or Anthropic conversation (a list of messages or an "
            f"object with 'messages'); {_NAME_IT}",
            file=file,
        )
    if len(found) > 1:
        shapes = "; ".join(f"{fmt}: {found[fmt]}" for fmt in JSON_FORMATS)
        raise ConversationError(
            f"holds shapes of more than one format ({shapes}); {_NAME_IT}", file=file
        )
    return next(iter(found), JSON_FORMATS[0])


def _load(text: str, file: str) -> JsonValue:
    try:
        return load_json(text)
    except JsonInputError as exc:
        index, field = exc.message_index()
        raise ConversationError(
            exc.problem, index=index, field=field, file=file, line=exc.line, column=exc.column
        ) from None


def _read_document(
    document: JsonValue, reader: Callable[[object], Conversation], file: str
) -> tuple[Conversation, tuple[Delegation, ...]]:
    try:
        extension: JsonValue = {}
        if isinstance(document, dict) and "specwright" in document:
            extension = document.pop("specwright")
        return _apply_extension(reader(document), extension)
    except ConversationTooLarge as exc:
        raise ConversationTooLarge(
            exc.message, field=exc.field, file=file, limit=exc.limit
        ) from None
    except ConversationError as exc:
        raise ConversationError(
            exc.message,
            index=exc.index,
            field=exc.field,
            file=file,
            line=exc.line,
            column=exc.column,
        ) from None


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
    writer = CONVERSATION_FORMATS.get(fmt).write
    if writer is None:
        raise ConfigurationError(f"cannot write conversations as {fmt!r}")
    return writer(conversation)
