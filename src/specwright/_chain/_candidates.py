"""Candidate instructions: spec sections at their effective authority and message spans."""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict

from specwright._chain._authority import Span, SpanKind
from specwright._model import AuthorityOrNone, Role, Section, Spec

__all__ = ["Candidate", "CandidateStatus", "Origin", "ref_matches", "spec_candidates"]

CandidateStatus: TypeAlias = Literal[
    "applicable", "misaligned", "superseded", "no_authority", "beyond_capability", "undetermined"
]
"""What the chain of command makes of a candidate instruction."""

Origin: TypeAlias = Literal["spec", "message"]
"""Where a candidate comes from."""


class Candidate(BaseModel):
    """A candidate instruction: a spec section or a span of a message part."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    id: str
    """``section:<id>`` or ``message:<i>.<part>:<start>-<end>``."""
    origin: Origin
    """``spec`` or ``message``."""
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
    section_id: str | None = None
    """For spec candidates: the section id."""
    title: str | None = None
    """For spec candidates: the section title."""
    message_index: int | None = None
    """For message candidates: the turn index."""
    part_index: int | None = None
    """For message candidates: the part index."""
    start: int | None = None
    """For message candidates: start offset in the part's text."""
    end: int | None = None
    """For message candidates: end offset (exclusive)."""
    role: Role | None = None
    """For message candidates: the message's role."""
    kind: SpanKind | None = None
    """For message candidates: what the span is, structurally."""
    delegated_by: str | None = None
    """The candidate that delegated authority to this span, if any."""
    classification: str | None = None
    """The interpreter's answer to "is this an instruction?" (message candidates)."""

    @classmethod
    def from_span(cls, span: Span) -> Candidate:
        """A message candidate for ``span`` at its structural authority."""
        return cls.model_construct(
            id=span.id,
            origin="message",
            authority=span.authority,
            text=span.text,
            status="undetermined",
            related=None,
            reason=span.note,
            section_id=None,
            title=None,
            message_index=span.message_index,
            part_index=span.part_index,
            start=span.start,
            end=span.end,
            role=span.role,
            kind=span.kind,
            delegated_by=None,
            classification=None,
        )


def ref_matches(ref: str, candidate: Candidate) -> bool:
    """Whether a reference names the candidate.

    ``section:<id>`` names a section; ``message:<i>`` every span of turn ``i``;
    ``message:<i>.<p>`` every span of part ``p``; a full span id names that span;
    ``tool:<name>`` every span of the tool turns whose tool has that name (delegations only);
    a trailing ``*`` matches by prefix (``section:*``, ``*``).
    """
    cid = candidate.id
    if ref == cid:
        return True
    if ref.endswith("*"):
        return cid.startswith(ref[:-1])
    if ref.startswith("message:"):
        return cid.startswith(ref + ("." if "." not in ref else ":"))
    return False


_CACHE: OrderedDict[int, tuple[Spec, tuple[Candidate, ...]]] = OrderedDict()


def spec_candidates(spec: Spec) -> tuple[Candidate, ...]:
    """Every section with an effective authority and prose of its own, in document order.

    Cached per spec object (specs are immutable), so that resolving many conversations
    against one spec builds the candidates once.
    """
    hit = _CACHE.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    built = tuple(_section_candidate(spec, s) for s in spec.walk() if _has_authority(spec, s))
    _CACHE[id(spec)] = (spec, built)  # the strong reference keeps the id from being reused
    while len(_CACHE) > 8:
        _CACHE.popitem(last=False)
    return built


def _has_authority(spec: Spec, section: Section) -> bool:
    return bool(section.body.strip()) and spec.effective_authority(section.id) is not None


def _section_candidate(spec: Spec, section: Section) -> Candidate:
    authority = spec.effective_authority(section.id)
    assert authority is not None
    return Candidate(
        id=f"section:{section.id}",
        origin="spec",
        authority=authority,
        text=section.body,
        section_id=section.id,
        title=section.title,
    )
