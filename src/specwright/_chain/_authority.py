"""Authority per part: split every message part into spans with character offsets.

Structure alone decides here. The role gives a part its authority (system → system,
developer → developer, user → user; assistant and tool → none). Inside system, developer and
user text, quoted material carries no authority (see :mod:`._regions` for the forms and the
rules that keep them unforgeable). Untrusted parts, attachments and parts the application
marks as quoted or retrieved carry none either, nor do the arguments of an assistant's tool
calls (one span per call, numbered after the message's parts). User text that looks pasted
(separator lines, mail headers) but is not isolated is flagged. Delegation (see
:mod:`._delegation`) may later lift a span's authority.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import TypeAdapter

from specwright._chain._conversation import Conversation, PartMeta, Turn
from specwright._chain._regions import _PASTED, data_regions, pasted_marker
from specwright._chain._span_kinds import SpanKind
from specwright._frozen import FrozenModel
from specwright._model import Attachment, AuthorityOrNone, Part, Role, UntrustedPart

__all__ = ["ROLE_AUTHORITY", "Span", "SpanKind", "split_conversation", "split_part"]

ROLE_AUTHORITY: dict[Role, AuthorityOrNone] = {
    "system": "system",
    "developer": "developer",
    "user": "user",
    "assistant": "none",
    "tool": "none",
}
"""The authority a role gives its plain text."""

_ROLE_KIND: dict[Role, SpanKind] = {"assistant": "assistant", "tool": "tool_output"}
_DELIMITED: frozenset[SpanKind] = frozenset(
    {"untrusted_block", "fenced_code", "xml", "json", "quotation"}
)


class Span(FrozenModel):
    """A character range of one message part, with the authority its structure gives it."""

    message_index: int
    """Zero-based index of the turn in the conversation."""
    part_index: int
    """Zero-based index of the part within the message."""
    start: int
    """Start offset (characters) in the part's text."""
    end: int
    """End offset (exclusive)."""
    role: Role
    """The message's role."""
    authority: AuthorityOrNone
    """The authority structure gives this span (before any delegation)."""
    kind: SpanKind
    """Why it has that authority."""
    text: str
    """The span's text (an attachment's extracted text, or empty)."""
    note: str = ""
    """A structural remark, e.g. that a forged closing tag was ignored."""
    pasted: str | None = None
    """For user text left with authority: why it looks pasted ("pasted email", "separator
    line") although nothing isolates it."""

    @property
    def id(self) -> str:
        """A stable reference: ``message:<i>.<part>:<start>-<end>``."""
        return f"message:{self.message_index}.{self.part_index}:{self.start}-{self.end}"

    @property
    def blank(self) -> bool:
        """True when the span holds only whitespace."""
        return not self.text.strip()


def split_conversation(conversation: Conversation) -> tuple[Span, ...]:
    """Split every part of every turn into spans, in order; every part yields at least one."""
    rows = [row for index, turn in enumerate(conversation.turns) for row in _turn_rows(turn, index)]
    # One validating call for the whole conversation: far cheaper than one per span.
    return tuple(_SPANS.validate_python(rows))


_SPANS = TypeAdapter(list[Span])
_Row = dict[str, object]
"""A span's fields as :class:`Span` takes them (exactly the fields it sets)."""


def _turn_rows(turn: Turn, index: int) -> Iterator[_Row]:
    for number, (part, meta) in enumerate(zip(turn.message.parts, turn.part_meta, strict=True)):
        yield from _part_rows(part, meta, turn.role, index, number)
    first = len(turn.message.parts)
    base = {"message_index": index, "role": turn.role, "start": 0}
    if not first and not turn.tool_calls:
        # A message without content still appears in the trace, as one empty span.
        kind = _ROLE_KIND.get(turn.role, "text")
        authority = ROLE_AUTHORITY[turn.role]
        yield {
            **base,
            "part_index": 0,
            "end": 0,
            "authority": authority,
            "kind": kind,
            "text": "",
            "note": "a message without content",
        }
    for number, call in enumerate(turn.tool_calls, start=first):
        yield {
            **base,
            "part_index": number,
            "end": len(call.arguments),
            "authority": "none",
            "kind": "tool_call",
            "text": call.arguments,
            "note": f"arguments of the call to {call.name} (id {call.id})",
        }


def split_part(part: Part, meta: PartMeta, role: Role, index: int, number: int) -> list[Span]:
    """Split one part into spans covering its whole text."""
    return _SPANS.validate_python(_part_rows(part, meta, role, index, number))


def _part_rows(part: Part, meta: PartMeta, role: Role, index: int, number: int) -> list[_Row]:
    text = _part_text(part)
    whole = _whole_part_kind(part, meta, role)
    base = {"message_index": index, "part_index": number, "role": role}
    if whole is not None:
        return [
            {**base, "start": 0, "end": len(text), "authority": "none", "kind": whole, "text": text}
        ]
    regions, note = data_regions(text)
    own = ROLE_AUTHORITY[role]
    rows: list[_Row] = []
    cursor, note_pending = 0, bool(note)
    for start, end, kind in regions:
        if start > cursor:
            rows.append(_row(base, text, start=cursor, end=start, authority=own, kind="text"))
        block_note = note if kind in _DELIMITED and note_pending else ""
        note_pending = note_pending and not block_note
        rows.append(
            _row(base, text, start=start, end=end, authority="none", kind=kind, note=block_note)
        )
        cursor = end
    if cursor < len(text) or not rows:
        rows.append(_row(base, text, start=cursor, end=len(text), authority=own, kind="text"))
    if role == "user":
        _flag_pasted(rows, text)
    return rows


def _flag_pasted(rows: list[_Row], text: str) -> None:
    """Flag user text at or after the first pasted-looking line that nothing isolates."""
    match = _PASTED.search(text)
    if match is None:
        return
    why = pasted_marker(text)
    for row in rows:
        span_text, end = row["text"], row["end"]
        assert isinstance(span_text, str) and isinstance(end, int)
        if row["kind"] == "text" and end > match.start() and span_text.strip():
            row["pasted"] = why


def _row(
    base: Mapping[str, object],
    text: str,
    *,
    start: int,
    end: int,
    authority: AuthorityOrNone,
    kind: SpanKind,
    note: str = "",
) -> _Row:
    return {
        **base,
        "start": start,
        "end": end,
        "authority": authority,
        "kind": kind,
        "text": text[start:end],
        "note": note,
    }


def _part_text(part: Part) -> str:
    if isinstance(part, Attachment):
        return part.text or ""
    return part.text


def _whole_part_kind(part: Part, meta: PartMeta, role: Role) -> SpanKind | None:
    if isinstance(part, Attachment):
        return "attachment"
    if isinstance(part, UntrustedPart):
        return "untrusted"
    if meta.mark is not None:
        return meta.mark
    return _ROLE_KIND.get(role)
