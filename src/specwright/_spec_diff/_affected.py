"""Which sections an eval must re-run after a spec changed, and which results still stand."""

from __future__ import annotations

from typing import get_args

from specwright._model import Spec
from specwright._spec_diff._compare import diff_specs
from specwright._spec_diff._model import ChangeKind

__all__ = ["AFFECTING", "affected_sections"]

AFFECTING: frozenset[ChangeKind] = frozenset(get_args(ChangeKind)) - {
    "section-removed",  # a removed section has no scenarios left to run
    "section-moved",  # a move alone changes neither text, authority nor examples
}
"""Changes that can change a section's scenarios or how they are graded (a move does not)."""


def affected_sections(old: Spec, new: Spec) -> tuple[str, ...]:
    """Ids of ``new``'s sections whose text, authority, examples or eval prompts changed
    since ``old``, and of the sections that cross-reference one of them, in document order.

    A cross reference (``[?](#id)``, ``[text](#id)`` or a label's ``BAD[#id]``) means the
    referring section's rule leans on the changed one, so its results may change too.
    """
    changed = {
        change.section_id
        for change in diff_specs(old, new).changes
        if change.kind in AFFECTING and change.section_id and new.get(change.section_id)
    }
    referrers = {
        ref.source_section
        for ref in new.cross_references()
        if ref.target in changed and ref.source_section is not None
    }
    referrers |= {
        section.id
        for section, example in new.examples()
        if any(answer.reference in changed for answer in example.answers)
    }
    wanted = changed | referrers
    return tuple(section.id for section in new.walk() if section.id in wanted)
