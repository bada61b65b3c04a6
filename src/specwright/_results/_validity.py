"""How far a run's judge can be trusted, from the calibration the run recorded."""

from __future__ import annotations

from typing import Literal, TypeAlias

from specwright._frozen import FrozenModel
from specwright._results._models import Calibration, RunHeader

__all__ = [
    "JudgeValidity",
    "ValidityStatus",
    "judge_validity",
    "judges_validity",
    "undefined_reason",
]

ValidityStatus: TypeAlias = Literal["ok", "weak", "undefined", "missing"]
"""How far a run's judge can be trusted, from its recorded calibration."""


class JudgeValidity(FrozenModel):
    """A plain-words verdict on a run's judge, from the calibration the run recorded."""

    status: ValidityStatus
    """``ok`` at or above the threshold; ``weak`` below; ``undefined`` when kappa could not be
    computed (e.g. one label only); ``missing`` when the run recorded no calibration."""
    kappa: float | None
    """The recorded kappa, if any."""
    threshold: float
    """The kappa the verdict was measured against (setting ``SPECWRIGHT_MIN_KAPPA``)."""
    reason: str | None = None
    """Why kappa is undefined, in words (``undefined`` only): nothing the judge said could
    be read, or the labels and verdicts fall in one class."""

    @property
    def trusted(self) -> bool:
        """Whether figures judged by this grader can be read without a warning."""
        return self.status == "ok"

    @property
    def message(self) -> str:
        """One line for people: what the status means for the run's figures."""
        if self.status == "missing":
            return "no calibration recorded: how far to trust the judge is unknown"
        if self.status == "undefined":
            return (
                "judge calibration has an undefined kappa: its agreement with the labels is unknown"
                + (f" ({self.reason})" if self.reason else "")
            )
        assert self.kappa is not None
        if self.status == "weak":
            return (
                f"judge is weak: kappa {self.kappa:.2f} is below {self.threshold:.2f}, "
                "so compliance figures may not reflect the spec"
            )
        return f"judge calibrated: kappa {self.kappa:.2f} (threshold {self.threshold:.2f})"


def judge_validity(calibration: Calibration | None, threshold: float = 0.4) -> JudgeValidity:
    """Classify a run's judge by its recorded calibration against a kappa ``threshold``."""
    if calibration is None:
        return JudgeValidity(status="missing", kappa=None, threshold=threshold)
    kappa = calibration.kappa
    if kappa is None:
        reason = undefined_reason(calibration)
        return JudgeValidity(status="undefined", kappa=None, threshold=threshold, reason=reason)
    status: ValidityStatus = "ok" if kappa >= threshold else "weak"
    return JudgeValidity(status=status, kappa=kappa, threshold=threshold)


def undefined_reason(calibration: Calibration) -> str:
    """Why a calibration's kappa is undefined, in words."""
    if calibration.n_scored == 0 and calibration.n_unscored:
        top = next(iter(calibration.unscored_reasons), None)
        why = f"; most often: {top}" if top else ""
        return f"none of the judge's {calibration.n_unscored} calibration grades could be read{why}"
    if calibration.n_scored == 0:
        return "no labelled answer was graded"
    return "the labels and the verdicts all fall in one class (too few or one-sided labels)"


def judges_validity(run: RunHeader, threshold: float = 0.4) -> dict[str, JudgeValidity]:
    """:func:`judge_validity` of each judge of ``run``, by judge (one entry with one judge).

    With several judges each is measured against the threshold on its own calibration: one
    trusted judge does not vouch for another.
    """
    if not run.graders:
        return {run.grader or "judge": judge_validity(run.calibration, threshold)}
    return {g: judge_validity(run.judge_calibrations.get(g), threshold) for g in run.graders}
