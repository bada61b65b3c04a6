"""Every field accounted for: isolated, structural, or dropped with a warning.

The compiler rebuilds each message from its parts (isolating what has no authority) and the
structural fields the target APIs define: role, tool call ids, tool names and arguments, the
id a tool result answers, ``type`` and ``cache_control`` of a part, ``is_error`` of a tool
result. A structural field is kept only in the shape its API gives it — ``type`` one of the
part types, ``cache_control`` an object of ``type: "ephemeral"`` and an optional ``ttl`` such
as ``"5m"``, ``is_error`` a boolean — since any string in it reaches the model outside every
boundary. Anything else a message or a text part carries — a message-level ``name``, a tool
message's ``name``, ``annotations`` or ``refusal`` extras, unknown keys, a key of
``cache_control`` other than those two (``cache_control.note``), a structural field of another
shape — is dropped, and :func:`dropped_fields` names each one for the trace. Media parts
(images, documents, search results) stay whole between the text parts that hold their block's
markers.
"""

from __future__ import annotations

import re

from pydantic import JsonValue

from specwright._chain._conversation import Conversation, PartMeta, Turn
from specwright._frozen import FrozenModel
from specwright._model import TextPart

__all__ = ["DroppedField", "dropped_fields", "strip_turn"]

STRUCTURAL_PART_KEYS = frozenset({"type", "cache_control"})
"""Keys of a text part the compiler keeps."""
STRUCTURAL_MESSAGE_KEYS = frozenset({"cache_control", "is_error"})
"""Message-level keys the compiler keeps."""
_PART_TYPES = frozenset({"text", "refusal"})
_CACHE_TYPES = frozenset({"ephemeral"})
_TTL = re.compile(r"[0-9]{1,4}[smh]")


class DroppedField(FrozenModel):
    """A field the compiled request leaves out, with why."""

    message_index: int
    """The turn it belongs to."""
    field: str
    """The field, e.g. ``name`` or ``content[0].annotations``."""
    reason: str
    """Why it is dropped."""


def dropped_fields(conversation: Conversation) -> tuple[DroppedField, ...]:
    """Every field of every message that the compiler drops, in order."""
    found: list[DroppedField] = []
    for index, turn in enumerate(conversation.turns):
        if _nothing_dropped(turn):
            continue  # the common case: nothing to name
        if turn.role != "tool" and "name" in turn.message.attributes:
            found.append(DroppedField(message_index=index, field="name", reason=_REASON))
        found += [
            DroppedField(message_index=index, field=name, reason=_REASON)
            for name in _split(turn.extra, STRUCTURAL_MESSAGE_KEYS)[1]
        ]
        for n, (part, meta) in enumerate(zip(turn.message.parts, turn.part_meta, strict=True)):
            if isinstance(part, TextPart):
                found += [
                    DroppedField(message_index=index, field=f"content[{n}].{name}", reason=_REASON)
                    for name in _split(meta.extra, STRUCTURAL_PART_KEYS)[1]
                ]
    return tuple(found)


_REASON = "not isolated and not structural: dropped from the compiled request"


def strip_turn(turn: Turn) -> Turn:
    """``turn`` without the fields :func:`dropped_fields` names."""
    if _clean(turn):
        return turn  # the common case: nothing to drop, nothing to copy
    attributes = dict(turn.message.attributes)
    if turn.role != "tool":
        attributes.pop("name", None)
    metas = tuple(
        PartMeta(media=m.media, mark=m.mark, extra=_keep(m.extra, STRUCTURAL_PART_KEYS))
        if isinstance(p, TextPart)
        else m
        for p, m in zip(turn.message.parts, turn.part_meta, strict=True)
    )
    message = turn.message.model_copy(update={"attributes": attributes})
    extra = _keep(turn.extra, STRUCTURAL_MESSAGE_KEYS)
    return turn.model_copy(update={"message": message, "part_meta": metas, "extra": extra})


def _nothing_dropped(turn: Turn) -> bool:
    """Whether :func:`dropped_fields` names nothing of ``turn`` (a quick test: most turns
    carry no extras at all). Only text parts' extras are dropped."""
    return _clean_message(turn) and all(
        not m.extra or not isinstance(p, TextPart) or not _split(m.extra, STRUCTURAL_PART_KEYS)[1]
        for p, m in zip(turn.message.parts, turn.part_meta, strict=True)
    )


def _clean(turn: Turn) -> bool:
    """Whether :func:`strip_turn` leaves ``turn`` as it is: no key to drop on any part."""
    return _clean_message(turn) and all(
        not m.extra or not _split(m.extra, STRUCTURAL_PART_KEYS)[1] for m in turn.part_meta
    )


def _clean_message(turn: Turn) -> bool:
    message = turn.message
    if "name" in message.attributes and message.role != "tool":
        return False
    return not turn.extra or not _split(turn.extra, STRUCTURAL_MESSAGE_KEYS)[1]


def _keep(extra: dict[str, JsonValue], keys: frozenset[str]) -> dict[str, JsonValue]:
    return _split(extra, keys)[0]


def _split(
    extra: dict[str, JsonValue], keys: frozenset[str]
) -> tuple[dict[str, JsonValue], list[str]]:
    """What of ``extra`` the compiler keeps (structural keys in their API's shape), and the
    name of every field it drops (``cache_control.note`` for a key inside one)."""
    kept: dict[str, JsonValue] = {}
    dropped: list[str] = []
    for key, value in extra.items():
        if key not in keys:
            dropped.append(key)
        elif key == "cache_control" and isinstance(value, dict):
            clean = {k: v for k, v in value.items() if _cache_field(k, v)}
            dropped += [f"{key}.{k}" for k in value if k not in clean]
            if clean:
                kept[key] = clean
        elif _shaped(key, value):
            kept[key] = value
        else:
            dropped.append(key)
    return kept, dropped


def _cache_field(key: str, value: JsonValue) -> bool:
    if key == "type":
        return value in _CACHE_TYPES
    return key == "ttl" and isinstance(value, str) and _TTL.fullmatch(value) is not None


def _shaped(key: str, value: JsonValue) -> bool:
    """Whether a structural key other than ``cache_control`` has its API's shape."""
    if key == "type":
        return value in _PART_TYPES
    return key == "is_error" and isinstance(value, bool)
