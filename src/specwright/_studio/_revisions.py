"""Proposed revisions of the spec: read, compared with the spec, discussed and decided on.

A proposal is a layer ``propose`` wrote (an overlay on the spec) or a hand-edited copy; it is
read as ``read_spec`` reads any spec (an overlay composed on its base) and compared section by
section with :func:`specwright._spec_diff.diff_specs`. A decision names the proposed spec by
its content hash, so a proposal edited after it was decided on is a new revision.

The evidence a revision cites is read from the proposed spec itself: ``propose`` opens each
new example with a line naming the samples behind it (``Motivated by run `RUN` sample
`SAMPLE` (why).``), and a hand-edited layer may cite samples the same way.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._layers._read import read_spec
from specwright._model import Example, Spec
from specwright._results._feedback import parse_sample_ref
from specwright._spec_diff import diff_specs
from specwright._spec_diff._model import SpecDiff
from specwright._studio._index import RevisionComment, RevisionDecision, StudioIndex

__all__ = [
    "CitedSample",
    "cited_samples",
    "make_comment",
    "make_decision",
    "read_revision",
    "revision_diff",
    "thread_key",
    "written_as_spec",
]

_MAX_COMMENT = 4000
# `run `R` sample `S` (why)`: the why (optional) runs to the `)` that ends the citation (then
# `;`, `.` or the line's end), so a why with parentheses of its own stays whole. The why holds
# no backtick: its search stops at the next citation's `run `, so a line of many citations
# costs time linear in its length (an unbounded why made it quadratic).
_CITATION = re.compile(r"run `([^`]+)` sample `([^`]+)`(?: \(([^`]*?)\)(?=;|\.|\s*$))?", re.M)


class CitedSample(FrozenModel):
    """A sample a revision's new example cites as its evidence."""

    section_id: str
    """The section the citing example belongs to."""
    example_id: str
    """The citing example."""
    example_title: str
    """Its title."""
    run_id: str
    """The run the sample belongs to."""
    scenario_id: str
    """The sample's scenario."""
    epoch: int
    """The sample's epoch."""
    why: str
    """Why ``propose`` chose it (feedback, disagreement, every model failing)."""


def revision_diff(base: Spec, proposal: Path) -> SpecDiff:
    """The proposal's changes to ``base``; an unreadable proposal is a ``SpecError``."""
    return read_revision(base, proposal)[1]


def read_revision(base: Spec, proposal: Path) -> tuple[Spec, SpecDiff]:
    """The proposed spec and its changes to ``base``; unreadable: a ``SpecError``."""
    proposed = read_spec(proposal)
    return proposed, diff_specs(base, proposed)


def cited_samples(base: Spec, proposed: Spec) -> list[CitedSample]:
    """The samples cited by the examples the proposal adds or changes, in spec order."""
    known = {e.id: _placeless(e) for _, e in base.examples()}
    cited = []
    for section, example in proposed.examples():
        if known.get(example.id) == _placeless(example):
            continue  # unchanged: its citations (if any) are old news
        cited += _citations(section.id, example)
    return cited


def _placeless(example: Example) -> Example:
    return example.model_copy(update={"location": None})


def _citations(section_id: str, example: Example) -> list[CitedSample]:
    found = []
    for run_id, sample, why in _CITATION.findall(example.trailing_markdown):
        try:
            ref = parse_sample_ref(sample)
        except ConfigurationError:
            continue  # not a sample name: prose that happens to look like a citation
        found.append(
            CitedSample(section_id=section_id, example_id=example.id,
                        example_title=example.title, run_id=run_id,
                        scenario_id=ref.scenario_id, epoch=ref.epoch, why=why)
        )  # fmt: skip
    return found


def written_as_spec(index: StudioIndex, spec: Spec, proposal: Path) -> RevisionDecision | None:
    """The approval that wrote ``proposal`` as the spec that is current now, if one did."""
    current = spec.content_hash()
    written = index.decisions_for([current]).get(current)
    if written is not None and (written.written_hash, written.proposal) == (current, str(proposal)):
        return written
    return None


def thread_key(index: StudioIndex, spec: Spec, proposal: Path, diff: SpecDiff) -> str:
    """The proposed-spec hash a revision's decisions and comments are kept under.

    The proposal's own, unless an approval wrote it as the spec that is current now: an
    overlay then composes on the revised spec and hashes anew, yet it is the same revision.
    """
    written = written_as_spec(index, spec, proposal)
    return written.proposed_hash if written is not None else diff.new.content_hash


def make_comment(proposed_hash: str, *, author: str, text: str) -> RevisionComment:
    """A comment on the revision; an empty or too long one is a :class:`ConfigurationError`."""
    text = text.strip()
    if not text:
        raise ConfigurationError("a comment needs some text")
    if len(text) > _MAX_COMMENT:
        raise ConfigurationError(f"a comment holds at most {_MAX_COMMENT} characters")
    created = datetime.now(UTC)
    key = f"{proposed_hash}\x00{author}\x00{created.isoformat()}\x00{text}"
    return RevisionComment(
        comment_id=hashlib.sha256(key.encode()).hexdigest()[:24],
        created=created,
        author=author,
        proposed_hash=proposed_hash,
        text=text,
    )


def make_decision(
    diff: SpecDiff,
    proposal: Path,
    decision: str,
    *,
    author: str,
    reason: str,
) -> RevisionDecision:
    """A decision record; a rejection without a reason is a :class:`ConfigurationError`."""
    if decision not in ("approved", "rejected"):
        raise ConfigurationError("decision must be approved or rejected")
    if decision == "rejected" and not reason.strip():
        raise ConfigurationError("a rejection needs a reason (kept with the decision)")
    created = datetime.now(UTC)
    key = f"{diff.new.content_hash}\x00{decision}\x00{author}\x00{created.isoformat()}"
    verdict: Literal["approved", "rejected"] = "approved" if decision == "approved" else "rejected"
    return RevisionDecision(
        decision_id=hashlib.sha256(key.encode()).hexdigest()[:24],
        created=created,
        author=author,
        proposal=str(proposal),
        base_hash=diff.old.content_hash,
        proposed_hash=diff.new.content_hash,
        decision=verdict,
        reason=reason.strip(),
    )
