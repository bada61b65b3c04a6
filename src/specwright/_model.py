"""The typed spec model: one immutable tree that every other face of specwright is derived from.

A :class:`Spec` is a tree of :class:`Section` objects. A section's content is an ordered
sequence of blocks — :class:`Prose` (plain markdown), :class:`Example` (a conversation with
optional labelled answers) and :class:`Commentary` (``!!! meta`` blocks) — so that the writer
can put everything back where it was. Eval prompts (``examples/*.md`` files in the Model Spec
dialect) are tied to sections through footnote tags such as ``[^8ep1]``.

All models are frozen pydantic models: hashable where possible, JSON-serialisable with
``model_dump_json()`` and re-creatable with ``model_validate_json()``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cached_property
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field

from specwright._errors import UnknownSectionError
from specwright._frozen import FrozenModel

__all__ = [
    "AUTHORITY_LEVELS",
    "Attachment",
    "Authority",
    "AuthorityOrNone",
    "Block",
    "Commentary",
    "CrossReference",
    "EvalPrompt",
    "Example",
    "Label",
    "LabelledAnswer",
    "LayerInfo",
    "Message",
    "Part",
    "Prose",
    "Provenance",
    "ReplacedSection",
    "Role",
    "Section",
    "SourceLocation",
    "SourceSlip",
    "Spec",
    "StrayEmphasis",
    "TextPart",
    "UntrustedPart",
    "authority_rank",
]

Authority: TypeAlias = Literal["root", "system", "developer", "user", "guideline"]
"""An authority level, highest first in :data:`AUTHORITY_LEVELS`."""

AuthorityOrNone: TypeAlias = Literal["root", "system", "developer", "user", "guideline", "none"]
"""An authority level, or ``"none"`` for content that carries no authority."""

AUTHORITY_LEVELS: tuple[Authority, ...] = ("root", "system", "developer", "user", "guideline")
"""Authority levels ordered from highest to lowest."""

Role: TypeAlias = Literal["system", "developer", "user", "assistant", "tool"]
"""The author of a message."""

Label: TypeAlias = Literal["GOOD", "BAD", "OK"]
"""The label of an example answer."""

SettingValue: TypeAlias = str | int | float | bool | None


def authority_rank(level: AuthorityOrNone) -> int:
    """Return a sortable rank: 0 for ``root`` … 4 for ``guideline``, 5 for ``none``."""
    if level == "none":
        return len(AUTHORITY_LEVELS)
    return AUTHORITY_LEVELS.index(level)


class SourceLocation(FrozenModel):
    """Where something was read from."""

    file: str
    """Path of the source file as given to the reader."""
    line: int = Field(ge=1)
    """1-based line number."""
    column: int = Field(default=1, ge=1)
    """1-based column number."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# --------------------------------------------------------------------------- message parts


class TextPart(FrozenModel):
    """Plain text written by the message's author."""

    kind: Literal["text"] = "text"
    text: str
    """The text, HTML entities already decoded."""


class UntrustedPart(FrozenModel):
    """Text inside an ``<untrusted>`` block: data, never instructions, unless delegated."""

    kind: Literal["untrusted"] = "untrusted"
    text: str
    """The untrusted text, HTML entities already decoded."""


class Attachment(FrozenModel):
    """An attachment such as ``[file: report.pdf]`` or an image; carries no authority."""

    kind: Literal["attachment"] = "attachment"
    name: str
    """The attachment's name or description as written (``report.pdf``)."""
    media: str = "file"
    """What kind of attachment: ``file``, ``image``, ``audio`` …"""
    text: str | None = None
    """Extracted text content, when known."""


Part: TypeAlias = Annotated[TextPart | UntrustedPart | Attachment, Field(discriminator="kind")]
"""One piece of a message's content."""


