"""The document scanner: headings → section tree, section content → Prose/Example/Commentary.

One pass over the lines. Fences are tracked everywhere, so heading-looking lines inside code
(``# functions`` in a TypeScript block inside an example) never start a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specwright._errors import SpecError
from specwright._model import (
    Block,
    Commentary,
    Example,
    Prose,
    Section,
    SourceLocation,
    SourceSlip,
    StrayEmphasis,
)
from specwright._reader._headings import (
    Heading,
    HeadingMatch,
    match_heading,
    parse_heading,
    slugify,
)
from specwright._reader._lines import (
    Fence,
    InlineFinds,
    closes_fence,
    open_fence,
    scan_inline,
    trim,
)
from specwright._reader._messages import parse_conversation
from specwright._reader._slips import heading_slip, prose_fence_slip, prose_slip

__all__ = ["Document", "scan_document"]

# The title after `**Example**:` is trimmed with str.strip: a lazy group before `[ \t]*$` is
# quadratic on a title padded with spaces. Possessive `*+` keeps the admonition linear.
_EXAMPLE_RE = re.compile(r"^\*\*Example(?:\*\*:|:\*\*|\*\*)")
_ADMONITION_RE = re.compile(r"^!!![ \t]++([\w\-]++)(?:[ \t]++\"([^\"]*+)\")?+[ \t]*+$")


@dataclass(slots=True)
class _Builder:
    heading: Heading
    id: str
    location: SourceLocation
    blocks: list[Block] = field(default_factory=list)
    finds: InlineFinds = field(default_factory=lambda: InlineFinds([], []))
    children: list[_Builder] = field(default_factory=list)
    examples: int = 0

    def build(self) -> Section:
        return Section(
            id=self.id,
            title=self.heading.title,
            depth=self.heading.depth,
            authority=self.heading.authority,
            tags=self.heading.tags,
            blocks=tuple(self.blocks),
            eval_tags=tuple(self.finds.tags),
            references=tuple(self.finds.references),
            children=tuple(child.build() for child in self.children),
            location=self.location,
        )


@dataclass(slots=True)
class Document:
    """What a scan yields: the preamble, the top-level sections and repaired tag lines."""

    preamble: str
    sections: tuple[Section, ...]
    stray_emphasis: tuple[StrayEmphasis, ...] = ()
    slips: tuple[SourceSlip, ...] = ()


class _Scanner:
    def __init__(self, lines: list[str], file: str, *, headings: bool = True) -> None:
        self.lines = lines
        self.file = file
        self.headings = headings
        self.index = 0
        self.preamble: list[str] = []
        self.prose: list[str] = []
        self.prose_start = 0
        self.current: _Builder | None = None
        self.stack: list[_Builder] = []
        self.roots: list[_Builder] = []
        self.ids: dict[str, int] = {}
        self.stray: list[StrayEmphasis] = []
        self.slips: list[SourceSlip] = []

    # ----------------------------------------------------------------- driver

    def run(self, root: _Builder | None = None) -> Document:
        if root is not None:
            self.current = root
        lines = self.lines
        while self.index < len(lines):
            line = lines[self.index]
            first = line[:1]
            if first in ("`", "~", " ", "\t") and (fence := open_fence(line)) is not None:
                self._prose_fence(fence)
            elif first in ("#", " ") and self.headings and (m := match_heading(line)):
                self._heading(parse_heading(m, self.file, self.index + 1), m)
            elif not self._block(first, line):
                self._prose_line(line)
        self._flush_prose()
        sections = tuple(b.build() for b in self.roots)
        return Document(trim(self.preamble), sections, tuple(self.stray), tuple(self.slips))

    def _block(self, first: str, line: str) -> bool:
        # A commentary or example block at this line: consume it and say so.
        if self.current is None:
            return False
        if first == "!":
            return self._commentary(line)
        return first == "*" and self._example(line)

    # ----------------------------------------------------------------- prose

    def _slip(self, message: str | None, column: int = 1) -> None:
        if message is not None:
            self.slips.append(SourceSlip(message=message, location=self._where(self.index, column)))

    def _prose_line(self, line: str) -> None:
        self._slip(prose_slip(line))
        if self.current is None:
            self.preamble.append(line)
        else:
            if not self.prose:
                self.prose_start = self.index
            self.prose.append(line)
            scan_inline(line, self.index + 1, self.file, self.current.id, self.current.finds)
        self.index += 1

    def _prose_fence(self, fence: Fence) -> None:
        # Code in prose: kept verbatim, never scanned for headings, links or tags.
        target = self.preamble if self.current is None else self.prose
        if self.current is not None and not self.prose:
            self.prose_start = self.index
        following = self.lines[self.index + 1] if self.index + 1 < len(self.lines) else ""
        self._slip(prose_fence_slip(fence.info, following))
        target.append(self.lines[self.index])
        self.index += 1
        while self.index < len(self.lines):
            line = self.lines[self.index]
            target.append(line)
            self.index += 1
            if closes_fence(line, fence):
                return

    def _flush_prose(self) -> None:
        if self.current is None or not self.prose:
            self.prose.clear()
            return
        text = trim(self.prose)
        if text:
            skip = next(i for i, line in enumerate(self.prose) if line.strip())
            where = self._where(self.prose_start + skip)
            self.current.blocks.append(Prose(markdown=text, location=where))
        self.prose.clear()

    def _where(self, index: int, column: int = 1) -> SourceLocation:
        return SourceLocation(file=self.file, line=index + 1, column=column)

    # ----------------------------------------------------------------- headings

    def _heading(self, heading: Heading, match: HeadingMatch) -> None:
        self._flush_prose()
        self._slip(heading_slip(match, heading), match.column)
        section_id = heading.id or slugify(heading.title) or f"section-{self.index + 1}"
        if section_id in self.ids:
            raise SpecError(
                f"duplicate section id {section_id!r} (first at line {self.ids[section_id]})",
                file=self.file,
                line=self.index + 1,
                column=heading.column,
                hint="give one of the headings another {#id}",
            )
        self.ids[section_id] = self.index + 1
        builder = _Builder(heading, section_id, self._where(self.index, heading.column))
        while self.stack and self.stack[-1].heading.depth >= heading.depth:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(builder)
        self.stack.append(builder)
        self.current = builder
        self.index += 1

    # ----------------------------------------------------------------- commentary

    def _commentary(self, line: str) -> bool:
        match = _ADMONITION_RE.match(line)
        if match is None or self.current is None:
            return False
        self._flush_prose()
        start = self.index
        body: list[str] = []
        end = self.index + 1
        fence: Fence | None = None
        for j in range(self.index + 1, len(self.lines)):
            text = self.lines[j]
            if text.strip():
                if not text.startswith(("    ", "\t")):
                    break
                body.extend([""] * (j - end))
                body.append(text[1:] if text[0] == "\t" else text[4:])
                fence = self._commentary_line(text, j, fence)
                end = j + 1
        title = match.group(2) if match.group(2) is not None else ""
        self.current.blocks.append(
            Commentary(
                admonition=match.group(1),
                title=title,
                markdown=trim(body),
                location=self._where(start),
            )
        )
        self.index = end
        return True

    def _commentary_line(self, text: str, index: int, fence: Fence | None) -> Fence | None:
        # Scan a commentary line for links and tags unless it is code; return the open fence.
        if fence is not None:
            return None if closes_fence(text, fence) else fence
        opened = open_fence(text)
        if opened is None and self.current is not None:
            scan_inline(text, index + 1, self.file, self.current.id, self.current.finds)
        return opened

    # ----------------------------------------------------------------- examples

    def _example(self, line: str) -> bool:
        match = _EXAMPLE_RE.match(line)
        if match is None or self.current is None:
            return False
        found = self._find_example_fence(self.index + 1)
        if found is None:
            return False
        fence_index, fence = found
        self._flush_prose()
        close = self._close_example_fence(fence_index, fence)
        self._add_example(line[match.end() :].strip(" \t"), fence_index, close)
        self.index = close + 1
        return True

    def _find_example_fence(self, start: int) -> tuple[int, Fence] | None:
        for j in range(start, len(self.lines)):
            text = self.lines[j]
            if not text.strip():
                continue
            fence = open_fence(text)
            if fence is not None:
                return (j, fence) if fence.info.split()[:1] == ["xml"] else None
            if match_heading(text) or _ADMONITION_RE.match(text) or _EXAMPLE_RE.match(text):
                return None
        return None

    def _close_example_fence(self, fence_index: int, fence: Fence) -> int:
        for j in range(fence_index + 1, len(self.lines)):
            if closes_fence(self.lines[j], fence):
                return j
        raise SpecError(
            "unterminated example fence",
            file=self.file,
            line=fence_index + 1,
            column=1,
            hint=f"close the conversation with a {fence.marker} line",
        )

    def _add_example(self, title: str, fence_index: int, close: int) -> None:
        builder = self.current
        assert builder is not None
        finds = builder.finds
        scan_inline(self.lines[self.index], self.index + 1, self.file, builder.id, finds)
        trailing = self.lines[self.index + 1 : fence_index]
        for offset, text in enumerate(trailing):
            scan_inline(text, self.index + 2 + offset, self.file, builder.id, finds)
        inner = self.lines[fence_index + 1 : close]
        conversation = parse_conversation(inner, fence_index + 2, self.file)
        self.stray.extend(conversation.stray_emphasis)
        for answer in conversation.answers:
            if answer.location is not None and "](#" in self.lines[answer.location.line - 1]:
                number = answer.location.line
                scan_inline(self.lines[number - 1], number, self.file, builder.id, finds)
        builder.examples += 1
        builder.blocks.append(
            Example(
                id=f"{builder.id}/example-{builder.examples}",
                title=title,
                messages=tuple(conversation.messages),
                answers=tuple(conversation.answers),
                has_comparison=conversation.has_comparison,
                fence=self.lines[fence_index].strip(),
                trailing_markdown=trim(trailing),
                location=self._where(self.index),
            )
        )


def scan_document(lines: list[str], file: str) -> Document:
    """Scan a whole spec document into its preamble and section tree."""
    return _Scanner(lines, file).run()


def scan_examples(
    lines: list[str], file: str, tag: str
) -> tuple[list[Example], tuple[StrayEmphasis, ...], tuple[SourceSlip, ...]]:
    """Scan an eval prompt file: its ``**Example**`` items (everything else ignored), the
    tag lines read without emphasis and the lines that look mistyped."""
    heading = Heading(1, tag, tag, None, (), 1)
    root = _Builder(heading, tag, SourceLocation(file=file, line=1))
    document = _Scanner(lines, file, headings=False).run(root)
    examples = [block for block in root.blocks if isinstance(block, Example)]
    return examples, document.stray_emphasis, document.slips
