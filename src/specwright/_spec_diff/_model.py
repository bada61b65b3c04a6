"""The typed result of a spec diff: one :class:`SpecChange` per edit, in document order."""

from __future__ import annotations

from collections import Counter
from typing import Literal, TypeAlias, get_args

from specwright._frozen import FrozenModel
from specwright._model import SourceLocation

__all__ = ["CHANGE_KINDS", "ChangeKind", "SpecChange", "SpecDiff", "SpecSide", "WordSpan"]

ChangeKind: TypeAlias = Literal[
    "section-added",
    "section-removed",
    "section-moved",
    "section-reparented",
    "authority-raised",
    "authority-lowered",
    "title-changed",
    "text-changed",
    "example-added",
    "example-removed",
    "example-relabelled",
    "example-changed",
    "eval-prompt-added",
    "eval-prompt-removed",
]
"""What kind of edit a change is."""

CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)
"""Every change kind, in the order changes of a section are listed."""


class WordSpan(FrozenModel):
    """A run of words of a text change: kept, inserted or deleted."""

    op: Literal["equal", "insert", "delete"]
    text: str


class SpecChange(FrozenModel):
    """One semantic edit between two specs."""

    kind: ChangeKind
    section_id: str | None = None
    """The section concerned (``None`` for an eval prompt no section carries)."""
    item_id: str | None = None
    """The example or eval prompt concerned (its id in the new spec, else the old)."""
    summary: str
    """One line saying what changed."""
    flagged: bool = False
    """Changes a reviewer must look at: authority raised or lowered, GOOD↔BAD relabels."""
    old: str | None = None
    """The old value (authority, parent, label, title) where there is one."""
    new: str | None = None
    """The new value."""
    words: tuple[WordSpan, ...] = ()
    """For ``text-changed``: the word-level diff of the section's own text."""
    old_location: SourceLocation | None = None
    new_location: SourceLocation | None = None


class SpecSide(FrozenModel):
    """One of the two specs compared."""

    title: str
    version: str | None = None
    content_hash: str
    source: str | None = None


class SpecDiff(FrozenModel):
    """All changes from ``old`` to ``new``."""

    old: SpecSide
    new: SpecSide
    changes: tuple[SpecChange, ...] = ()

    def counts(self) -> dict[str, int]:
        """Changes per kind, only kinds that occur, in :data:`CHANGE_KINDS` order."""
        seen = Counter(change.kind for change in self.changes)
        return {kind: seen[kind] for kind in CHANGE_KINDS if seen[kind]}

    def matching(self, selectors: tuple[str, ...]) -> tuple[SpecChange, ...]:
        """Changes matched by any selector: a kind, ``authority`` (raised or lowered),
        ``flagged``, ``good-to-bad``, ``section``/``example``/``eval-prompt`` (every change of
        that family) or ``any``."""
        return tuple(c for c in self.changes if any(_matches(c, s) for s in selectors))


SELECTORS: tuple[str, ...] = (
    *CHANGE_KINDS,
    "authority",
    "flagged",
    "good-to-bad",
    "section",
    "example",
    "eval-prompt",
    "text",
    "any",
)
"""What ``--fail-on`` accepts."""


def _matches(change: SpecChange, selector: str) -> bool:
    if selector in ("any", change.kind):
        return True
    if selector == "flagged":
        return change.flagged
    if selector == "good-to-bad":
        return change.kind == "example-relabelled" and (change.old, change.new) == ("GOOD", "BAD")
    if selector == "text":
        return change.kind in ("text-changed", "title-changed")
    return selector in ("authority", "section", "example", "eval-prompt") and (
        change.kind.startswith(selector + "-")
    )
