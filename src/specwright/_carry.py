"""Carry a baseline run's results over for the sections a spec change left alone.

``specwright eval --changed-since OLD_SPEC --baseline RUN`` runs only the scenarios of the
sections that changed (see :func:`specwright._spec_diff._affected.affected_sections`) and
then merges: the fresh samples, plus every baseline sample of a section that still exists
and did not change, marked with ``SampleResult.carried_from``. Reports and history then see
the whole spec.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._results import RunResult

__all__ = ["carry_over", "empty_run"]


def carry_over(
    run: RunResult, baseline: RunResult, rerun: Collection[str], spec: Spec
) -> RunResult:
    """``run`` (the sections in ``rerun``) completed with ``baseline``'s other results.

    ``rerun`` holds every section id whose scenarios ran afresh (descendants included). The
    baseline must have evaluated the same model: carrying another model's results over would
    report a spec-wide figure no model earned.
    """
    from specwright._eval._logs import summarize  # the eval extra; --changed-since needs it

    if baseline.model != run.model:
        raise ConfigurationError(
            f"--baseline ran {baseline.model}, this run {run.model}: "
            "carry over results of the same model only"
        )
    carried = tuple(
        sample.model_copy(update={"carried_from": baseline.run_id})
        for sample in baseline.samples
        if sample.section_id not in rerun and spec.get(sample.section_id) is not None
    )
    return run.model_copy(update=summarize((*run.samples, *carried)))


def empty_run(baseline: RunResult, spec: Spec) -> RunResult:
    """A run of ``spec`` with no fresh sample, for when no section changed at all."""
    from specwright._eval._logs import summarize

    return RunResult(
        run_id=f"{baseline.run_id}-carried",
        model=baseline.model,
        grader=baseline.grader,
        spec_title=spec.title,
        spec_version=spec.version,
        spec_hash=spec.content_hash(),
        created=datetime.now(UTC),
        enforce=baseline.enforce,
        epochs=baseline.epochs,
        calibration=baseline.calibration,
        overall=summarize(())["overall"],
    )
