"""Line-level helpers shared by the reader: fences, code spans, inline links and footnote tags."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from specwright._model import CrossReference, SourceLocation

__all__ = [
    "Fence",
    "InlineFinds",
    "closes_fence",
    "decode",
    "open_fence",
    "scan_inline",
    "split_lines",
    "trim",
]

# CommonMark fences: three or more backticks or tildes. Indentation is accepted at any depth
# because fences inside list items (and inside messages) are indented in real specs.
_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\(#([^()\s]+)\)")
_TAG_RE = re.compile(r"\[\^([^\[\]\s]+)\]")
_BACKTICKS_RE = re.compile(r"`+")
_LONG_DECIMAL_REF = re.compile(r"&#([0-9]{8,})(;?)")


@dataclass(frozen=True, slots=True)
class Fence:
    """An open code fence: its character run (e.g. ``~~~``) and info string."""

    marker: str
    info: str


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines without their line ends (``\\r\\n`` tolerated)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def open_fence(line: str) -> Fence | None:
    """The fence ``line`` opens, or ``None`` when it is no fence line."""
    if "```" not in line and "~~~" not in line:
        return None
    match = _FENCE_RE.match(line)
    if match is None:
        return None
    marker, info = match.group(1), match.group(2).strip()
    if marker[0] == "`" and "`" in info:
        return None  # CommonMark: a backtick fence's info string holds no backtick
    return Fence(marker, info)


def closes_fence(line: str, fence: Fence) -> bool:
    """True when ``line`` closes ``fence``: same character, at least as long, nothing after."""
    stripped = line.strip()
    if not stripped.startswith(fence.marker):
        return False
    return stripped == fence.marker[0] * len(stripped)


def decode(text: str) -> str:
    """Decode HTML entities (``&lt;``, ``&amp;`` …) in message text.

    Decimal references are bounded first: ``html.unescape`` converts the digits with ``int``,
    which refuses more than 4,300 of them (a ``ValueError``). A reference whose value, leading
    zeros aside, has more than seven digits lies beyond U+10FFFF, which ``html.unescape``
    writes as U+FFFD; it is written so here without converting it.
    """
    if "&" not in text:
        return text
    if "&#" in text:
        text = _LONG_DECIMAL_REF.sub(_bounded_reference, text)
    return html.unescape(text)


def _bounded_reference(match: re.Match[str]) -> str:
    digits = match.group(1).lstrip("0")
    if len(digits) > 7:
        return "\ufffd"
    return f"&#{digits or '0'}{match.group(2)}"


@dataclass(slots=True)
class InlineFinds:
    """Cross references and footnote tags found in a section's own markdown."""

    references: list[CrossReference]
    tags: list[str]


def trim(lines: list[str]) -> str:
    """Join ``lines`` without leading and trailing blank lines."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _mask_code_spans(line: str) -> str:
    # Links and tags inside `code` are examples, not links: blank them, keeping columns.
    chars = list(line)
    for start, end in _code_spans(line):
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _code_spans(line: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each CommonMark code span: a backtick run up to the next run of
    the same length. One pass over the runs (a regex with a back reference is cubic on a
    line of backticks)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(line)]
    later: dict[int, list[int]] = {}  # run length -> indices of runs, last first
    for index in range(len(runs) - 1, -1, -1):
        start, end = runs[index]
        later.setdefault(end - start, []).append(index)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = later[end - start]
        while same and same[-1] <= index:
            same.pop()
        if not same:
            index += 1  # no closing run of this length: the backticks are literal
            continue
        closing = same.pop()
        spans.append((start, runs[closing][1]))
        index = closing + 1
    return spans


def scan_inline(
    line: str, number: int, file: str, section_id: str | None, finds: InlineFinds
) -> None:
    """Record ``[text](#id)`` references and ``[^tag]`` footnote tags that ``line`` holds."""
    has_link, has_tag = "](#" in line, "[^" in line
    if not (has_link or has_tag):
        return
    if "`" in line:
        line = _mask_code_spans(line)
    if has_link:
        for match in _LINK_RE.finditer(line):
            where = SourceLocation(file=file, line=number, column=match.start() + 1)
            finds.references.append(
                CrossReference(
                    target=match.group(2),
                    text=match.group(1),
                    source_section=section_id,
                    location=where,
                )
            )
    if has_tag:
        for match in _TAG_RE.finditer(line):
            if match.group(1) not in finds.tags:
                finds.tags.append(match.group(1))
