"""The body of one message: text, code fences, ``<untrusted>``, ``<settings>``, attachments."""

from __future__ import annotations

import re

from specwright._errors import SpecError
from specwright._model import Attachment, Part, SettingValue, TextPart, UntrustedPart
from specwright._reader._cursor import ROLES, STRUCT_RE, Cursor, Header, indent
from specwright._reader._lines import Fence, closes_fence, decode, open_fence, trim
from specwright._reader._settings import SettingError, parse_setting_line

__all__ = ["parse_body"]

# The name is trimmed with str.strip: a lazy group before `[ \t]*` is quadratic on spaces.
_ATTACHMENT_RE = re.compile(r"^\[(file|image|audio|video):([^\[\]]*+)\]$")
_SETTINGSROLES = ("system", "developer")


def parse_body(cursor: Cursor, header: Header) -> tuple[list[Part], dict[str, SettingValue]]:
    """Read the message opened by ``header`` up to its closing tag; leave the cursor after it."""
    closing = f"</{header.role}>"
    parts: list[Part] = []
    settings: dict[str, SettingValue] = {}
    text: list[str] = []
    fence: Fence | None = None
    lines = cursor.lines
    while cursor.index < len(lines):
        line = lines[cursor.index]
        stripped = line.strip()
        if stripped == closing or (fence is None and _closes_emphasised(cursor, closing)):
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
        elif stripped[:1] == "<" and STRUCT_RE.match(line):
            _flush(text, parts)
            _structure(cursor, header, line, parts, settings)
            continue
        elif stripped[:1] == "[" and (attachment := _ATTACHMENT_RE.match(stripped)):
            _flush(text, parts)
            name = attachment.group(2).strip(" \t")
            parts.append(Attachment(media=attachment.group(1), name=name))
        else:
            text.append(line)
        cursor.index += 1
    raise cursor.error(
        f"unclosed <{header.role}> message",
        f"add {closing} on a line of its own",
        header.index,
        header.column,
    )


def _closes_emphasised(cursor: Cursor, closing: str) -> bool:
    # `</assistant>*`: the closing tag with emphasis markers around it (published specs have
    # these); other emphasised lines stay text.
    line = cursor.lines[cursor.index]
    if line.strip().lstrip("*_").rstrip("*_").strip() != closing:
        return False
    return cursor.unemphasise() == closing


def _structure(
    cursor: Cursor,
    header: Header,
    line: str,
    parts: list[Part],
    settings: dict[str, SettingValue],
) -> None:
    stripped = line.strip()
    if stripped == "<untrusted>":
        parts.append(UntrustedPart(text=_untrusted(cursor, header)))
        return
    if stripped == "<settings>":
        if header.role not in _SETTINGSROLES:
            raise cursor.error(
                f"<settings> inside a <{header.role}> message",
                "settings belong in a <system> or <developer> message",
                column=indent(line),
            )
        settings.update(_settings(cursor, header))
        return
    raise _inside_error(cursor, header, line)


def _inside_error(cursor: Cursor, header: Header, line: str) -> SpecError:
    struct = STRUCT_RE.match(line)
    assert struct is not None  # callers matched it already
    closing, name = struct.group(1), struct.group(2)
    opened_at = cursor.where(header.index, header.column)
    if closing and name in ROLES:
        return cursor.error(
            f"mismatched closing tag </{name}> inside <{header.role}> (opened at line "
            f"{opened_at.line})",
            f"close the message with </{header.role}>",
            column=indent(line),
        )
    if closing and name in ("untrusted", "settings"):
        return cursor.error(
            f"closing tag </{name}> without a matching <{name}>",
            "remove the stray tag, or escape it as &lt;",
            column=indent(line),
        )
    return cursor.error(
        f"unclosed <{header.role}> message (opened at line {opened_at.line}) before "
        f"{_stripped_tag(line)}",
        f"add </{header.role}> before this line, or escape it as &lt;",
        column=indent(line),
    )


def _stripped_tag(line: str) -> str:
    """The tag at the start of ``line``, for messages."""
    stripped = line.strip()
    end = stripped.find(">")
    return stripped if end < 0 else stripped[: end + 1]


def _untrusted(cursor: Cursor, header: Header) -> str:
    start = cursor.index
    cursor.index += 1
    closing = f"</{header.role}>"
    lines: list[str] = []
    while cursor.index < len(cursor.lines):
        stripped = cursor.lines[cursor.index].strip()
        cursor.index += 1
        if stripped == "</untrusted>":
            return decode(trim(lines))
        if stripped == closing:
            break
        lines.append(cursor.lines[cursor.index - 1])
    raise cursor.error(
        "unclosed <untrusted> block", "add </untrusted> before the message ends", start
    )


def _settings(cursor: Cursor, header: Header) -> dict[str, SettingValue]:
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
            try:
                parsed = parse_setting_line(stripped)
            except SettingError as error:
                raise cursor.error(
                    f"unusable setting value: {error}",
                    "write a shorter number, or quote the value to keep it as text",
                    column=indent(line),
                ) from None
            if parsed is None:
                raise cursor.error(
                    f"malformed setting {stripped[:40]!r}",
                    "write settings as `key: value` lines",
                    column=indent(line),
                )
            values[parsed[0]] = parsed[1]
        cursor.index += 1
    raise cursor.error(
        "unclosed <settings> block", "add </settings> before the message ends", start
    )


def _flush(text: list[str], parts: list[Part]) -> None:
    if not text:
        return
    chunk = trim(text)
    text.clear()
    if chunk:
        parts.append(TextPart(text=decode(chunk)))
