"""Proposed revisions of the spec: read, compared with the spec, decided on by people.

A proposal is a layer ``propose`` wrote (an overlay on the spec) or a hand-edited copy; it is
read as ``read_spec`` reads any spec (an overlay composed on its base) and compared section by
section with :func:`specwright._spec_diff.diff_specs`. A decision names the proposed spec by
its content hash, so a proposal edited after it was decided on is a new revision.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from specwright._errors import ConfigurationError
from specwright._layers._read import read_spec
from specwright._model import Spec
from specwright._spec_diff import diff_specs
from specwright._spec_diff._model import SpecDiff
from specwright._studio._index import RevisionDecision

__all__ = ["make_decision", "revision_diff"]


def revision_diff(base: Spec, proposal: Path) -> SpecDiff:
    """The proposal's changes to ``base``; an unreadable proposal is a ``SpecError``."""
    return diff_specs(base, read_spec(proposal))


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
