"""What a renderer receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from specwright._model import Spec
from specwright._report._diff import RunDiff
from specwright._results import RunResult
from specwright._results._feedback import Feedback

__all__ = ["ReportInput"]


@dataclass(frozen=True)
class ReportInput:
    """The runs to show (baseline first when diffing), the spec if known, and the diff."""

    runs: tuple[RunResult, ...]
    """The runs, side by side in this order."""
    spec: Spec | None = None
    """The spec the runs used, for section text and order."""
    diff: RunDiff | None = None
    """Set when the report compares ``runs[1]`` against the baseline ``runs[0]``."""
    min_kappa: float = 0.4
    """The kappa below which a run's judge is flagged as weak (setting ``min_kappa``)."""
    feedback: tuple[Feedback, ...] = ()
    """People's feedback on the runs (``specwright feedback``), counted per section."""
    spec_revisions: Mapping[str, str] = field(default_factory=dict)
    """Spec hash → the decision that produced that spec (``spec revision …, approved by …``)."""
