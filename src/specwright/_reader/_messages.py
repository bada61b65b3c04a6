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
    Attachment,
    Label,
    LabelledAnswer,
    Message,
    Part,
    Role,
    SettingValue,
    SourceLocation,
    TextPart,
    UntrustedPart,
)
from specwright._reader._lines import Fence, closes_fence, decode, open_fence
from specwright._reader._settings import parse_setting_line

__all__ = ["Conversation", "parse_conversation"]

_ROLES = ("system", "developer", "user", "assistant", "tool")
_STRUCT_RE = re.compile(
    r"^\s*<(/?)(system|developer|user|assistant|tool|comparison|untrusted|settings)(?=[\s>/])"
)
_OPEN_RE = re.compile(
    r"^\s*<(system|developer|user|assistant|tool)"
    r"((?:\s+[^\s=<>\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>]+))*)"
    r"\s*>\s*(?:<!--(.*?)-->)?\s*$"
)
_ATTR_RE = re.compile(r"([^\s=<>\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>]+))")
_LABEL_RE = re.compile(
    r"^(GOOD|BAD|OK)(?:\s*\[#([^\]\s]+)\]|\s+#([^\s:,]+))?\s*(?:[:,]\s*(.*?))?\s*$", re.DOTALL
)
_ATTACHMENT_RE = re.compile(r"^\[(file|image|audio|video):[ \t]*([^\[\]]*?)[ \t]*\]$")
_SETTINGS_ROLES = ("system", "developer")


@dataclass(slots=True)
class Conversation:
    """What a fence holds: the messages, labelled answers and whether it had a comparison."""

    messages: list[Message] = field(default_factory=list)
    answers: list[LabelledAnswer] = field(default_factory=list)
    has_comparison: bool = False


@dataclass(slots=True)
class _Cursor:
    lines: list[str]
    first_line: int
    file: str
    index: int = 0

    def where(self, index: int | None = None, column: int = 1) -> SourceLocation:
        line = self.first_line + (self.index if index is None else index)
        return SourceLocation(file=self.file, line=line, column=column)

    def error(
        self, message: str, hint: str, index: int | None = None, column: int = 1
    ) -> SpecError:
        where = self.where(index, column)
        return SpecError(message, file=where.file, line=where.line, column=where.column, hint=hint)


@dataclass(slots=True)
class _Header:
    role: Role
    attributes: dict[str, str]
    comment: str | None
    index: int
    column: int


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) + 1


def parse_conversation(lines: list[str], first_line: int, file: str) -> Conversation:
    """Parse a conversation block; ``first_line`` is the 1-based line number of ``lines[0]``."""
    cursor = _Cursor(lines, first_line, file)
    result = Conversation()
    comparison_at: int | None = None  # index into lines of the open <comparison>
    after = 0
    gap = False
    while cursor.index < len(lines):
        line = lines[cursor.index]
        stripped = line.strip()
        if not stripped:
            cursor.index += 1
        elif stripped == "[...]":
            gap = True
            cursor.index += 1
        elif stripped == "<comparison>":
            if comparison_at is not None:
                raise cursor.error(
                    "nested <comparison>", "close the open comparison first", column=_indent(line)
                )
            comparison_at, after = cursor.index, len(result.messages)
            result.has_comparison = True
            cursor.index += 1
        elif stripped == "</comparison>":
            if comparison_at is None:
                raise cursor.error(
                    "</comparison> without <comparison>",
                    "remove the stray tag",
                    column=_indent(line),
                )
            comparison_at = None
            cursor.index += 1
        else:
            header = _header(cursor, line)
            _message(cursor, header, result, gap, None if comparison_at is None else after)
            gap = False
    if comparison_at is not None:
        raise cursor.error(
            "unclosed <comparison>", "add </comparison> after the answers", comparison_at
        )
    _normalise_after(result)
    return result


def _normalise_after(result: Conversation) -> None:
    # A comparison after every message is the common case: leave `after` unset for it.
    total = len(result.messages)
    for i, answer in enumerate(result.answers):
        if answer.after == total:
            result.answers[i] = answer.model_copy(update={"after": None})


def _header(cursor: _Cursor, line: str) -> _Header:
    match = _OPEN_RE.match(line)
    if match is None:
        raise _unexpected(cursor, line)
    attributes: dict[str, str] = {}
    for attr in _ATTR_RE.finditer(match.group(2)):
        value = next(v for v in attr.group(2, 3, 4) if v is not None)
        attributes[attr.group(1)] = decode(value)
    role = cast(Role, match.group(1))
    return _Header(role, attributes, match.group(3), cursor.index, _indent(line))


def _unexpected(cursor: _Cursor, line: str) -> SpecError:
    column = _indent(line)
    struct = _STRUCT_RE.match(line)
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
    cursor: _Cursor, header: _Header, result: Conversation, gap: bool, after: int | None
) -> None:
    cursor.index += 1
    parts, settings = _body(cursor, header)
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


def _answer(cursor: _Cursor, header: _Header, message: Message, after: int) -> LabelledAnswer:
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


