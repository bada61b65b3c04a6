"""The position of the message-block parser in its lines, and the tag grammar it shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specwright._errors import SpecError
from specwright._model import Role, SourceLocation, StrayEmphasis

__all__ = ["ROLES", "STRUCT_RE", "Cursor", "Header", "indent"]

_EMPHASIS = "*_"

ROLES = ("system", "developer", "user", "assistant", "tool")
STRUCT_RE = re.compile(
    r"^\s*<(/?)(system|developer|user|assistant|tool|comparison|untrusted|settings)(?=[\s>/])"
)
"""A structural tag starting a line: a role, ``comparison``, ``untrusted`` or ``settings``."""


@dataclass(slots=True)
class Cursor:
    """The lines being parsed, where they start in ``file``, and the current index."""

    lines: list[str]
    first_line: int
    file: str
    index: int = 0
    stray: list[StrayEmphasis] = field(default_factory=list)
    """Tag lines read without the emphasis markers around them, in order."""

    def where(self, index: int | None = None, column: int = 1) -> SourceLocation:
        """The location of line ``index`` (default: the current line)."""
        line = self.first_line + (self.index if index is None else index)
        return SourceLocation(file=self.file, line=line, column=column)

    def unemphasise(self, index: int | None = None) -> str | None:
        """The tag on line ``index`` (default: current) when emphasis markers wrap it.

        ``*<comparison>`` or ``</assistant>*`` becomes the bare tag: the line is replaced
        and the repair recorded; ``None`` (nothing changed) for any other line.
        """
        at = self.index if index is None else index
        line = self.lines[at]
        stripped = line.strip()
        if stripped[:1] not in _EMPHASIS and stripped[-1:] not in _EMPHASIS:
            return None
        tag = stripped.lstrip(_EMPHASIS).rstrip(_EMPHASIS).strip()
        if tag == stripped or not tag.endswith(">") or STRUCT_RE.match(tag) is None:
            return None
        self.lines[at] = line[: indent(line) - 1] + tag
        where = self.where(at, indent(line))
        self.stray.append(StrayEmphasis(tag=tag, written=stripped, location=where))
        return tag

    def error(
        self, message: str, hint: str, index: int | None = None, column: int = 1
    ) -> SpecError:
        """A :class:`SpecError` at line ``index`` (default: the current line)."""
        where = self.where(index, column)
        return SpecError(message, file=where.file, line=where.line, column=where.column, hint=hint)


@dataclass(slots=True)
class Header:
    """An opening message tag: role, attributes, label comment and where it stands."""

    role: Role
    attributes: dict[str, str]
    comment: str | None
    index: int
    column: int


def indent(line: str) -> int:
    """The 1-based column of the first non-blank character of ``line``."""
    return len(line) - len(line.lstrip()) + 1
