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
from functools import partial

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
    return tuple(
        span for index, turn in enumerate(conversation.turns) for span in _turn_spans(turn, index)
    )


def _turn_spans(turn: Turn, index: int) -> Iterator[Span]:
    for number, (part, meta) in enumerate(zip(turn.message.parts, turn.part_meta, strict=True)):
        yield from split_part(part, meta, turn.role, index, number)
    first = len(turn.message.parts)
    if not first and not turn.tool_calls:
        # A message without content still appears in the trace, as one empty span.
        kind = _ROLE_KIND.get(turn.role, "text")
        authority = ROLE_AUTHORITY[turn.role]
        yield Span(
            message_index=index,
            part_index=0,
            start=0,
            end=0,
            role=turn.role,
            authority=authority,
            kind=kind,
            text="",
            note="a message without content",
        )
    for number, call in enumerate(turn.tool_calls, start=first):
        yield Span(
            message_index=index,
            part_index=number,
            start=0,
            end=len(call.arguments),
            role=turn.role,
            authority="none",
            kind="tool_call",
            text=call.arguments,
            note=f"arguments of the call to {call.name} (id {call.id})",
        )


def split_part(part: Part, meta: PartMeta, role: Role, index: int, number: int) -> list[Span]:
    """Split one part into spans covering its whole text."""
    text = _part_text(part)
    whole = _whole_part_kind(part, meta, role)
    base = {"message_index": index, "part_index": number, "role": role}
    if whole is not None:
        return [Span(**base, start=0, end=len(text), authority="none", kind=whole, text=text)]
    regions, note = data_regions(text)
    own = ROLE_AUTHORITY[role]
    make = partial(_span, base, text=text)
    spans: list[Span] = []
    cursor, note_pending = 0, bool(note)
    for start, end, kind in regions:
        if start > cursor:
            spans.append(make(start=cursor, end=start, authority=own, kind="text"))
        block_note = note if kind in _DELIMITED and note_pending else ""
        note_pending = note_pending and not block_note
        spans.append(make(start=start, end=end, authority="none", kind=kind, note=block_note))
        cursor = end
    if cursor < len(text) or not spans:
        spans.append(make(start=cursor, end=len(text), authority=own, kind="text"))
    return _flag_pasted(spans, text) if role == "user" else spans


def _flag_pasted(spans: list[Span], text: str) -> list[Span]:
    """Flag user text at or after the first pasted-looking line that nothing isolates."""
    match = _PASTED.search(text)
    if match is None:
        return spans
    why = pasted_marker(text)
    return [
        s.model_copy(update={"pasted": why})
        if s.kind == "text" and s.end > match.start() and not s.blank
        else s
        for s in spans
    ]


def _span(
    base: Mapping[str, object],
    *,
    text: str,
    start: int,
    end: int,
    authority: AuthorityOrNone,
    kind: SpanKind,
    note: str = "",
) -> Span:
    return Span.model_validate(
        {
            **base,
            "start": start,
            "end": end,
            "authority": authority,
            "kind": kind,
            "text": text[start:end],
            "note": note,
        }
    )


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