def _label(cursor: _Cursor, header: _Header) -> tuple[Label, str | None, str | None]:
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
    explanation = match.group(4) or None
    return label, reference, explanation


def _body(cursor: _Cursor, header: _Header) -> tuple[list[Part], dict[str, SettingValue]]:
    closing = f"</{header.role}>"
    parts: list[Part] = []
    settings: dict[str, SettingValue] = {}
    text: list[str] = []
    fence: Fence | None = None
    lines = cursor.lines
    while cursor.index < len(lines):
        line = lines[cursor.index]
        stripped = line.strip()
        if stripped == closing:
            _flush(text, parts)
            cursor.index += 1
            return parts, settings
        if fence is not None:
            if closes_fence(line, fence):
                fence = None
            text.append(line)
        elif (opened := open_fence(line)) is not None:
            fence = opened
            text.append(line)
        elif stripped[:1] == "<" and _STRUCT_RE.match(line):
            _flush(text, parts)
            _structure(cursor, header, line, parts, settings)
            continue
        elif stripped[:1] == "[" and (attachment := _ATTACHMENT_RE.match(stripped)):
            _flush(text, parts)
            parts.append(Attachment(media=attachment.group(1), name=attachment.group(2)))
        else:
            text.append(line)
        cursor.index += 1
    raise cursor.error(
        f"unclosed <{header.role}> message",
        f"add {closing} on a line of its own",
        header.index,
        header.column,
    )


def _structure(
    cursor: _Cursor,
    header: _Header,
    line: str,
    parts: list[Part],
    settings: dict[str, SettingValue],
) -> None:
    stripped = line.strip()
    if stripped == "<untrusted>":
        parts.append(UntrustedPart(text=_untrusted(cursor, header)))
        return
    if stripped == "<settings>":
        if header.role not in _SETTINGS_ROLES:
            raise cursor.error(
                f"<settings> inside a <{header.role}> message",
                "settings belong in a <system> or <developer> message",
                column=_indent(line),
            )
        settings.update(_settings(cursor, header))
        return
    raise _inside_error(cursor, header, line)


def _inside_error(cursor: _Cursor, header: _Header, line: str) -> SpecError:
    struct = _STRUCT_RE.match(line)
    assert struct is not None  # callers matched it already
    closing, name = struct.group(1), struct.group(2)
    opened_at = cursor.where(header.index, header.column)
    if closing and name in _ROLES:
        return cursor.error(
            f"mismatched closing tag </{name}> inside <{header.role}> (opened at line "
            f"{opened_at.line})",
            f"close the message with </{header.role}>",
            column=_indent(line),
        )
    if closing and name in ("untrusted", "settings"):
        return cursor.error(
            f"closing tag </{name}> without a matching <{name}>",
            "remove the stray tag, or escape it as &lt;",
            column=_indent(line),
        )
    return cursor.error(
        f"unclosed <{header.role}> message (opened at line {opened_at.line}) before "
        f"{_stripped_tag(line)}",
        f"add </{header.role}> before this line, or escape it as &lt;",
        column=_indent(line),
    )


def _stripped_tag(line: str) -> str:
    """The tag at the start of ``line``, for messages."""
    stripped = line.strip()
    end = stripped.find(">")
    return stripped if end < 0 else stripped[: end + 1]


def _untrusted(cursor: _Cursor, header: _Header) -> str:
    start = cursor.index
    cursor.index += 1
    closing = f"</{header.role}>"
    lines: list[str] = []
    while cursor.index < len(cursor.lines):
        stripped = cursor.lines[cursor.index].strip()
        cursor.index += 1
        if stripped == "</untrusted>":
            return decode(_trim(lines))
        if stripped == closing:
            break
        lines.append(cursor.lines[cursor.index - 1])
    raise cursor.error(
        "unclosed <untrusted> block", "add </untrusted> before the message ends", start
    )


def _settings(cursor: _Cursor, header: _Header) -> dict[str, SettingValue]:
    start = cursor.index
    cursor.index += 1
    closing = f"</{header.role}>"
    values: dict[str, SettingValue] = {}
    while cursor.index < len(cursor.lines):
        line = cursor.lines[cursor.index]
        stripped = line.strip()
        if stripped == "</settings>":
            cursor.index += 1
            return values
        if stripped == closing:
            break
        if stripped and not stripped.startswith("#"):
            parsed = parse_setting_line(stripped)
            if parsed is None:
                raise cursor.error(
                    f"malformed setting {stripped[:40]!r}",
                    "write settings as `key: value` lines",
                    column=_indent(line),
                )
            values[parsed[0]] = parsed[1]
        cursor.index += 1
    raise cursor.error(
        "unclosed <settings> block", "add </settings> before the message ends", start
    )


def _trim(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _flush(text: list[str], parts: list[Part]) -> None:
    if not text:
        return
    chunk = _trim(text)
    text.clear()
    if chunk:
        parts.append(TextPart(text=decode(chunk)))
