"""JSON output: exactly :class:`RunResult` (one run) or a list of them, or the :class:`RunDiff`.

A single run's JSON is what ``specwright report`` reads back as a RUN argument, so reports
can be rendered later, elsewhere, without the Inspect log.
"""

from __future__ import annotations

import json

from specwright._report._input import ReportInput

__all__ = ["embedded_json", "render_json"]


def _dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_json(report: ReportInput) -> str:
    """The diff when there is one, else the run (one) or the list of runs (several)."""
    if report.diff is not None:
        return _dumps(report.diff.model_dump(mode="json"))
    runs = [run.model_dump(mode="json") for run in report.runs]
    return _dumps(runs[0] if len(runs) == 1 else runs)


def embedded_json(report: ReportInput) -> str:
    """Runs and diff together, for the data block inside the HTML page."""
    return json.dumps(
        {
            "runs": [run.model_dump(mode="json") for run in report.runs],
            "diff": None if report.diff is None else report.diff.model_dump(mode="json"),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
