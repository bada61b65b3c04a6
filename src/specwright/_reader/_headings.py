"""ATX headings with an attribute block: ``## Title {#id authority=root tags=under_18}``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from specwright._errors import SpecError
from specwright._model import AUTHORITY_LEVELS, Authority

__all__ = ["Heading", "HeadingMatch", "match_heading", "parse_heading", "slugify"]

# Only the opening marks are matched by a regex; trimming the rest is done with str methods,
# since a lazy group before `[ \t]*$` is quadratic on a title padded with spaces.
_HEADING_RE = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
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


@dataclass(frozen=True, slots=True)
class HeadingMatch:
    """A heading line split into its marks and its text (trimmed, attributes still on)."""

    marks: str
    column: int
    text: str
    text_start: int


def match_heading(line: str) -> HeadingMatch | None:
    """The heading ``line`` holds (ATX, levels 1–6), or ``None``."""
    if not line or line.lstrip(" ")[:1] != "#":
        return None
    match = _HEADING_RE.match(line)
    if match is None:
        return None
    rest = line[match.end() :]
    text = rest.strip(" \t")
    start = match.end() + len(rest) - len(rest.lstrip(" \t"))
    return HeadingMatch(match.group(1), match.start(1) + 1, text, start)


def slugify(title: str) -> str:
    """An id for a heading without ``{#id}``: lower case, words joined by ``_``."""
    words = _SLUG_DROP_RE.sub("", title.lower()).split()
    return "_".join(words)


@dataclass(slots=True)
class _Attrs:
    id: str | None = None
    authority: Authority | None = None
    tags: tuple[str, ...] = ()


def parse_heading(match: HeadingMatch, file: str, line: int) -> Heading:
    """Turn a heading match into a :class:`Heading`; bad attributes raise ``SpecError``."""
    text = match.text
    attrs = _Attrs()
    brace = _attribute_brace(text)
    if brace is not None:
        _read_attrs(text[brace + 1 : -1], attrs, file, line, match.text_start + brace + 1)
        text = text[:brace].rstrip(" \t")
    title = _without_closing_marks(text).strip()
    return Heading(len(match.marks), title, attrs.id, attrs.authority, attrs.tags, match.column)


def _attribute_brace(text: str) -> int | None:
    """Where a trailing ``{…}`` attribute block opens in ``text``, if it ends with one."""
    if not text.endswith("}"):
        return None
    brace = text.rfind("{")
    if brace < 0 or "}" in text[brace + 1 : -1] or not _is_attribute_block(text[brace + 1 : -1]):
        return None
    return brace


def _without_closing_marks(text: str) -> str:
    # An optional closing sequence (`## Title ##`) is marks after a space, or the whole text.
    kept = text.rstrip("#")
    if kept != text and (not kept or kept[-1] in " \t"):
        return kept
    return text


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
