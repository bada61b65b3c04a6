"""The summary of one eval run: what ``specwright eval --json`` prints, as one typed record."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from specwright._frozen import FrozenModel
from specwright._results import Calibration, JudgeAgreement, Rate, RunResult

if TYPE_CHECKING:
    from specwright._eval._run import RunOutcome

__all__ = ["RunSummary"]

_SEVERAL_JUDGES = ("graders", "judge_calibrations", "judge_agreement", "judge_agreement_by_section")


class RunSummary(FrozenModel):
    """A run's headline figures: rates by key, their intervals in parallel ``*_ci`` keys and
    their sample counts in ``*_n`` keys; the judges' agreement when several graded.

    A partial run (``complete`` false) has no ``overall`` figure: its rates cover only the
    samples that finished.
    """

    complete: bool
    """Every sample finished (and the log says so)."""
    samples_done: int
    """Samples that finished, scored or unscored by the judge."""
    samples_total: int
    """Samples the run was to do (scenarios times epochs)."""
    failed: dict[str, int]
    """Failed samples by reason."""
    overall: float | None
    """Overall compliance; ``None`` for a partial run or when nothing was scored."""
    overall_ci: list[float | None]
    """Its 95% interval, ``[low, high]``."""
    n_scored: int
    """Samples the judge scored."""
    n_unscored: int
    """Samples the judge could not score (they count in no rate)."""
    unscored_reasons: dict[str, int]
    """Why answers went unscored, by reason."""
    by_section: dict[str, float | None]
    """Compliance by section id."""
    by_section_ci: dict[str, list[float | None]]
    """Its intervals."""
    by_section_n: dict[str, int]
    """Scored samples behind each section's rate."""
    by_authority: dict[str, float | None]
    """Compliance by authority level (``none`` for framing text)."""
    by_authority_ci: dict[str, list[float | None]]
    """Its intervals."""
    by_authority_n: dict[str, int]
    """Scored samples behind each level's rate."""
    by_tag: dict[str, float | None]
    """Compliance by scenario tag."""
    by_tag_ci: dict[str, list[float | None]]
    """Its intervals."""
    by_tag_n: dict[str, int]
    """Scored samples behind each tag's rate."""
    grader_tokens: int
    """Tokens the judge spent."""
    whole_spec_grader_tokens: int
    """What the judge would have spent with the whole spec in every prompt."""
    model: str
    """The model under test."""
    grader: str | None
    """The (first) judge."""
    epochs: int
    """Times each scenario ran."""
    calibration: Calibration | None
    """The judge's calibration the run recorded."""
    log: str | None
    """Where the run's log lies."""
    graders: tuple[str, ...] = ()
    """Every judge, when several graded (the four judge keys are absent with one)."""
    judge_calibrations: dict[str, Calibration] = Field(default_factory=dict)
    """Each judge's calibration, when several graded and some were recorded."""
    judge_agreement: JudgeAgreement | None = None
    """How far several judges agreed."""
    judge_agreement_by_section: dict[str, JudgeAgreement] = Field(default_factory=dict)
    """Their agreement by section."""

    @model_serializer(mode="wrap")
    def _one_judge_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # With one judge the summary has no judge keys; with several, only those that hold
        # something (as a run's own record drops them).
        data: dict[str, Any] = handler(self)
        several = bool(data.get("graders"))
        for key in _SEVERAL_JUDGES:
            if key in data and not (several and data[key]):
                del data[key]
        return data

    @classmethod
    def of(cls, result: RunResult, ended: RunOutcome | None = None) -> RunSummary:
        """The summary of ``result``, as the run ``ended`` (``None``: a run read back or
        carried over whole, so complete)."""
        complete = ended is None or ended.complete
        finished = result.n_scored + result.n_unscored
        return cls(
            complete=complete,
            samples_done=ended.done if ended else finished,
            samples_total=ended.total if ended else finished,
            failed=ended.failures if ended else {},
            overall=result.overall.rate if complete else None,
            overall_ci=_ci(result.overall) if complete else [None, None],
            n_scored=result.n_scored,
            n_unscored=result.n_unscored,
            unscored_reasons=dict(
                Counter(
                    s.unscored_reason or "unknown" for s in result.samples if s.compliant is None
                )
            ),
            by_section=_rates(result.by_section),
            by_section_ci=_cis(result.by_section),
            by_section_n=_counts(result.by_section),
            by_authority=_rates(result.by_authority),
            by_authority_ci=_cis(result.by_authority),
            by_authority_n=_counts(result.by_authority),
            by_tag=_rates(result.by_tag),
            by_tag_ci=_cis(result.by_tag),
            by_tag_n=_counts(result.by_tag),
            grader_tokens=result.grader_tokens,
            whole_spec_grader_tokens=result.whole_spec_grader_tokens,
            model=result.model,
            grader=result.grader,
            epochs=result.epochs,
            calibration=result.calibration,
            log=result.log_path,
            graders=result.graders,
            judge_calibrations=result.judge_calibrations,
            judge_agreement=result.judge_agreement,
            judge_agreement_by_section=result.judge_agreement_by_section,
        )


def _ci(rate: Rate) -> list[float | None]:
    return [rate.ci_low, rate.ci_high]


def _rates(rates: dict[str, Rate]) -> dict[str, float | None]:
    return {key: rate.rate for key, rate in rates.items()}


def _cis(rates: dict[str, Rate]) -> dict[str, list[float | None]]:
    return {key: _ci(rate) for key, rate in rates.items()}


def _counts(rates: dict[str, Rate]) -> dict[str, int]:
    return {key: rate.n for key, rate in rates.items()}
