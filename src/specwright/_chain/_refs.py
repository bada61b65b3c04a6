"""References to candidate instructions, parsed once into types.

Callers write references as text (in delegations, annotations and conversation files):

* ``*`` — every candidate;
* ``section:*`` — every spec section; ``section:<id>`` — one section;
* ``message:*`` — every message span; ``message:<i>`` — every span of turn ``i``;
  ``message:<i>.<p>`` — every span of part ``p``; ``message:<i>.<p>:<start>-<end>`` — one span;
* ``tool:<name>`` — every output of the tool called ``name`` (delegation sources only).

:func:`parse_ref` turns the text into one of the :data:`Ref` types at the boundary (pydantic
fields typed :data:`RefField` do it on validation); the rest of the chain matches types, never
prefixes of strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, TypeAlias

from pydantic import BeforeValidator, PlainSerializer

__all__ = [
    "AnyRef",
    "MessageRef",
    "Ref",
    "RefField",
    "SectionRef",
    "ToolRef",
    "parse_ref",
]


@dataclass(frozen=True)
class AnyRef:
    """``*``: every candidate."""

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True)
class SectionRef:
    """``section:<id>``, or every section when ``section_id`` is ``None``."""

    section_id: str | None = None

    def __str__(self) -> str:
        return f"section:{self.section_id if self.section_id is not None else '*'}"


@dataclass(frozen=True)
class MessageRef:
    """A turn, a part of it, or one span; every message span when ``message`` is ``None``."""

    message: int | None = None
    part: int | None = None
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        if self.message is None:
            return "message:*"
        text = f"message:{self.message}"
        if self.part is not None:
            text += f".{self.part}"
        if self.start is not None:
            text += f":{self.start}-{self.end}"
        return text

    def names(self, message: int, part: int, start: int, end: int) -> bool:
        """Whether this reference names the span at these coordinates."""
        return (
            (self.message is None or self.message == message)
            and (self.part is None or self.part == part)
            and (self.start is None or (self.start, self.end) == (start, end))
        )


@dataclass(frozen=True)
class ToolRef:
    """``tool:<name>``: every output of that tool."""

    name: str

    def __str__(self) -> str:
        return f"tool:{self.name}"


Ref: TypeAlias = AnyRef | SectionRef | MessageRef | ToolRef
"""A parsed reference."""

_MESSAGE = re.compile(r"message:(\d+)(?:\.(\d+)(?::(\d+)-(\d+))?)?")


def parse_ref(text: object) -> Ref:
    """Parse a reference; ``ValueError`` naming the accepted forms otherwise."""
    if isinstance(text, AnyRef | SectionRef | MessageRef | ToolRef):
        return text
    if not isinstance(text, str):
        raise ValueError(f"a reference is a string, not {type(text).__name__}")
    if text == "*":
        return AnyRef()
    if text == "message:*":
        return MessageRef()
    kind, _, rest = text.partition(":")
    if kind == "section" and rest:
        return SectionRef(None if rest == "*" else rest)
    if kind == "tool":
        return ToolRef(rest)
    match = _MESSAGE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"not a reference: {text!r} (expected *, section:<id>, section:*, message:*, "
            "message:<i>[.<part>[:<start>-<end>]] or tool:<name>)"
        )
    message, part, start, end = (int(g) if g is not None else None for g in match.groups())
    return MessageRef(message, part, start, end)


RefField = Annotated[Ref, BeforeValidator(parse_ref), PlainSerializer(str, return_type=str)]
"""A pydantic field holding a :data:`Ref`: parsed from text, written back as text."""
