"""Candidate instructions: spec sections at their effective authority, and message spans.

A candidate is one of two shapes, told apart by ``origin``: :class:`SectionCandidate` (a spec
section) and :class:`SpanCandidate` (a character range of one message part). :data:`Candidate`
is their discriminated union, so that JSON traces read back into the right shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Annotated, Literal, TypeAlias

from pydantic import Field, TypeAdapter, computed_field, model_validator

from specwright._chain._answers import SpanClass
from specwright._chain._authority import Span
from specwright._chain._refs import AnyRef, MessageRef, Ref, SectionRef
from specwright._chain._span_kinds import SpanKind
from specwright._frozen import FrozenModel
from specwright._model import AuthorityOrNone, Role, Section, Spec

__all__ = [
    "Candidate",
    "CandidateStatus",
    "Origin",
    "SectionCandidate",
    "SpanCandidate",
    "ref_names",
    "span_candidates",
    "spec_candidates",
]

CandidateStatus: TypeAlias = Literal[
    "applicable", "misaligned", "superseded", "no_authority", "beyond_capability", "undetermined"
]
"""What the chain of command makes of a candidate instruction."""

Origin: TypeAlias = Literal["spec", "message"]
"""Where a candidate comes from."""


class _CandidateBase(FrozenModel):
    authority: AuthorityOrNone
    """Effective authority: the section's, or the span's after any delegation."""
    text: str
    """The section's prose, or the span's text."""
    status: CandidateStatus = "undetermined"
    """The verdict of the resolution."""
    related: str | None = None
    """The candidate that decided the status: the higher instruction it is misaligned with,
    the later one that supersedes it, or the one whose answer was undetermined."""
    reason: str = ""
    """Why, in one sentence."""

    @model_validator(mode="before")
    @classmethod
    def _drop_computed_id(cls, data: object) -> object:
        # Dumps carry the computed ``id``; reading one back derives it again.
        if isinstance(data, dict) and "id" in data:
            return {k: v for k, v in data.items() if k != "id"}
        return data


class SectionCandidate(_CandidateBase):
    """A spec section at its effective authority."""

    origin: Literal["spec"] = "spec"
    """Always ``spec``."""
    section_id: str
    """The section id."""
    title: str
    """The section title."""

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def id(self) -> str:
        """``section:<id>``."""
        return f"section:{self.section_id}"


class SpanCandidate(_CandidateBase):
    """A character range of one message part, at its authority after any delegation."""

    origin: Literal["message"] = "message"
    """Always ``message``."""
    message_index: int
    """The turn index."""
    part_index: int
    """The part index (tool calls of an assistant turn follow its content parts)."""
    start: int
    """Start offset in the part's text."""
    end: int
    """End offset (exclusive)."""
    role: Role
    """The message's role."""
    kind: SpanKind = "text"
    """What the span is, structurally."""
    delegated_by: str | None = None
    """The candidate that delegated authority to this span, if any."""
    classification: SpanClass | None = None
    """The interpreter's answer to "is this an instruction?"."""
    pasted: str | None = None
    """Why this user text looks pasted although nothing isolates it ("possibly pasted, not
    isolated"), if it does."""

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def id(self) -> str:
        """``message:<i>.<part>:<start>-<end>``."""
        return f"message:{self.message_index}.{self.part_index}:{self.start}-{self.end}"

    @classmethod
    def from_span(cls, span: Span) -> SpanCandidate:
        """A message candidate for ``span`` at its structural authority."""
        return span_candidates([span])[0]


def span_candidates(spans: Sequence[Span]) -> list[SpanCandidate]:
    """Message candidates for ``spans`` at their structural authority, validated in one call
    (one pass of pydantic's validator over the list costs less than a call per span)."""
    return _SPAN_CANDIDATES.validate_python(
        [
            {
                "authority": s.authority,
                "text": s.text,
                "reason": s.note,
                "message_index": s.message_index,
                "part_index": s.part_index,
                "start": s.start,
                "end": s.end,
                "role": s.role,
                "kind": s.kind,
                "pasted": s.pasted,
            }
            for s in spans
        ]
    )


_SPAN_CANDIDATES = TypeAdapter(list[SpanCandidate])


Candidate: TypeAlias = Annotated[SectionCandidate | SpanCandidate, Field(discriminator="origin")]
"""A candidate instruction: a spec section or a message span."""


def ref_names(ref: Ref, candidate: Candidate) -> bool:
    """Whether ``ref`` names ``candidate`` (a :class:`ToolRef` needs tool names: never here)."""
    if isinstance(ref, AnyRef):
        return True
    if isinstance(ref, SectionRef):
        return isinstance(candidate, SectionCandidate) and (
            ref.section_id is None or ref.section_id == candidate.section_id
        )
    if isinstance(ref, MessageRef):
        return isinstance(candidate, SpanCandidate) and ref.names(
            candidate.message_index, candidate.part_index, candidate.start, candidate.end
        )
    return False


def spec_candidates(spec: Spec) -> tuple[SectionCandidate, ...]:
    """Every section with an effective authority and prose of its own, in document order.

    Build these once per spec with :class:`~specwright._chain._spec_index.SpecIndex`.
    """
    return tuple(_section_candidate(spec, s) for s in spec.walk() if _has_authority(spec, s))


def _has_authority(spec: Spec, section: Section) -> bool:
    return bool(section.body.strip()) and spec.effective_authority(section.id) is not None


def _section_candidate(spec: Spec, section: Section) -> SectionCandidate:
    authority = spec.effective_authority(section.id)
    assert authority is not None
    return SectionCandidate(
        authority=authority, text=section.body, section_id=section.id, title=section.title
    )
