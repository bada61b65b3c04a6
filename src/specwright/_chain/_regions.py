"""Regions of authoritative text that are data: quoted material in the spec's own list.

The spec's ``ignore_untrusted_data`` section lists quoted text — plaintext in quotation marks,
YAML, JSON, XML, ``untrusted_text`` blocks — as carrying no authority in any message. This
module finds those regions in the text of a system, developer or user part, each form by a
bounded scanner that reads it the way its own grammar does, in one pass (time linear in the
text):

* **delimited** data, which an author opens and closes: ``<untrusted>``/``<untrusted_text>``
  tags, fenced code blocks, XML and HTML elements (inline or at a line start), JSON objects and
  arrays (``json`` decides what starts one; broken JSON counts), and quotations between
  ``"…"``, ``“…”`` or ``«…»`` (at least :data:`MIN_QUOTATION` characters or spanning lines);
* **line** data: markdown block quotes and YAML blocks (block structure by indentation, so a
  multi-line value, a ``|`` or ``>`` block scalar and a quoted value spread over lines are
  one block).

How far a region reaches is decided by the author's structure, never by markers inside it:

1. **Outermost pair.** A delimited region runs from the *first* opener of its form to the
   *last* closer of that form in the part: the first ``<untrusted>`` to the last
   ``</untrusted>``, the first fence line to the last closing fence line of the same
   character, an element's first start tag to its last end tag, the first JSON opener to the
   last bracket that can close it, the first quotation mark to the last. Markers inside the
   region are data: a forged closer cannot end it early, a forged opener cannot make the
   author's closer count as nested, and text planted inside can neither close nor reopen it.
   The price: an author's own words *between* two blocks of one form are data too.
2. **An opener without a closer opens nothing inside data.** An unclosed ``<untrusted>`` tag or
   fence written by the author runs to the end of the part; one that stands inside another
   region is that region's data and swallows nothing after it. A block quote's lazy
   continuation (over every following non-blank line) likewise applies only to a quote that
   starts outside delimited data.
3. **Lines are the author's lines.** A block quote runs over every following non-blank line,
   where only ``\\n`` ends a line: a bare ``\\r`` or a Unicode line separator inside quoted text
   cannot end the quote, and a heading or fence after it cannot interrupt it.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator

from specwright._chain._span_kinds import SpanKind

__all__ = ["MIN_QUOTATION", "Region", "data_regions", "pasted_marker"]

Region = tuple[int, int, SpanKind]
"""``(start, end, kind)`` of a region without authority."""

MIN_QUOTATION = 40
"""Characters between the first and the last quotation mark of one style from which quoted
text counts as quoted material rather than a phrase of the author's."""

