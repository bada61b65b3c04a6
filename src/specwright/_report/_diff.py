"""Run-vs-run comparison: which sections changed beyond their CIs, which scenarios flipped.

The test is deliberately conservative and needs nothing but what each run recorded (the rule
is stated word for word on every diff page, from :data:`CHANGE_RULE`):

- **improved** when the candidate's 95% interval lies entirely above the baseline's
  (``candidate.ci_low > baseline.ci_high``), **regressed** when it lies entirely below;
- **unchanged** when the intervals overlap and the two rates differ by less than
  :data:`UNCHANGED_WITHIN` (5 points);
- **inconclusive** when the intervals overlap but the rates differ by 5 points or more: the
  runs hold too few samples to tell (a section going from 100% to 0% on two samples is
  inconclusive, never unchanged).

Non-overlapping 95% intervals imply a difference significant at well under the 5% level, so
a flagged change is a real one. When a run recorded a rate without an interval, the Wilson
95% interval of ``rate`` and ``n`` is used instead.

A scenario **flipped** when the same ``(scenario_id, epoch)`` was scored in both runs with
different verdicts: ``regressed`` (compliant → non-compliant) or ``fixed`` (the reverse).
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict

from specwright._report._view import natural_key, section_titles, wilson
from specwright._results import Rate, RunResult, SampleResult

__all__ = [
    "CHANGE_RULE",
    "UNCHANGED_WITHIN",
    "Change",
    "Flip",
    "FlipDirection",
    "RateChange",
    "RunDiff",
    "diff_runs",
]

Change: TypeAlias = Literal[
    "improved", "regressed", "inconclusive", "unchanged", "new", "dropped", "unscored"
]
"""How a rate moved: beyond the CIs, within them (close or not), or not comparable."""

UNCHANGED_WITHIN = 0.05
"""Overlapping rates closer than this (5 points) are ``unchanged``; farther, ``inconclusive``."""

CHANGE_RULE = (
    "improved / regressed: the candidate's 95% interval lies entirely above / below the "
    "baseline's. unchanged: the intervals overlap and the rates differ by less than 5 points. "
    "inconclusive: the intervals overlap but the rates differ by 5 points or more, so there "
    "are too few samples to tell. new / dropped: only one run covered the section; unscored: "
    "a run scored none of its samples."
)
"""The rule behind :data:`Change`, in words, for every diff page."""

FlipDirection: TypeAlias = Literal["fixed", "regressed"]
"""``fixed``: non-compliant → compliant; ``regressed``: compliant → non-compliant."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class RateChange(_Frozen):
    """A rate in the baseline and in the candidate, and whether it moved beyond the CIs."""

    key: str
    """Section id (or ``overall``)."""
    title: str = ""
    """Section title when known."""
    baseline: Rate | None
    """The baseline's rate (``None`` when the baseline did not cover it)."""
    candidate: Rate | None
    """The candidate's rate."""
    delta: float | None
    """``candidate.rate - baseline.rate`` when both were scored."""
    change: Change
    """The verdict of the non-overlapping-CI test."""


class Flip(_Frozen):
    """A scenario whose verdict differs between the runs."""

    scenario_id: str
    """The scenario."""
    epoch: int
    """The epoch (scenarios are matched by id and epoch)."""
    section_id: str
    """Its governing section."""
    direction: FlipDirection
    """Which way it flipped."""
    baseline_rationale: str = ""
    """The judge's rationale in the baseline."""
    candidate_rationale: str = ""
    """The judge's rationale in the candidate."""


