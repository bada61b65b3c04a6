"""A run's aggregate figures, computed once from its samples."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from specwright._results._agreement import judge_agreement, judge_agreements
from specwright._results._models import RunHeader, RunResult, SampleResult
from specwright._results._rates import group_rates, rate

__all__ = ["summarize_run", "with_samples"]


def summarize_run(
    header: RunHeader, samples: Iterable[SampleResult], *, whole_spec_grader_tokens: int = 0
) -> RunResult:
    """The :class:`RunResult` of ``header``'s run with ``samples``: rates, counts and tokens.

    Built through the model's constructor, so every field is validated.
    """
    samples = tuple(samples)
    return RunResult(
        **dict(header),
        samples=samples,
        overall=rate(samples),
        by_section=group_rates(samples, lambda s: [s.section_id]),
        by_authority=group_rates(samples, lambda s: [s.authority or "none"]),
        by_tag=group_rates(samples, lambda s: s.tags),
        n_scored=sum(1 for s in samples if s.compliant is not None),
        n_unscored=sum(1 for s in samples if s.compliant is None),
        grader_tokens=sum(s.grader_tokens for s in samples),
        whole_spec_grader_tokens=whole_spec_grader_tokens,
        judge_agreement=judge_agreement(samples),
        judge_agreement_by_section=judge_agreements(samples),
    )


def with_samples(run: RunResult, samples: Iterable[SampleResult], **fields: Any) -> RunResult:
    """``run`` with ``samples`` in place of its own and every aggregate recomputed.

    Other fields keep their values unless ``fields`` sets them; the result is validated.
    """
    header = RunHeader.model_validate(run.model_dump(include=set(RunHeader.model_fields)))
    fresh = summarize_run(header, samples, whole_spec_grader_tokens=run.whole_spec_grader_tokens)
    return RunResult.model_validate({**run.model_dump(), **fresh.model_dump(), **fields})
