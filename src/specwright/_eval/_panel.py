"""The judges of one eval run: their names as they will run, and the calibrations it records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specwright._eval._calibrate import calibration_for
from specwright._eval._provider import resolve_model_name
from specwright._frozen import FrozenModel

__all__ = ["JudgePanel"]


class JudgePanel(FrozenModel):
    """Who grades a run (one judge, or several whose majority counts) and which saved
    calibration of each the run records; the fields of :class:`EvalOptions` they fill."""

    grader: str
    """The (first) judge, as it will run."""
    graders: tuple[str, ...] = ()
    """Every judge, as they will run, when several grade; empty with one."""
    calibration: str | None = None
    """The first judge's saved calibration of this spec, if any."""
    judge_calibrations: tuple[str, ...] = ()
    """Each judge's saved calibration, when several grade (those that exist)."""
    uncalibrated: tuple[str, ...] = ()
    """Judges, as named, with no saved calibration of this spec: warn before the run."""

    @classmethod
    def of(
        cls, judges: Sequence[str], log_dir: Path, spec_hash: str, sections: Sequence[str] = ()
    ) -> JudgePanel:
        """The panel of ``judges`` (at least one) for an eval of ``sections`` of the spec
        hashed ``spec_hash``, whose calibrations lie in ``log_dir``."""
        names = tuple(resolve_model_name(judge) for judge in judges)
        saved = [calibration_for(log_dir, name, spec_hash, sections) for name in names]
        several = len(names) > 1
        return cls(
            grader=names[0],
            graders=names if several else (),
            calibration=str(saved[0]) if saved[0].is_file() else None,
            judge_calibrations=tuple(str(p) for p in saved if p.is_file()) if several else (),
            uncalibrated=tuple(j for j, p in zip(judges, saved, strict=True) if not p.is_file()),
        )
