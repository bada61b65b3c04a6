"""Authority per part: split every message part into spans with character offsets.

Structure alone decides here. The role gives a part its authority (system → system,
developer → developer, user → user; assistant and tool → none). Inside system, developer and
user text, these regions carry no authority: ``<untrusted>``/``<untrusted_text>`` blocks,
markdown block quotes (CommonMark rules, lazy continuation lines included) and fenced code
blocks. Untrusted parts, attachments and parts the application marks as quoted or retrieved
carry none either. Delegation (see :mod:`._delegation`) may later lift a span's authority.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache, partial
from typing import Literal, TypeAlias

from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict

from specwright._chain._conversation import Conversation, PartMeta, Turn
from specwright._model import Attachment, AuthorityOrNone, Part, Role, UntrustedPart

__all__ = ["ROLE_AUTHORITY", "Span", "SpanKind", "split_conversation", "split_part"]

SpanKind: TypeAlias = Literal[
    "text",
    "untrusted",
    "untrusted_block",
    "block_quote",
    "fenced_code",
    "attachment",
    "quoted",
    "retrieved",
    "assistant",
    "tool_output",
]
"""What a span is, structurally; everything but ``text`` carries no authority of its own."""

ROLE_AUTHORITY: dict[Role, AuthorityOrNone] = {
    "system": "system",
    "developer": "developer",
    "user": "user",
    "assistant": "none",
    "tool": "none",
}
"""The authority a role gives its plain text."""

_ROLE_KIND: dict[Role, SpanKind] = {"assistant": "assistant", "tool": "tool_output"}
_TOKEN_KIND: dict[str, SpanKind] = {"blockquote_open": "block_quote", "fence": "fenced_code"}
_NEWLINE = re.compile(r"\r\n?|\n")
_TAG = re.compile(r"<(/?)(untrusted_text|untrusted)\b[^>]*>", re.IGNORECASE)
# Fast path: only text where some line (CR, LF or CRLF ended) may open a quote or a fence is
# handed to markdown-it.
_MARKDOWN_HINT = re.compile(r"(?:\A|[\r\n])[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)*(?:>|```|~~~)")


class Span(BaseModel):
    """A character range of one message part, with the authority its structure gives it."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

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


def split_part(part: Part, meta: PartMeta, role: Role, index: int, number: int) -> list[Span]:
    """Split one part into spans covering its whole text."""
    text = _part_text(part)
    whole = _whole_part_kind(part, meta, role)
    base = {"message_index": index, "part_index": number, "role": role}
    if whole is not None:
        return [Span(**base, start=0, end=len(text), authority="none", kind=whole, text=text)]
    regions, note = _no_authority_regions(text)
    own = ROLE_AUTHORITY[role]
    make = partial(_span, base, text=text)
    spans: list[Span] = []
    cursor = 0
    for start, end, kind in regions:
        if start > cursor:
            spans.append(make(start=cursor, end=start, authority=own, kind="text"))
        block_note = note if kind == "untrusted_block" else ""
        spans.append(make(start=start, end=end, authority="none", kind=kind, note=block_note))
        cursor = end
    if cursor < len(text) or not spans:
        spans.append(make(start=cursor, end=len(text), authority=own, kind="text"))
    return spans


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


# --------------------------------------------------------------------------- regions


def _no_authority_regions(text: str) -> tuple[list[tuple[int, int, SpanKind]], str]:
    """Sorted, non-overlapping regions without authority, and a note about forged tags."""
    tagged, note = _untrusted_regions(text)
    regions: list[tuple[int, int, SpanKind]] = [(s, e, "untrusted_block") for s, e in tagged]
    cursor = 0
    for start, end in [*tagged, (len(text), len(text))]:
        regions.extend(_markdown_regions(text, cursor, start))
        cursor = end
    regions.sort()
    return regions, note


def _untrusted_regions(text: str) -> tuple[list[tuple[int, int]], str]:
    """``<untrusted>`` regions, nesting-aware, tags included.

    A closing tag at depth zero cannot close anything: it means an earlier closing tag was
    forged by the untrusted content, so the previous region is extended up to it. An opening
    tag that is never closed makes the rest of the text untrusted.
    """
    regions: list[tuple[int, int]] = []
    depth, start, forged = 0, 0, False
    for match in _TAG.finditer(text):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                regions.append((start, match.end()))
        elif regions:
            regions[-1] = (regions[-1][0], match.end())
            forged = True
    if depth > 0:
        regions.append((start, len(text)))
    note = "a closing tag inside the block was ignored: it closed nothing" if forged else ""
    return regions, note


def _markdown_regions(text: str, start: int, end: int) -> list[tuple[int, int, SpanKind]]:
    segment = text[start:end]
    if not _MARKDOWN_HINT.search(segment):
        return []  # fast path: no line can open a quote or a fence
    starts, ends = _line_bounds(segment)
    regions: list[tuple[int, int, SpanKind]] = []
    for token in _markdown().parse(segment):
        kind = _TOKEN_KIND.get(token.type)
        if kind is None or token.map is None:
            continue
        first, last = token.map
        region = (start + starts[first], start + ends[min(last, len(ends)) - 1], kind)
        if not regions or region[0] >= regions[-1][1]:
            regions.append(region)  # nested quotes and fences inside quotes are already covered
    return regions


def _line_bounds(segment: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of every line, splitting where markdown-it does (CR, LF, CRLF)."""
    starts, ends = [0], []
    for match in _NEWLINE.finditer(segment):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(segment))
    return starts, ends


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark")