class Message(FrozenModel):
    """One message of a conversation."""

    role: Role
    """Who wrote the message."""
    parts: tuple[Part, ...] = ()
    """The content, in order."""
    attributes: dict[str, str] = Field(default_factory=dict)
    """Tag attributes such as ``recipient``, ``end_turn``, ``name`` or ``comment``."""
    settings: dict[str, SettingValue] = Field(default_factory=dict)
    """Settings from a ``<settings>`` block, e.g. ``{"under_18": True}``."""
    gap_before: bool = False
    """True when a ``[...]`` line stands before this message: earlier turns were elided."""
    location: SourceLocation | None = None
    """Where the message starts in its source, if it was read from a file."""

    @property
    def text(self) -> str:
        """All textual content joined by blank lines (untrusted text included)."""
        chunks = [p.text for p in self.parts if not isinstance(p, Attachment)]
        chunks += [p.text for p in self.parts if isinstance(p, Attachment) and p.text]
        return "\n\n".join(c for c in chunks if c)


class LabelledAnswer(FrozenModel):
    """A GOOD, BAD or OK answer in an example's comparison."""

    label: Label
    """The verdict the spec gives this answer."""
    message: Message
    """The answer itself (an assistant message, possibly to a recipient)."""
    explanation: str | None = None
    """The text after the label, e.g. ``root instructions override system``."""
    reference: str | None = None
    """A section id the label points to, from the ``BAD[#id]`` form."""
    after: int | None = Field(default=None, ge=0)
    """How many of the example's ``messages`` precede this answer's ``<comparison>`` block.

    ``None`` when the block follows all of them (the usual case: one comparison at the end).
    An example may hold several comparisons with turns between them; this keeps each answer
    tied to the conversation prefix it answers.
    """
    location: SourceLocation | None = None
    """Where the answer starts in its source."""


# --------------------------------------------------------------------------- blocks


class Prose(FrozenModel):
    """A run of plain markdown inside a section."""

    kind: Literal["prose"] = "prose"
    markdown: str
    """The markdown text, without surrounding blank lines."""
    location: SourceLocation | None = None
    """Where the run starts."""


class Commentary(FrozenModel):
    """An admonition block such as ``!!! meta "Commentary"``: context, not instructions."""

    kind: Literal["commentary"] = "commentary"
    admonition: str = "meta"
    """The admonition type after ``!!!``."""
    title: str = "Commentary"
    """The quoted title."""
    markdown: str
    """The block's body, de-indented."""
    location: SourceLocation | None = None
    """Where the block starts."""


class Example(FrozenModel):
    """An ``**Example**`` item: a conversation, and optionally labelled answers to compare."""

    kind: Literal["example"] = "example"
    id: str
    """Stable id: ``<section id>/example-<n>`` (1-based within the section)."""
    title: str
    """The text after ``**Example**:``, references kept as written."""
    messages: tuple[Message, ...] = ()
    """The conversation before the comparison."""
    answers: tuple[LabelledAnswer, ...] = ()
    """Labelled answers from the ``<comparison>`` block, in order."""
    has_comparison: bool = False
    """True when the example has a ``<comparison>`` block (even an empty one)."""
    fence: str = "~~~xml"
    """The opening fence line as written, so that the writer can reproduce it."""
    trailing_markdown: str = ""
    """Markdown between the title line and the fence (rare), kept for round trips."""
    location: SourceLocation | None = None
    """Where the ``**Example**`` line stands."""


Block: TypeAlias = Annotated[Prose | Example | Commentary, Field(discriminator="kind")]
"""One block of a section's content."""


class CrossReference(FrozenModel):
    """A link to a section: ``[?](#id)`` (title filled in when rendered) or ``[text](#id)``."""

    target: str
    """The id linked to."""
    text: str
    """The link text; ``?`` for the auto-titled form."""
    source_section: str | None = None
    """Id of the section the reference stands in (``None`` in an eval prompt file)."""
    location: SourceLocation | None = None
    """Where the link stands."""


# --------------------------------------------------------------------------- layers


