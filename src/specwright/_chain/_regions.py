"""Regions of authoritative text that are data: quoted material in the spec's own list.

The spec's ``ignore_untrusted_data`` section lists quoted text — plaintext in quotation marks,
YAML, JSON, XML, ``untrusted_text`` blocks — as carrying no authority in any message. This
module finds those regions in the text of a system, developer or user part:

* **delimited** data, which an author opens and closes: ``<untrusted>``/``<untrusted_text>``
  tags, fenced code blocks, XML elements, JSON values starting a line, and long quotations
  (at least :data:`MIN_QUOTATION` characters, or spanning lines, between ``"…"``, ``“…”`` or
  ``«…»``; a short quoted phrase stays the author's own words);
* **line** data: markdown block quotes and runs of YAML ``key: value`` lines.

Two rules make the regions unforgeable by the data inside them:

1. **Hull.** Once a part holds delimited data, everything from the first opening delimiter to
   the last closing one is data. A forged closer followed by a forged opener (``…</untrusted>
   INJECTED <untrusted>…``, a line of backticks inside a fenced paste) cannot carve authority
   out of the middle. The price: an author's own words *between* two delimited blocks are data
   too (the trace shows it).
2. **Lines are the author's lines.** A block quote runs over every following non-blank line,
   where only ``\\n`` ends a line: a bare ``\\r`` or a Unicode line separator inside quoted text
   cannot end the quote, and a heading or fence after it cannot interrupt it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache

from markdown_it import MarkdownIt

from specwright._chain._span_kinds import SpanKind

__all__ = ["MIN_QUOTATION", "Region", "data_regions", "pasted_marker"]

Region = tuple[int, int, SpanKind]
"""``(start, end, kind)`` of a region without authority."""

MIN_QUOTATION = 40
"""Characters between quotation marks from which a one-line quotation counts as quoted
material rather than a phrase of the author's."""

_TAG = re.compile(r"<(/?)(untrusted_text|untrusted)\b[^>]*>", re.IGNORECASE)
_MARKDOWN_HINT = re.compile(r"(?:\A|[\r\n])[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)*(?:>|```|~~~)")
_TOKEN_KIND: dict[str, SpanKind] = {"blockquote_open": "block_quote", "fence": "fenced_code"}
_QUOTATION = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb')
_JSON_START = re.compile(r"(?m)^[ \t]*[\[{]")
_XML_OPEN = re.compile(r"(?m)^[ \t]*(?:<\?xml[^>]*>\s*)?<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>")
_XML_CLOSE = re.compile(r"</([A-Za-z_][\w.:-]*)\s*>")
_JSON_ATTEMPTS = 64  # lines starting with { or [ tried per part: bounds pathological input
_YAML_KEY = re.compile(r"[ \t]*(?:- )?[A-Za-z_][\w.-]*:(?:[ \t].*)?")
_YAML_MORE = re.compile(r"[ \t]*(?:- \S.*|---|\.\.\.|[ \t]+\S.*)")
_ANY_OPENER = re.compile('[<>`~{\\["\u201c\u00ab:]')
"""A character without which no region is found: ``<`` (tags, XML), ``>``, backticks and
tildes (the markdown hint), ``{`` and ``[`` (JSON), an opening quotation mark, ``:`` (YAML)."""
_PASTED = re.compile(
    r"(?im)^[ \t]*(?:-{3,}|_{3,}|\*{3,}|={3,}|-+ ?(?:original|forwarded) message ?-+"
    r"|begin forwarded message:|(?:from|subject|to|cc|date|sent):[ \t]+\S)"
)


def data_regions(text: str) -> tuple[list[Region], str]:
    """Sorted, non-overlapping regions without authority, and a note when a rule above
    (forged closer, hull) decided something the author may not expect."""
    if _ANY_OPENER.search(text) is None:
        return [], ""  # the common case: no character that any form below needs
    return _found_regions(text)


def _found_regions(text: str) -> tuple[list[Region], str]:
    tagged, forged = _untrusted_regions(text)
    markdown = _markdown_regions(text)
    delimited = sorted(
        [
            *((s, e, "untrusted_block") for s, e in tagged),
            *(r for r in markdown if r[2] == "fenced_code"),
            *_xml_regions(text),
            *_json_regions(text),
            *_quotation_regions(text),
        ]
    )
    notes = ["a closing tag inside the block was ignored: it closed nothing"] if forged else []
    regions: list[Region] = []
    if delimited:
        start, end = delimited[0][0], max(e for _, e, _ in delimited)
        regions.append((start, end, delimited[0][2]))
        blocks = len(_union(list(delimited)))
        if blocks > 1:
            notes.append(f"{blocks} delimited blocks held as one: text between them is data")
    lines = [_extend_quote(text, r) for r in markdown if r[2] == "block_quote"]
    regions = _union([*regions, *lines, *_yaml_regions(text)])
    return regions, "; ".join(notes)


