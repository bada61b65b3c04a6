"""A worker process of a sharded eval: :func:`run_worker` runs one shard.

It runs (or resumes) its shard with :func:`~specwright._eval._run.run_eval` and writes its
:class:`~specwright._eval._shard.WorkerReport` (the log's path, finished and total samples,
whether it was interrupted) to a file beside its shard's logs, replaced atomically: a report
reaches the parent whole or not at all, and a worker whose parent is gone has no pipe to break.
A shard whose newest log is already complete is not run again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path

from specwright._errors import SpecwrightError
from specwright._eval._run import (
    EvalInterrupted,
    EvalOptions,
    RunOutcome,
    completed_log,
    run_eval,
)
from specwright._eval._shard import WorkerReport

__all__ = ["REPORT_NAME", "main", "report_of", "run_worker"]

REPORT_NAME = "worker-report"
"""The worker's report (JSON), in its shard's log directory; not named `.json`: Inspect
lists every `.json` file under a log directory as a log."""


def _report(result: RunOutcome) -> WorkerReport:
    return WorkerReport(
        log=result.log.location,
        done=result.done,
        total=result.total,
        failures=result.failures,
        resumed=result.resumed,
    )


def _write_report(options: EvalOptions, report: WorkerReport) -> None:
    options.log_dir.mkdir(parents=True, exist_ok=True)
    target = options.log_dir / REPORT_NAME
    partial = target.with_name(f".{REPORT_NAME}.{os.getpid()}")
    partial.write_text(report.model_dump_json(), encoding="utf-8")
    os.replace(partial, target)


def _stop_with_parent(parent: int) -> None:
    # A parent killed outright (SIGKILL, OOM) cannot pass a signal on: a worker that notices
    # it has been orphaned stops as after SIGTERM, saving its finished samples.
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="specwright-parent-watch", daemon=True).start()


def _say(line: str) -> None:
    # The terminal (or whatever read our stderr) may be gone with the parent.
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr, flush=True)


def run_worker(options: EvalOptions, parent: int) -> int:
    """Run the shard of ``options`` for the process ``parent``; the exit code.

    Started in a process of its own (and a session of its own: a terminal's Ctrl-C reaches only
    the parent, which passes exactly one signal on).
    """
    os.setsid()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _stop_with_parent(parent)
    try:
        finished = completed_log(options)
        result = finished if finished is not None else run_eval(options)
    except EvalInterrupted as exc:
        stopped = WorkerReport(interrupted=exc.signal_name, done=exc.done, total=exc.total)
        _write_report(options, stopped)
        return exc.exit_code
    except SpecwrightError as exc:
        _say(f"specwright: error: {exc}")
        return 2
    _write_report(options, _report(result))
    return 0


def main(options: EvalOptions, parent: int) -> None:
    """A worker process's whole life: exit with :func:`run_worker`'s code."""
    code = run_worker(options, parent)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # nothing of the parent's (atexit hooks, finally blocks) runs here


def report_of(options: EvalOptions) -> WorkerReport | None:
    """The report a worker of ``options`` left, if it left one."""
    path: Path = options.log_dir / REPORT_NAME
    try:
        return WorkerReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