class ReplacedSection(FrozenModel):
    """The base section that a layer's section overrode."""

    layer: str
    """Title of the layer the replaced section came from."""
    authority: Authority | None = None
    """The replaced section's effective authority in the base."""
    location: SourceLocation | None = None
    """Where the replaced section's heading stands."""


class Provenance(FrozenModel):
    """Which layer of a composed spec a section comes from, and what it replaced."""

    layer: str
    """Title of the layer the section's content comes from."""
    layer_index: int = Field(ge=0)
    """0 for the base spec, 1 for the first overlay, …"""
    location: SourceLocation | None = None
    """Where the section's heading stands in that layer (file:line)."""
    replaced: ReplacedSection | None = None
    """The base section this one overrides; ``None`` for sections added or kept as they were."""


class LayerInfo(FrozenModel):
    """One layer of a composed spec, base first."""

    title: str
    """The layer's own title."""
    version: str | None = None
    """The layer's own version."""
    ceiling: Authority | None = None
    """The highest authority the layer's sections may carry; ``None`` for the base."""
    content_hash: str
    """:meth:`Spec.content_hash` of the layer alone, so that the composed hash covers it."""
    overridden: tuple[str, ...] = ()
    """Ids of base sections the layer overrides."""
    disabled: tuple[str, ...] = ()
    """Ids of base sections the layer removes."""
    source: str | None = None
    """Path or URL the layer was read from (not part of the hash)."""
    sha256: str | None = None
    """The pinned SHA-256 of a layer fetched from a URL."""


# --------------------------------------------------------------------------- sections


