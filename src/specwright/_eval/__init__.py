"""Spec-grounded compliance evals on Inspect AI (the ``eval`` extra).

Scenarios come from a spec (:func:`build_scenarios`) or a user's file (:func:`load_scenarios`);
:func:`compliance_task` is the Inspect task (registered as ``specwright/compliance``); the
judge's reliability is measured by :func:`calibrate`; :func:`load_run` and :func:`find_logs`
turn Inspect logs into :class:`specwright.RunResult` for reports.
"""

from __future__ import annotations

from specwright._eval._calibrate import calibrate, calibrate_async, find_calibration
from specwright._eval._judge import GraderSettings
from specwright._eval._logs import find_logs, load_run, run_from_log
from specwright._eval._run import EvalOptions, run_eval
from specwright._eval._scenarios import Scenario, ScenarioRecord, build_scenarios, load_scenarios
from specwright._eval._task import compliance_task

__all__ = [
    "EvalOptions",
    "GraderSettings",
    "Scenario",
    "ScenarioRecord",
    "build_scenarios",
    "calibrate",
    "calibrate_async",
    "compliance_task",
    "find_calibration",
    "find_logs",
    "load_run",
    "load_scenarios",
    "run_eval",
    "run_from_log",
]
