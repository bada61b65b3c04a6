"""The position of the message-block parser in its lines, and the tag grammar it shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from specwright._errors import SpecError
from specwright._model import Role, SourceLocation

__all__ = ["ROLES", "STRUCT_RE", "Cursor", "Header", "indent"]

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

    def where(self, index: int | None = None, column: int = 1) -> SourceLocation:
        """The location of line ``index`` (default: the current line)."""
        line = self.first_line + (self.index if index is None else index)
        return SourceLocation(file=self.file, line=line, column=column)

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