class Section(FrozenModel):
    """A heading and everything under it up to the next heading of the same or a higher level."""

    id: str
    """The ``{#id}`` anchor (derived from the title when missing)."""
    title: str
    """The heading text without the attribute block."""
    depth: int = Field(ge=1, le=6)
    """Heading level: 1 for ``#``."""
    authority: Authority | None = None
    """Explicit ``authority=`` of the heading (``platform`` is read as ``root``)."""
    tags: tuple[str, ...] = ()
    """Extra tags of the heading (e.g. ``u18``), in order."""
    blocks: tuple[Block, ...] = ()
    """The section's own content, in order (children excluded)."""
    eval_tags: tuple[str, ...] = ()
    """Footnote tags such as ``8ep1`` that the section's text carries, in order."""
    references: tuple[CrossReference, ...] = ()
    """Cross references found in the section's own content."""
    children: tuple[Section, ...] = ()
    """Sub-sections."""
    location: SourceLocation | None = None
    """Where the heading stands."""
    provenance: Provenance | None = None
    """The layer the section comes from, in a composed spec; ``None`` in a single spec."""

    @property
    def body(self) -> str:
        """The section's prose joined by blank lines (examples and commentary excluded)."""
        return "\n\n".join(b.markdown for b in self.blocks if isinstance(b, Prose))

    @property
    def examples(self) -> tuple[Example, ...]:
        """The section's own examples, in order."""
        return tuple(b for b in self.blocks if isinstance(b, Example))

    @property
    def commentary(self) -> tuple[Commentary, ...]:
        """The section's own commentary blocks, in order."""
        return tuple(b for b in self.blocks if isinstance(b, Commentary))

    def walk(self) -> Iterator[Section]:
        """Yield this section and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


class EvalPrompt(FrozenModel):
    """A conversation from an eval prompt file, tied to a section through its footnote tag."""

    id: str
    """Stable id: ``<tag>/<n>`` (1-based within the file)."""
    tag: str
    """The footnote tag / file stem, e.g. ``8ep1``."""
    title: str
    """The text after ``**Example**:``."""
    messages: tuple[Message, ...]
    """The conversation to send to the model under test."""
    section_id: str | None = None
    """The section whose text carries ``[^tag]``; ``None`` when no section does."""
    location: SourceLocation | None = None
    """Where the prompt stands in its file."""


class StrayEmphasis(FrozenModel):
    """Emphasis markers around a message tag (``*<comparison>``), read as the bare tag.

    Published releases of the OpenAI Model Spec carry a few; the reader accepts them and
    lint names each one (``stray-emphasis``).
    """

    tag: str
    """The tag as read, e.g. ``</comparison>``."""
    written: str
    """The line as written, without surrounding blanks, e.g. ``*</comparison>``."""
    location: SourceLocation
    """Where the line stands."""


class SourceSlip(FrozenModel):
    """A line read as valid markdown that looks like a mistyped construct of the dialect.

    ``##Answer`` (a paragraph, not a heading), a heading whose attribute block lacks its
    ``}``, ``**Exmple**:``; the reader reads them as CommonMark does and lint names each one
    (``structure-slip``).
    """

    message: str
    """What looks mistyped, in one line."""
    location: SourceLocation
    """Where the line stands."""


class Spec(FrozenModel):
    """A whole behaviour spec: sections, their examples, and eval prompts."""

    title: str = ""
    """A human title: front matter, else the single level-1 heading, else empty (never a
    folder's name)."""
    version: str | None = None
    """A version label such as ``2025-12-18`` (directory name by default)."""
    description: str | None = None
    """A one-paragraph summary, from the spec's front matter."""
    preamble: str = ""
    """Markdown before the first heading."""
    sections: tuple[Section, ...] = ()
    """Top-level sections, in order."""
    eval_prompts: tuple[EvalPrompt, ...] = ()
    """Eval prompts from ``examples/*.md``, files sorted by name."""
    eval_files: tuple[str, ...] = ()
    """Tags of every eval prompt file read (a file may hold no prompt)."""
    source: str | None = None
    """Path the spec was read from."""
    layers: tuple[LayerInfo, ...] = ()
    """The layers of a composed spec, base first; empty for a single spec."""
    stray_emphasis: tuple[StrayEmphasis, ...] = Field(default=(), exclude=True)
    """Message tags the reader found wrapped in emphasis; a diagnostic of the source text,
    so neither exported nor part of :meth:`content_hash`."""
    slips: tuple[SourceSlip, ...] = Field(default=(), exclude=True)
    """Lines that look like mistyped headings, attribute blocks or labels; a diagnostic of
    the source text like :attr:`stray_emphasis`."""

    def walk(self) -> Iterator[Section]:
        """Yield every section, depth first, in document order."""
        for section in self.sections:
            yield from section.walk()

    @cached_property
    def _index(self) -> dict[str, Section]:
        index: dict[str, Section] = {}
        for section in self.walk():
            index.setdefault(section.id, section)
        return index

    @cached_property
    def _parents(self) -> dict[str, str]:
        parents: dict[str, str] = {}
        for section in self.walk():
            for child in section.children:
                parents.setdefault(child.id, section.id)
        return parents

    @cached_property
    def _parts(self) -> dict[str, Section]:
        tops: tuple[Section, ...] = self.sections
        parts: dict[str, Section] = {}
        while len(tops) == 1 and tops[0].children:
            parts[tops[0].id] = tops[0]
            tops = tops[0].children
        for top in tops:
            parts.update({section.id: top for section in top.walk()})
        return parts

    def part_of(self, section_id: str) -> Section | None:
        """The top-level part holding ``section_id`` (one of the H1 sections), or ``None``.

        A spec wrapped in one heading (``# My spec`` over everything) has that heading's
        children as its parts; the wrapper's own content is a part of its own.
        """
        return self._parts.get(section_id)

    def parts(self) -> dict[str, Section]:
        """Section id → the top-level part holding it, in spec order (see :meth:`part_of`)."""
        return dict(self._parts)

    def section(self, section_id: str) -> Section:
        """Return the section with this id; raise :class:`UnknownSectionError` (a ``KeyError``)."""
        try:
            return self._index[section_id]
        except KeyError:
            raise UnknownSectionError(f"no section with id {section_id!r}") from None

    def get(self, section_id: str) -> Section | None:
        """Return the section with this id, or ``None``."""
        return self._index.get(section_id)

    def parent(self, section_id: str) -> Section | None:
        """Return the parent section of ``section_id`` (``None`` for top-level sections)."""
        parent_id = self._parents.get(section_id)
        return None if parent_id is None else self._index[parent_id]

    def effective_authority(self, section_id: str) -> Authority | None:
        """The section's own authority, else the nearest ancestor's, else ``None``."""
        current: Section | None = self.section(section_id)
        while current is not None:
            if current.authority is not None:
                return current.authority
            current = self.parent(current.id)
        return None

    def examples(self) -> Iterator[tuple[Section, Example]]:
        """Yield ``(section, example)`` for every example, in document order."""
        for section in self.walk():
            for example in section.examples:
                yield section, example

    def cross_references(self) -> Iterator[CrossReference]:
        """Yield every cross reference in document order."""
        for section in self.walk():
            yield from section.references

    def content_hash(self) -> str:
        """SHA-256 of the spec's canonical JSON without source paths or locations.

        The same spec text read from two places hashes the same; any change of content,
        structure or authority changes the hash. Decision records and eval runs carry it.
        """
        data = self._hash_data()
        # Single specs hash as they did before layers existed (stored runs stay comparable);
        # where a layer lives (a path, a URL) is not its content, its own hash is.
        layers = data.pop("layers")
        if layers:
            data["layers"] = [{k: v for k, v in layer.items() if k != "source"} for layer in layers]
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _hash_data(self) -> dict[str, Any]:
        """The spec as JSON data without ``source`` and without any ``location``."""
        sections = list(self.walk())
        with_provenance = sum(section.provenance is not None for section in sections)
        odd_keys = any(
            "location" in message.attributes or "location" in message.settings
            for section in sections
            for message in _messages(section)
        )
        if odd_keys or 0 < with_provenance < len(sections):
            # Rare shapes (a message attribute named `location`, provenance on some sections
            # only): strip in Python, which the fast path below must always agree with.
            data = _strip_locations(self.model_dump(mode="json", exclude={"source"}))
            assert isinstance(data, dict)
            return data
        # The fast path lets pydantic leave every location out while serialising.
        nesting = max((_nesting(section) for section in self.sections), default=0)
        exclude = _hash_exclude(nesting, provenance=with_provenance > 0)
        return self.model_dump(mode="json", exclude=exclude)


_MESSAGE_EXCLUDE: dict[str, Any] = {"location": True}
_EXAMPLE_EXCLUDE: dict[str, Any] = {
    "location": True,
    "messages": {"__all__": _MESSAGE_EXCLUDE},
    "answers": {"__all__": {"location": True, "message": _MESSAGE_EXCLUDE}},
}


def _hash_exclude(nesting: int, *, provenance: bool) -> dict[str, Any]:
    section: dict[str, Any] = {
        "location": True,
        "blocks": {"__all__": _EXAMPLE_EXCLUDE},  # Prose and Commentary: `location` only
        "references": {"__all__": {"location": True}},
        "provenance": {"location": True, "replaced": {"location": True}} if provenance else True,
    }
    tree = dict(section)
    for _ in range(nesting):
        tree = {**section, "children": {"__all__": tree}}
    return {
        "source": True,
        "sections": {"__all__": tree},
        "eval_prompts": {"__all__": {"location": True, "messages": {"__all__": _MESSAGE_EXCLUDE}}},
    }


def _nesting(section: Section) -> int:
    return 1 + max((_nesting(child) for child in section.children), default=0)


def _messages(section: Section) -> Iterator[Message]:
    for example in section.examples:
        yield from example.messages
        yield from (answer.message for answer in example.answers)


def _strip_locations(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: _strip_locations(v)
            for k, v in value.items()
            if k != "location" and not (k == "provenance" and v is None)
        }
    if isinstance(value, list):
        return [_strip_locations(v) for v in value]
    return value
