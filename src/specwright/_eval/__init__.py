"""Spec-grounded compliance evals on Inspect AI (the ``eval`` extra).

Scenarios (:mod:`specwright._scenarios`, below both eval and generation) become the samples of
:func:`compliance_task`, the Inspect task (registered as ``specwright/compliance``); the
judge's reliability is measured by :func:`calibrate`; :func:`load_run` and :func:`find_logs`
turn Inspect logs into :class:`specwright.RunResult` for reports.
"""

from __future__ import annotations

from specwright._eval._calibrate import calibrate, calibrate_async, find_calibration
from specwright._eval._judge import GraderSettings
from specwright._eval._logs import find_logs, load_run, run_from_log
from specwright._eval._run import EvalOptions, run_eval
from specwright._eval._task import compliance_task

__all__ = [
    "EvalOptions",
    "GraderSettings",
    "calibrate",
    "calibrate_async",
    "compliance_task",
    "find_calibration",
    "find_logs",
    "load_run",
    "run_eval",
    "run_from_log",
]
