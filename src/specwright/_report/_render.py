"""``render_report``: the one entry point of the run-report renderers (found by format name
in :data:`~specwright._report._formats.REPORT_FORMATS`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._report._diff import diff_runs
from specwright._report._formats import REPORT_FORMATS, ReportFormat
from specwright._report._input import ReportInput
from specwright._results import RunResult
from specwright._results._feedback import Feedback

__all__ = ["render_report"]


def render_report(
    runs: Sequence[RunResult],
    format: ReportFormat | str = "html",
    *,
    spec: Spec | None = None,
    baseline: RunResult | None = None,
    min_kappa: float = 0.4,
    feedback: Sequence[Feedback] = (),
    spec_revisions: Mapping[str, str] | None = None,
) -> str:
    """Render one or more runs (side by side) as HTML, markdown, JSON or a plugin's format.

    With ``baseline``, ``runs`` must hold exactly one candidate run; the report then leads
    with :func:`diff_runs` of the two and shows both runs side by side, baseline first.
    A run whose recorded judge calibration is missing, undefined or below ``min_kappa``
    (the ``SPECWRIGHT_MIN_KAPPA`` setting, passed in by the caller) is flagged in the report.
    ``feedback`` (people's verdicts on these runs) is counted per section in the HTML page;
    ``spec_revisions`` (spec hash → the decision that produced it) is named in its header.
    Raises :class:`ConfigurationError` for an empty run list or an unknown format.
    """
    renderer = REPORT_FORMATS.get(format)
    if not runs:
        raise ConfigurationError("no run to report on")
    if baseline is None:
        return renderer(
            ReportInput(
                runs=tuple(runs),
                spec=spec,
                min_kappa=min_kappa,
                feedback=tuple(feedback),
                spec_revisions=dict(spec_revisions or {}),
            )
        )
    if len(runs) != 1:
        raise ConfigurationError(
            f"a baseline is compared with exactly one run, got {len(runs)} runs"
        )
    diff = diff_runs(baseline, runs[0])
    return renderer(
        ReportInput(
            runs=(baseline, runs[0]),
            spec=spec,
            diff=diff,
            min_kappa=min_kappa,
            feedback=tuple(feedback),
            spec_revisions=dict(spec_revisions or {}),
        )
    )
