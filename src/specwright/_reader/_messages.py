"""The message-block dialect: ``<user>…</user>`` conversations inside an example's fence.

Grammar (one construct per line; text lines belong to the message they stand in)::

    conversation := ( blank | "[...]" | message | comparison )*
    comparison   := "<comparison>" ( blank | "[...]" | answer )* "</comparison>"
    message      := "<role attrs>" body "</role>"
    answer       := "<assistant attrs> <!-- LABEL[#ref]: explanation -->" body "</assistant>"
    body         := ( text | "<settings>" key: value … "</settings>"
                        | "<untrusted>" text … "</untrusted>" | "[file: name]" )*

Inside a code fence in a body only the message's own closing tag is structure, so a fence left
open inside an answer still ends at ``</assistant>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from specwright._errors import SpecError
from specwright._model import (
    Label,
    LabelledAnswer,
    Message,
    Role,
    StrayEmphasis,
)
from specwright._reader._cursor import STRUCT_RE, Cursor, Header, indent
from specwright._reader._lines import decode
from specwright._reader._message_body import parse_body

__all__ = ["MessageBlocks", "parse_conversation"]

# Possessive quantifiers (`*+`, `++`) keep these linear: with plain ones, two adjacent `\s*`
# or a lazy group before `\s*$` backtrack quadratically on a line padded with spaces.
_OPEN_RE = re.compile(
    r"^\s*+<(system|developer|user|assistant|tool)"
    r"((?:\s++[^\s=<>\"']++\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'|[^\s\"'<>]++))*+)"
    r"\s*+>\s*+(?:<!--(.*?)-->)?\s*+$"
)
_ATTR_RE = re.compile(r"([^\s=<>\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>]+))")
_LABEL_RE = re.compile(
    r"^(GOOD|BAD|OK)(?:\s*+\[#([^\]\s]++)\]|\s++#([^\s:,]++))?+\s*+(?:[:,]\s*+(.*))?$",
    re.DOTALL,
)


@dataclass(slots=True)
class MessageBlocks:
    """What a fence holds: the messages, labelled answers and whether it had a comparison."""

    messages: list[Message] = field(default_factory=list)
    answers: list[LabelledAnswer] = field(default_factory=list)
    has_comparison: bool = False
    stray_emphasis: list[StrayEmphasis] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    """Where the parser stands between messages."""

    comparison_at: int | None = None
    """Index into the lines of the open ``<comparison>``, if any."""
    after: int = 0
    """How many messages precede the open comparison."""
    gap: bool = False
    """A ``[...]`` stands between the last message and the next."""


def parse_conversation(lines: list[str], first_line: int, file: str) -> MessageBlocks:
    """Parse a conversation block; ``first_line`` is the 1-based line number of ``lines[0]``."""
    cursor = Cursor(lines, first_line, file)
    result = MessageBlocks()
    state = _State()
    while cursor.index < len(lines):
        cursor.unemphasise()  # `*<comparison>` between messages: read the bare tag
        line = lines[cursor.index]
        stripped = line.strip()
        if stripped in ("<comparison>", "</comparison>"):
            _comparison_tag(cursor, line, state, result)
        elif stripped and stripped != "[...]":
            after = None if state.comparison_at is None else state.after
            _message(cursor, _header(cursor, line), result, state.gap, after)
            state.gap = False
            continue  # _message leaves the cursor after the message
        else:
            state.gap = state.gap or stripped == "[...]"
        cursor.index += 1
    if state.comparison_at is not None:
        raise cursor.error(
            "unclosed <comparison>", "add </comparison> after the answers", state.comparison_at
        )
    _normalise_after(result)
    result.stray_emphasis = cursor.stray
    return result


def _comparison_tag(cursor: Cursor, line: str, state: _State, result: MessageBlocks) -> None:
    if line.strip() == "</comparison>":
        if state.comparison_at is None:
            raise cursor.error(
                "</comparison> without <comparison>", "remove the stray tag", column=indent(line)
            )
        state.comparison_at = None
        return
    if state.comparison_at is not None:
        raise cursor.error(
            "nested <comparison>", "close the open comparison first", column=indent(line)
        )
    state.comparison_at, state.after = cursor.index, len(result.messages)
    result.has_comparison = True


def _normalise_after(result: MessageBlocks) -> None:
    # A comparison after every message is the common case: leave `after` unset for it.
    total = len(result.messages)
    for i, answer in enumerate(result.answers):
        if answer.after == total:
            result.answers[i] = answer.model_copy(update={"after": None})


def _header(cursor: Cursor, line: str) -> Header:
    match = _OPEN_RE.match(line)
    if match is None:
        raise _unexpected(cursor, line)
    attributes: dict[str, str] = {}
    for attr in _ATTR_RE.finditer(match.group(2)):
        value = next(v for v in attr.group(2, 3, 4) if v is not None)
        attributes[attr.group(1)] = decode(value)
    role = cast(Role, match.group(1))
    return Header(role, attributes, match.group(3), cursor.index, indent(line))


def _unexpected(cursor: Cursor, line: str) -> SpecError:
    column = indent(line)
    struct = STRUCT_RE.match(line)
    if struct is None:
        return cursor.error(
            f"unexpected text between messages: {line.strip()[:40]!r}",
            "message text belongs inside a tag such as <user>…</user>",
            column=column,
        )
    closing, name = struct.group(1), struct.group(2)
    if closing:
        return cursor.error(
            f"closing tag </{name}> without a matching opening tag",
            "check the tags above",
            column=column,
        )
    if name in ("untrusted", "settings"):
        return cursor.error(
            f"<{name}> outside a message", f"put <{name}> inside a message", column=column
        )
    return cursor.error(
        f"malformed <{name}> tag",
        'write attributes as name="value" and end the line after the tag (or a label comment)',
        column=column,
    )


def _message(
    cursor: Cursor, header: Header, result: MessageBlocks, gap: bool, after: int | None
) -> None:
    cursor.index += 1
    parts, settings = parse_body(cursor, header)
    message = Message(
        role=header.role,
        parts=tuple(parts),
        attributes=header.attributes,
        settings=settings,
        gap_before=gap,
        location=cursor.where(header.index, header.column),
    )
    if after is None:
        if header.comment is not None:
            raise cursor.error(
                "label comment outside a <comparison>",
                "wrap labelled answers in <comparison>…</comparison>",
                header.index,
                header.column,
            )
        result.messages.append(message)
        return
    result.answers.append(_answer(cursor, header, message, after))


def _answer(cursor: Cursor, header: Header, message: Message, after: int) -> LabelledAnswer:
    if header.role != "assistant":
        raise cursor.error(
            f"comparison answer is a <{header.role}> message",
            "answers in a <comparison> are <assistant> messages",
            header.index,
            header.column,
        )
    if header.comment is None:
        raise cursor.error(
            "comparison answer without a label",
            "add <!-- GOOD -->, <!-- BAD --> or <!-- OK --> after <assistant>",
            header.index,
            header.column,
        )
    label, reference, explanation = _label(cursor, header)
    return LabelledAnswer(
        label=label,
        message=message,
        explanation=explanation,
        reference=reference,
        after=after,
        location=message.location,
    )


def _label(cursor: Cursor, header: Header) -> tuple[Label, str | None, str | None]:
    comment = (header.comment or "").strip()
    match = _LABEL_RE.match(comment)
    if match is None:
        word = re.split(r"[\s:,\[#]", comment, maxsplit=1)[0]
        raise cursor.error(
            f"unknown label {word!r}" if word else "empty label comment",
            "labels are GOOD, BAD or OK, e.g. <!-- BAD[#section_id]: why -->",
            header.index,
            header.column,
        )
    label = cast(Label, match.group(1))
    reference = match.group(2) or match.group(3)
    explanation = (match.group(4) or "").rstrip() or None
    return label, reference, explanation
