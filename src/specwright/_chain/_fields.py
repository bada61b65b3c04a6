"""Every field accounted for: isolated, structural, or dropped with a warning.

The compiler rebuilds each message from its parts (isolating what has no authority) and the
structural fields the target APIs define: role, tool call ids, tool names and arguments, the
id a tool result answers, ``type`` and ``cache_control`` of a part, ``is_error`` of a tool
result. Anything else a message or a text part carries — a message-level ``name``, a tool
message's ``name``, ``annotations`` or ``refusal`` extras, unknown keys — could carry words
outside any boundary, so it is dropped, and :func:`dropped_fields` names each one for the trace.
"""

from __future__ import annotations

from pydantic import JsonValue

from specwright._chain._conversation import Conversation, PartMeta, Turn
from specwright._frozen import FrozenModel
from specwright._model import TextPart

__all__ = ["DroppedField", "dropped_fields", "strip_turn"]

STRUCTURAL_PART_KEYS = frozenset({"type", "cache_control"})
"""Keys of a text part the compiler keeps."""
STRUCTURAL_MESSAGE_KEYS = frozenset({"cache_control", "is_error"})
"""Message-level keys the compiler keeps."""


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
            DroppedField(message_index=index, field=key, reason=_REASON)
            for key in turn.extra
            if key not in STRUCTURAL_MESSAGE_KEYS
        ]
        for n, (part, meta) in enumerate(zip(turn.message.parts, turn.part_meta, strict=True)):
            if isinstance(part, TextPart):
                found += [
                    DroppedField(message_index=index, field=f"content[{n}].{key}", reason=_REASON)
                    for key in meta.extra
                    if key not in STRUCTURAL_PART_KEYS
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
        not m.extra or STRUCTURAL_PART_KEYS.issuperset(m.extra) or not isinstance(p, TextPart)
        for p, m in zip(turn.message.parts, turn.part_meta, strict=True)
    )


def _clean(turn: Turn) -> bool:
    """Whether :func:`strip_turn` leaves ``turn`` as it is: no key to drop on any part."""
    return _clean_message(turn) and all(
        not m.extra or STRUCTURAL_PART_KEYS.issuperset(m.extra) for m in turn.part_meta
    )


def _clean_message(turn: Turn) -> bool:
    message = turn.message
    if "name" in message.attributes and message.role != "tool":
        return False
    return not turn.extra or STRUCTURAL_MESSAGE_KEYS.issuperset(turn.extra)


def _keep(extra: dict[str, JsonValue], keys: frozenset[str]) -> dict[str, JsonValue]:
    return {k: v for k, v in extra.items() if k in keys}