_TAG = re.compile(r"<(/?)(untrusted_text|untrusted)\b[^<>]*>", re.IGNORECASE)
_LINE_START = r"(?:(?<=[\n\r])|\A)"
_LIST_MARKERS = r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*"
_FENCE = re.compile(_LINE_START + _LIST_MARKERS + r"(`{3,}|~{3,})([^\n\r]*)")
_QUOTE_LINE = re.compile(_LINE_START + _LIST_MARKERS + ">")
_XML_START = re.compile(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>")
_XML_END = re.compile(r"</([A-Za-z_][\w.:-]*)\s*>")
_JSON_OPEN = re.compile(r'\{[ \t\r\n]*"|\[[ \t\r\n]*[\[{"]')
_JSON_LINE = re.compile(r"(?m)^[ \t]*[\[{]")
_JSON_ATTEMPTS = 64  # line starts tried per part: the rest are covered or the search ended
_CLOSER = {"{": "}", "[": "]"}
_QUOTE_MARKS = (('"', '"'), ("\u201c", "\u201d"), ("\u00ab", "\u00bb"))
_YAML_KEY = re.compile(
    r"([ \t]*)(?:- )?(?:[A-Za-z_][\w.-]*|\"[^\"\n]*\"|'[^'\n]*')[ \t]*:(?:[ \t]+(.*))?"
)
_YAML_ITEM = re.compile(r"[ \t]*(?:- |\? |: |---|\.\.\.)")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?")
_ANY_OPENER = re.compile('[<>`~{\\["\u201c\u00ab:]')
"""A character without which no region is found: ``<`` (tags, XML), ``>`` (block quotes),
backticks and tildes (fences), ``{`` and ``[`` (JSON), an opening quotation mark, ``:``
(YAML)."""
_PASTED = re.compile(
    r"(?im)^[ \t]*(?:-{3,}|_{3,}|\*{3,}|={3,}|-+ ?(?:original|forwarded) message ?-+"
    r"|begin forwarded message:|(?:from|subject|to|cc|date|sent):[ \t]+\S)"
)
_FORGED = "a closing tag inside the block was ignored: it closed nothing"


def data_regions(text: str) -> tuple[list[Region], str]:
    """Sorted, non-overlapping regions without authority, and a note when a rule above
    (a forged closer held as data) decided something the author may not expect."""
    if _ANY_OPENER.search(text) is None:
        return [], ""  # the common case: no character that any form below needs
    return _found_regions(text)


def _found_regions(text: str) -> tuple[list[Region], str]:
    tagged, unclosed_tags, forged = _untrusted_regions(text)
    fenced, unclosed_fences = _fence_regions(text)
    delimited = _union(
        [*tagged, *fenced, *_xml_regions(text), *_json_regions(text), *_quotation_regions(text)]
    )
    lines = [*_block_quote_regions(text, delimited), *_yaml_regions(text)]
    regions = _union([*delimited, *lines])
    unclosed: list[tuple[int, SpanKind]] = [(o, "untrusted_block") for o in unclosed_tags]
    unclosed += [(o, "fenced_code") for o in unclosed_fences]
    for start, kind in sorted(unclosed):
        if not _inside(regions, start):
            regions = _union([*regions, (start, len(text), kind)])
            break  # the rest of the part is data: later openers are inside it
    return regions, _FORGED if forged else ""


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


def _inside(regions: list[Region], offset: int) -> bool:
    """Whether ``offset`` lies in one of the sorted, disjoint ``regions``."""
    at = bisect.bisect_right(regions, offset, key=lambda region: region[0]) - 1
    return at >= 0 and regions[at][0] <= offset < regions[at][1]


# --------------------------------------------------------------------------- delimited


def _untrusted_regions(text: str) -> tuple[list[Region], list[int], bool]:
    """The first ``<untrusted>`` opener to the last closer after it (tags included); the
    openers that no closer follows; whether the block holds more closers than openers (a
    closer forged by its content, held as data)."""
    if "<" not in text:
        return [], [], False
    tags = [(m.start(), m.end(), not m.group(1)) for m in _TAG.finditer(text)]
    first = next((t for t in tags if t[2]), None)
    if first is None:
        return [], [], False
    last = next((t for t in reversed(tags) if not t[2] and t[0] > first[0]), None)
    if last is None:
        return [], [t[0] for t in tags if t[2]], False
    inner = [t for t in tags if first[0] <= t[0] <= last[0]]
    forged = sum(not t[2] for t in inner) > sum(t[2] for t in inner)
    unclosed = [t[0] for t in tags if t[2] and t[0] > last[0]]
    return [(first[0], last[1], "untrusted_block")], unclosed, forged


def _fence_regions(text: str) -> tuple[list[Region], list[int]]:
    """Per fence character, the first fence line to the last closing fence line after it;
    the fence lines that no closing line follows. A closing fence line is one without
    an info string; a backtick fence's info string holds no backtick (CommonMark)."""
    if "``" not in text and "~~" not in text:
        return [], []
    lines: dict[str, list[tuple[int, int, bool]]] = {"`": [], "~": []}
    for match in _FENCE.finditer(text):
        fence, info = match.group(1), match.group(2)
        if fence[0] == "`" and "`" in info:
            continue  # inline code, not a fence
        lines[fence[0]].append((match.start(), match.end(), not info.strip()))
    regions: list[Region] = []
    openers: list[int] = []
    for found in lines.values():
        if not found:
            continue
        first = found[0]
        last = next((f for f in reversed(found) if f[2] and f[0] > first[0]), None)
        if last is None:
            openers += [f[0] for f in found]
            continue
        regions.append((first[0], last[1], "fenced_code"))
        openers += [f[0] for f in found if f[0] > last[0]]
    return regions, openers


def _xml_regions(text: str) -> Iterator[Region]:
    """Per element name (any case), its first start tag to its last end tag."""
    if "</" not in text:
        return
    last_end = {m.group(1).lower(): m.end() for m in _XML_END.finditer(text)}  # one pass
    seen: set[str] = set()
    for match in _XML_START.finditer(text):
        name = match.group(1).lower()
        if name in seen or match.group(0).endswith("/>"):
            continue
        seen.add(name)
        end = last_end.get(name, -1)
        if name not in ("untrusted", "untrusted_text") and end > match.end():
            yield (match.start(), end, "xml")


def _json_regions(text: str) -> Iterator[Region]:
    """Per bracket, the first JSON opener to the last bracket that can close it.

    An opener is ``{"``, ``[{``, ``[[`` or ``["`` anywhere, or a line starting with ``{`` or
    ``[`` that :mod:`json` reads as a container of eight characters or more, or reads past
    its first token before failing (broken JSON, e.g. an unescaped quote, is JSON too). The
    extent is not where the parser stops: content that breaks or forges the JSON could move
    that, so the last closing bracket of the part ends it.
    """
    if "{" not in text and "[" not in text:
        return
    first: dict[str, int] = {}
    for match in _JSON_OPEN.finditer(text):
        first.setdefault(match.group(0)[0], match.start())
        if len(first) == 2:
            break
    _parsed_openers(text, first)
    for bracket, start in first.items():
        end = text.rfind(_CLOSER[bracket]) + 1
        if end > start:
            yield (start, end, "json")


def _parsed_openers(text: str, first: dict[str, int]) -> None:
    """Lower ``first`` to the lines starting with a bracket that :mod:`json` reads as JSON.

    Each try is cheap or decides its bracket: a parse that fails at once read one token, and
    one that reads further (or succeeds) is the bracket's first opener, so later lines
    starting with that bracket are not tried.
    """
    decoder = json.JSONDecoder()
    for attempt, match in enumerate(_JSON_LINE.finditer(text)):
        start = match.end() - 1
        bracket = text[start]
        if attempt >= _JSON_ATTEMPTS or (len(first) == 2 and start > max(first.values())):
            return
        if first.get(bracket, len(text)) < start:
            continue
        try:
            _value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as error:
            end = start + 8 if error.pos > start + 2 else start  # read past its first token
        except RecursionError:  # nested past the parser's depth: data, not a traceback
            end = start + 8
        if end - start >= 8:
            first[bracket] = start


def _quotation_regions(text: str) -> Iterator[Region]:
    """Per quotation style, the first opening mark to the last closing mark, when that holds
    :data:`MIN_QUOTATION` characters or more, or spans lines."""
    for opening, closing in _QUOTE_MARKS:
        start = text.find(opening)
        end = text.rfind(closing) + 1
        if start < 0 or end - start < 2 or (opening == closing and end - 1 == start):
            continue
        if end - start - 2 >= MIN_QUOTATION or "\n" in text[start:end]:
            yield (start, end, "quotation")


# --------------------------------------------------------------------------- lines


def _block_quote_regions(text: str, delimited: list[Region]) -> Iterator[Region]:
    """Block quotes: from a line starting with ``>`` to the end of its ``\\n`` line, then over
    every following line that starts with ``>`` — or, for a quote that starts outside
    delimited data, every following non-blank line (CommonMark's lazy continuation)."""
    if ">" not in text:
        return
    covered = -1
    for match in _QUOTE_LINE.finditer(text):
        start = match.start()
        if start < covered:
            continue
        lazy = not _inside(delimited, start)
        covered = _extend_quote(text, start, lazy)
        yield (start, covered, "block_quote")


def _extend_quote(text: str, start: int, lazy: bool) -> int:
    """The end of a block quote starting at ``start``: only ``\\n`` ends its lines."""
    newline = text.find("\n", start)
    end = len(text) if newline < 0 else newline
    while end < len(text):  # text[end] is a newline
        following = text.find("\n", end + 1)
        line_end = len(text) if following < 0 else following
        line = text[end + 1 : line_end]
        if not line.strip() or not (lazy or _QUOTE_LINE.match(line)):
            break
        end = line_end
    return end


def _yaml_regions(text: str) -> Iterator[Region]:
    """YAML blocks: a ``key:`` line and every line its block structure holds.

    A block goes on over ``key:`` lines and list items (``- ``) at its indentation or
    deeper, over more-indented lines (nested blocks, multi-line and block scalars), and over
    blank lines followed by a more-indented line. It is data when it holds two keys, a block
    scalar (``|``, ``>``) or a quoted value spread over lines; one ``Note: …`` line stays the
    author's. YAML also ends a line at a bare ``\\r``: text holding one is read both ways,
    and a block found in either reading is data (a second reading only adds data).
    """
    if ":" not in text:
        return
    yield from _yaml_blocks(text, _LF)
    if "\r" in text:
        yield from _yaml_blocks(text, _ANY_LINE_END)


_LF = re.compile("\n")
_ANY_LINE_END = re.compile("\r\n?|\n")


def _yaml_blocks(text: str, line_end: re.Pattern[str]) -> Iterator[Region]:
    block: _YamlBlock | None = None
    for offset, line in _lines(text, line_end):
        bare = line.rstrip("\r")
        if block is not None and not block.take(bare, offset):
            yield from block.region()
            block = None
        if block is None:
            block = _YamlBlock.opening(bare, offset)
    if block is not None:
        yield from block.region()


def _lines(text: str, line_end: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """Each line of ``text`` (without its end) and its offset."""
    offset = 0
    for match in line_end.finditer(text):
        yield offset, text[offset : match.start()]
        offset = match.end()
    yield offset, text[offset:]


class _YamlBlock:
    """A YAML block being read line by line (see :func:`_yaml_regions`)."""

    def __init__(self, indent: int, start: int, end: int, value: str) -> None:
        self.indent, self.start, self.end = indent, start, end
        self.keys, self.blank_from = 1, -1
        self.strong = bool(_BLOCK_SCALAR.fullmatch(value)) or value[:1] in ("'", '"')
        self.spread = False

    @classmethod
    def opening(cls, line: str, offset: int) -> _YamlBlock | None:
        match = _YAML_KEY.fullmatch(line)
        if match is None:
            return None
        return cls(len(match.group(1)), offset, offset + len(line), (match.group(2) or "").strip())

    def take(self, line: str, offset: int) -> bool:
        """Whether ``line`` (at ``offset``) belongs to this block; extends it if so."""
        if not line.strip():
            self.blank_from = offset if self.blank_from < 0 else self.blank_from
            return True  # decided by the next non-blank line
        indent = len(line) - len(line.lstrip(" \t"))
        key = _YAML_KEY.fullmatch(line)
        if indent > self.indent:
            self.spread = True
        elif self.blank_from >= 0 or not (key or _YAML_ITEM.match(line)):
            return False
        else:
            self.indent = indent  # a shallower key: its block is the one lines nest in
        self.keys += key is not None
        self.end, self.blank_from = offset + len(line), -1
        return True

    def region(self) -> Iterator[Region]:
        if self.keys >= 2 or (self.strong and self.spread):
            yield (self.start, self.end, "yaml")