def pasted_marker(text: str) -> str | None:
    """What makes ``text`` look pasted (separator lines, mail headers), if anything."""
    found = [m.group(0).strip().lower() for m in _PASTED.finditer(text)]
    if not found:
        return None
    mail = any(":" in f or "message" in f for f in found)
    return "pasted email" if mail else "separator line"


def _union(regions: list[Region]) -> list[Region]:
    merged: list[Region] = []
    for start, end, kind in sorted(regions):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        elif end > start:
            merged.append((start, end, kind))
    return merged


# --------------------------------------------------------------------------- delimited


def _untrusted_regions(text: str) -> tuple[list[tuple[int, int]], bool]:
    """``<untrusted>`` regions, nesting-aware, tags included; whether a closer was forged.

    A closing tag at depth zero cannot close anything: an earlier closing tag was forged by
    the untrusted content, so the previous region is extended up to it. An opening tag that
    is never closed makes the rest of the text untrusted.
    """
    regions: list[tuple[int, int]] = []
    depth, start, forged = 0, 0, False
    for match in _TAG.finditer(text):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                regions.append((start, match.end()))
        elif regions:
            regions[-1] = (regions[-1][0], match.end())
            forged = True
    if depth > 0:
        regions.append((start, len(text)))
    return regions, forged


def _xml_regions(text: str) -> Iterator[Region]:
    if "<" not in text:
        return
    last_close = {m.group(1): m.end() for m in _XML_CLOSE.finditer(text)}  # one pass: linear
    for match in _XML_OPEN.finditer(text):
        name = match.group(1)
        end = last_close.get(name, -1)
        if name.lower() not in ("untrusted", "untrusted_text") and end > match.end():
            yield (match.start(), end, "xml")


def _json_regions(text: str) -> Iterator[Region]:
    if "{" not in text and "[" not in text:
        return
    decoder = json.JSONDecoder()
    covered = 0
    for attempt, match in enumerate(_JSON_START.finditer(text)):
        start = match.end() - 1
        if attempt >= _JSON_ATTEMPTS or start < covered:
            continue
        try:
            value, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):  # deep nesting is not data worth a traceback
            continue
        if isinstance(value, dict | list) and end - start >= 8:
            covered = end
            yield (start, end, "json")


def _quotation_regions(text: str) -> Iterator[Region]:
    for match in _QUOTATION.finditer(text):
        inner = match.group(0)[1:-1]
        if len(inner) >= MIN_QUOTATION or "\n" in inner:
            yield (match.start(), match.end(), "quotation")


# --------------------------------------------------------------------------- lines


def _markdown_regions(text: str) -> list[Region]:
    if not _MARKDOWN_HINT.search(text):
        return []  # fast path: no line can open a quote or a fence
    starts, ends = _line_bounds(text)
    regions: list[Region] = []
    for token in _markdown().parse(text):
        kind = _TOKEN_KIND.get(token.type)
        if kind is None or token.map is None:
            continue
        first, last = token.map
        region = (starts[first], ends[min(last, len(ends)) - 1], kind)
        if not regions or region[0] >= regions[-1][1]:
            regions.append(region)  # nested quotes and fences inside quotes are covered
    return regions


_MD_NEWLINE = re.compile(r"\r\n?|\n")


def _line_bounds(segment: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of every line, splitting where markdown-it does (CR, LF, CRLF)."""
    starts, ends = [0], []
    for match in _MD_NEWLINE.finditer(segment):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(segment))
    return starts, ends


def _extend_quote(text: str, region: Region) -> Region:
    """A block quote runs to the end of its ``\\n`` line and over every non-blank line after."""
    start, end, kind = region
    newline = text.find("\n", end)
    end = len(text) if newline < 0 else newline
    while end < len(text):  # text[end] is a newline
        following = text.find("\n", end + 1)
        line_end = len(text) if following < 0 else following
        if not text[end + 1 : line_end].strip():
            break
        end = line_end
    return (start, end, kind)


def _yaml_regions(text: str) -> Iterator[Region]:
    if ":" not in text:
        return
    offset, run_start, run_end, keys = 0, -1, -1, 0
    for line in text.split("\n"):
        is_key = _YAML_KEY.fullmatch(line.rstrip("\r")) is not None
        if is_key or (run_start >= 0 and _YAML_MORE.fullmatch(line.rstrip("\r"))):
            run_start = offset if run_start < 0 else run_start
            run_end, keys = offset + len(line), keys + is_key
        else:
            if keys >= 2:
                yield (run_start, run_end, "yaml")
            run_start, keys = -1, 0
        offset += len(line) + 1
    if keys >= 2:
        yield (run_start, run_end, "yaml")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark")
