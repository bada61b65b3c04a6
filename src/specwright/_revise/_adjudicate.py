"""Adjudicated results: a person's verdict replaces the judge's for that sample.

The judge's figures are kept beside the adjudicated ones (``judge_overall``) and every changed
sample is marked, so a report can show both and say which samples a person decided. The newest
labelling feedback on a sample wins; an ``unclear`` verdict is not a label and changes nothing
here (:func:`unclear_samples` names the samples whose newest word from a person is doubt).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from specwright._results import RunResult, SampleResult, with_samples
from specwright._results._feedback import Feedback

__all__ = ["adjudicate", "apply_feedback", "stored_feedback", "unclear_samples", "without_unclear"]

SampleKey = tuple[str, str, int]
"""A sample of a run: ``(run id, scenario id, epoch)``."""


def adjudicate(run: RunResult, feedback: Iterable[Feedback]) -> RunResult:
    """``run`` with the human verdicts of ``feedback`` (for this run) in place of the judge's."""
    latest: dict[tuple[str, int], Feedback] = {}
    for item in sorted(feedback, key=lambda f: f.created):
        if item.run_id == run.run_id and item.is_label:
            latest[(item.scenario_id, item.epoch)] = item
    if not latest:
        return run
    samples = tuple(_decided(s, latest.get((s.scenario_id, s.epoch))) for s in run.samples)
    return with_samples(
        run,
        samples,
        n_adjudicated=sum(1 for s in samples if s.adjudicated),
        judge_overall=run.judge_overall or run.overall,
    )


def unclear_samples(feedback: Iterable[Feedback]) -> set[SampleKey]:
    """The samples whose newest feedback is ``unclear`` (a later label clears the doubt)."""
    newest: dict[SampleKey, Feedback] = {}
    for item in sorted(feedback, key=lambda f: f.created):
        newest[(item.run_id, item.scenario_id, item.epoch)] = item
    return {key for key, item in newest.items() if not item.is_label}


def without_unclear(runs: Sequence[RunResult], unclear: set[SampleKey]) -> list[RunResult]:
    """``runs`` without the samples in ``unclear`` (for training data: doubt is no label)."""
    kept = []
    for run in runs:
        samples = tuple(
            s for s in run.samples if (run.run_id, s.scenario_id, s.epoch) not in unclear
        )
        kept.append(run if len(samples) == len(run.samples) else with_samples(run, samples))
    return kept


def _decided(sample: SampleResult, item: Feedback | None) -> SampleResult:
    if item is None:
        return sample
    return sample.model_copy(
        update={
            "compliant": item.compliant,
            "adjudicated": True,
            "judge_compliant": sample.compliant
            if not sample.adjudicated
            else sample.judge_compliant,
        }
    )


def apply_feedback(runs: Sequence[RunResult], db_url: str) -> list[RunResult]:
    """``runs`` adjudicated with the feedback the results store holds for them."""
    items = stored_feedback(db_url, [r.run_id for r in runs])
    return [adjudicate(run, items) for run in runs] if items else list(runs)


def stored_feedback(
    db_url: str, run_ids: Sequence[str] | None = None, section_id: str | None = None
) -> list[Feedback]:
    """The feedback the store holds (on ``run_ids``, about ``section_id``), oldest first.

    A SQLite store that does not exist yet holds no feedback: it is not created just to look.
    """
    from sqlalchemy.engine import make_url

    from specwright._results._store import ResultsStore

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return []
    with ResultsStore(db_url) as store:
        ids = None if run_ids is None else list(run_ids)
        return store.feedback(run_ids=ids, section_id=section_id)