class RunDiff(_Frozen):
    """The comparison of a candidate run against a baseline run."""

    baseline_run_id: str
    """The baseline's run id."""
    candidate_run_id: str
    """The candidate's run id."""
    baseline_model: str
    """The baseline's model."""
    candidate_model: str
    """The candidate's model."""
    same_spec: bool
    """Whether both runs used the same spec (same content hash)."""
    method: str = "non-overlapping 95% confidence intervals"
    """The test behind ``improved``/``regressed``."""
    overall: RateChange
    """The overall compliance change."""
    sections: tuple[RateChange, ...] = ()
    """Every section either run covered, in the candidate's order then the baseline's."""
    flips: tuple[Flip, ...] = ()
    """Flipped scenarios, sorted by section, scenario and epoch."""

    @property
    def improved(self) -> tuple[RateChange, ...]:
        """Sections that improved beyond the CIs."""
        return tuple(s for s in self.sections if s.change == "improved")

    @property
    def regressed(self) -> tuple[RateChange, ...]:
        """Sections that got worse beyond the CIs."""
        return tuple(s for s in self.sections if s.change == "regressed")

    @property
    def inconclusive(self) -> tuple[RateChange, ...]:
        """Sections whose rates moved by 5 points or more within overlapping CIs."""
        return tuple(s for s in self.sections if s.change == "inconclusive")

    @property
    def better(self) -> tuple[RateChange, ...]:
        """Alias of :attr:`improved` (the name before the states were renamed)."""
        return self.improved

    @property
    def worse(self) -> tuple[RateChange, ...]:
        """Alias of :attr:`regressed` (the name before the states were renamed)."""
        return self.regressed

    @property
    def regressions(self) -> tuple[Flip, ...]:
        """Scenarios that went from compliant to non-compliant."""
        return tuple(f for f in self.flips if f.direction == "regressed")


def _interval(rate: Rate) -> tuple[float, float]:
    if rate.ci_low is not None and rate.ci_high is not None:
        return (rate.ci_low, rate.ci_high)
    assert rate.rate is not None
    return wilson(rate.rate, rate.n)


def compare_rates(baseline: Rate | None, candidate: Rate | None) -> Change:
    """Apply the non-overlapping-CI test to two rates."""
    if baseline is None or candidate is None:
        return _presence(baseline, candidate)
    if baseline.rate is None or candidate.rate is None:
        return "unscored"
    base_low, base_high = _interval(baseline)
    cand_low, cand_high = _interval(candidate)
    if cand_low > base_high:
        return "improved"
    if cand_high < base_low:
        return "regressed"
    # Overlapping intervals say "no evidence of change", not "no change": only rates that
    # are close are called unchanged (rounded so that 0.3 - 0.25 counts as 5 points).
    if round(abs(candidate.rate - baseline.rate), 9) < UNCHANGED_WITHIN:
        return "unchanged"
    return "inconclusive"


def _presence(baseline: Rate | None, candidate: Rate | None) -> Change:
    if baseline is None and candidate is None:
        return "unscored"
    return "new" if baseline is None else "dropped"


def _rate_change(key: str, title: str, baseline: Rate | None, candidate: Rate | None) -> RateChange:
    delta = None
    if baseline and candidate and baseline.rate is not None and candidate.rate is not None:
        delta = candidate.rate - baseline.rate
    return RateChange(
        key=key,
        title=title,
        baseline=baseline,
        candidate=candidate,
        delta=delta,
        change=compare_rates(baseline, candidate),
    )


def _flips(baseline: RunResult, candidate: RunResult) -> list[Flip]:
    before: dict[tuple[str, int], SampleResult] = {
        (s.scenario_id, s.epoch): s for s in baseline.samples if s.compliant is not None
    }
    flips: list[Flip] = []
    for sample in candidate.samples:
        old = before.get((sample.scenario_id, sample.epoch))
        if old is None or sample.compliant is None or old.compliant == sample.compliant:
            continue
        flips.append(
            Flip(
                scenario_id=sample.scenario_id,
                epoch=sample.epoch,
                section_id=sample.section_id,
                direction="fixed" if sample.compliant else "regressed",
                baseline_rationale=old.rationale,
                candidate_rationale=sample.rationale,
            )
        )
    return sorted(flips, key=lambda f: (f.section_id, natural_key(f.scenario_id), f.epoch))


def diff_runs(baseline: RunResult, candidate: RunResult) -> RunDiff:
    """Compare ``candidate`` against ``baseline`` (see the module docstring for the test)."""
    titles = section_titles([candidate, baseline])
    keys = dict.fromkeys([*candidate.by_section, *baseline.by_section])
    sections = tuple(
        _rate_change(
            key, titles.get(key, ""), baseline.by_section.get(key), candidate.by_section.get(key)
        )
        for key in keys
    )
    return RunDiff(
        baseline_run_id=baseline.run_id,
        candidate_run_id=candidate.run_id,
        baseline_model=baseline.model,
        candidate_model=candidate.model,
        same_spec=baseline.spec_hash == candidate.spec_hash,
        overall=_rate_change("overall", "", baseline.overall, candidate.overall),
        sections=sections,
        flips=tuple(_flips(baseline, candidate)),
    )
