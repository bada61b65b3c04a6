"""ATX headings with an attribute block: ``## Title {#id authority=root tags=under_18}``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from specwright._errors import SpecError
from specwright._model import AUTHORITY_LEVELS, Authority

__all__ = ["Heading", "match_heading", "parse_heading", "slugify"]

_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATTRS_RE = re.compile(r"^(.*?)[ \t]*\{([^{}]*)\}$")
_CLOSING_RE = re.compile(r"(?:^|[ \t]+)#+$")
_SLUG_DROP_RE = re.compile(r"[^\w\- ]")

# `platform` is the name older releases of the Model Spec used for `root`.
_AUTHORITY_ALIASES: dict[str, Authority] = {level: level for level in AUTHORITY_LEVELS}
_AUTHORITY_ALIASES["platform"] = "root"


@dataclass(frozen=True, slots=True)
class Heading:
    """A parsed heading line."""

    depth: int
    title: str
    id: str | None
    authority: Authority | None
    tags: tuple[str, ...]
    column: int


def match_heading(line: str) -> re.Match[str] | None:
    """The heading match of ``line`` (ATX, levels 1–6), or ``None``."""
    if not line or line.lstrip(" ")[:1] != "#":
        return None
    return _HEADING_RE.match(line)


def slugify(title: str) -> str:
    """An id for a heading without ``{#id}``: lower case, words joined by ``_``."""
    words = _SLUG_DROP_RE.sub("", title.lower()).split()
    return "_".join(words)


@dataclass(slots=True)
class _Attrs:
    id: str | None = None
    authority: Authority | None = None
    tags: tuple[str, ...] = ()


def parse_heading(match: re.Match[str], file: str, line: int) -> Heading:
    """Turn a heading match into a :class:`Heading`; bad attributes raise ``SpecError``."""
    depth = len(match.group(1))
    text = match.group(2) or ""
    attrs = _Attrs()
    block = _ATTRS_RE.match(text)
    if block is not None and _is_attribute_block(block.group(2)):
        text = block.group(1)
        offset = match.start(2) + len(block.group(1)) + 2
        _read_attrs(block.group(2), attrs, file, line, offset)
    title = _CLOSING_RE.sub("", text).strip()
    return Heading(depth, title, attrs.id, attrs.authority, attrs.tags, match.start(1) + 1)


def _is_attribute_block(block: str) -> bool:
    # `{#id ...}` or `{key=value}`; plain braces such as `{placeholders}` belong to the title.
    stripped = block.strip()
    return stripped.startswith("#") or "=" in stripped


def _read_attrs(block: str, attrs: _Attrs, file: str, line: int, offset: int) -> None:
    for token in re.finditer(r"\S+", block):
        column = offset + token.start() + 1
        word = token.group(0)

        def fail(message: str, hint: str, column: int = column) -> SpecError:
            return SpecError(message, file=file, line=line, column=column, hint=hint)

        if word.startswith("#") and len(word) > 1 and attrs.id is None:
            attrs.id = word[1:]
            continue
        key, sep, value = word.partition("=")
        handler = _ATTR_HANDLERS.get(key) if sep else None
        if handler is None:
            raise fail(
                f"unknown heading attribute {word!r}",
                "heading attributes are #id, authority=LEVEL and tags=a,b",
            )
        handler(value.strip("\"'"), attrs, fail)


def _authority(value: str, attrs: _Attrs, fail: Callable[[str, str], SpecError]) -> None:
    level = _AUTHORITY_ALIASES.get(value)
    if level is None:
        raise fail(
            f"unknown authority {value!r}",
            "use one of root, system, developer, user, guideline (platform means root)",
        )
    attrs.authority = level


def _tags(value: str, attrs: _Attrs, fail: Callable[[str, str], SpecError]) -> None:
    tags = tuple(tag for tag in value.split(",") if tag)
    if not tags:
        raise fail("empty tags attribute", "write tags=a,b or drop the attribute")
    attrs.tags = attrs.tags + tags


_ATTR_HANDLERS: dict[str, Callable[[str, _Attrs, Callable[[str, str], SpecError]], None]] = {
    "authority": _authority,
    "tags": _tags,
}
"""Heading attribute name → handler; add a dialect attribute by adding an entry."""
