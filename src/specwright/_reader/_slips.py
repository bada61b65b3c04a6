"""Lines that read as valid markdown but look like a mistyped construct of the dialect.

A one-character slip rarely breaks a spec outright: ``##Answer`` is a paragraph, not a heading,
so its section silently merges into the one before; ``{#id authority=root`` without its ``}``
stays in the title, and the section inherits its parent's authority. The reader accepts such
lines as CommonMark does and describes each here; lint reports them (``structure-slip``).
Each check looks at one line with string tests and bounded regexes, so the scan stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from specwright._reader._headings import Heading, HeadingMatch

__all__ = ["heading_slip", "prose_fence_slip", "prose_slip"]

_NO_SPACE_RE = re.compile(r" {0,3}(#{1,6})[^#\s]")
_TOO_DEEP_RE = re.compile(r" {0,3}#{7,}(?:\s|$)")
_ATTRS_IN_TEXT_RE = re.compile(r"\{\s*+#|\b(?:authority|tags)\s*+=|#[\w-]++\s*+\}")
_ID_RE = re.compile(r"[\w.:-]++")
_TAG_LINE_RE = re.compile(r"\s{0,3}</?(?:system|developer|user|assistant|tool|comparison)\b")
_ADMONITION_NEAR_RE = re.compile(r"!{1,5}\s*+[\w-]++(?:\s++\"[^\"]*+\")?+\s*+$")
_EXAMPLE_NEAR_RE = re.compile(r"\*{0,3}\s*+([A-Za-z]{5,9})\s*+\*{0,3}\s*+:?\*{0,3}(?:\s|$)")
_STRUCTURE_START = frozenset("#{}=")


def heading_slip(match: HeadingMatch, heading: Heading) -> str | None:
    """What looks mistyped in a heading line, or ``None``."""
    text = heading.title
    if match.column > 1:
        return "heading indented: write its # marks at the start of the line"
    if match.text_start > len(match.marks) + 1:
        return "more than one space after the heading's # marks"
    if text[:1] in _STRUCTURE_START:
        return f"heading text starts with {text[0]!r}: a mark or brace out of place?"
    if _ATTRS_IN_TEXT_RE.search(text) or text[-1:] in _STRUCTURE_START:
        return (
            "heading text holds a malformed attribute block (write {#id authority=LEVEL} "
            "last on the line, closed by '}')"
        )
    if heading.id is not None and _ID_RE.fullmatch(heading.id) is None:
        return f"section id {heading.id!r} holds characters an anchor cannot carry"
    return None


def prose_slip(line: str) -> str | None:
    """What looks like a mistyped heading, admonition or example label in a text line."""
    if not line or line[:4].isspace():
        return None  # indented code, or blank
    check = _LINE_CHECKS.get(line.lstrip(" ")[:1])
    found = check(line) if check is not None else None
    if found is None and line.rstrip().endswith("}") and _ends_in_attributes(line.rstrip()):
        found = "text ending in a heading attribute block: a heading without its # marks?"
    return found


def _marks_slip(line: str) -> str | None:
    if _NO_SPACE_RE.match(line):
        return "no space after the # marks: read as text, not as a heading"
    if _TOO_DEEP_RE.match(line):
        return "more than six # marks: read as text, not as a heading"
    return None


def _admonition_slip(line: str) -> str | None:
    if not line.startswith("!!! ") and _ADMONITION_NEAR_RE.match(line):
        return 'looks like an admonition: write it as !!! TYPE "Title"'
    return None


def _tag_slip(line: str) -> str | None:
    if _TAG_LINE_RE.match(line):
        return "a message tag outside an example's ~~~xml fence"
    return None


def prose_fence_slip(info: str, first_line: str) -> str | None:
    """A fence in prose that holds a conversation: an example without its label."""
    if info.split()[:1] == ["xml"] or _TAG_LINE_RE.match(first_line):
        return "a conversation fence that no **Example**: line introduces is read as plain text"
    return None


def _ends_in_attributes(line: str) -> bool:
    brace = line.rfind("{")
    if brace < 0:
        return False
    block = line[brace + 1 : -1].strip()
    return block.startswith("#") or "authority=" in block or "tags=" in block


def _example_label_slip(line: str) -> str | None:
    match = _EXAMPLE_NEAR_RE.match(line)
    if match is None:
        return None
    word = match.group(1)
    if word == "Example" and line.startswith("**Example"):
        return "an **Example**: label without a ~~~xml conversation after it, read as text"
    if _near(word.lower(), "example"):
        return "looks like an example label: write it as **Example**: title"
    return None


def _near(word: str, target: str) -> bool:
    """Within one deletion, insertion, substitution or swap of ``target``."""
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diffs) <= 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and word[diffs[0]] == target[diffs[1]]
        )
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


_LINE_CHECKS: dict[str, Callable[[str], str | None]] = {
    "#": _marks_slip,
    "!": _admonition_slip,
    "*": _example_label_slip,
    "<": _tag_slip,
}
"""The first character of a text line → the check for what it may have been meant as."""
