"""A worker process of a sharded eval: ``python -m specwright._eval._worker`` < options JSON.

It runs (or resumes) its shard with :func:`~specwright._eval._run.run_eval` and prints one
JSON line on stdout: the log's path, finished and total samples, and whether it was
interrupted. A shard whose newest log is already complete is not run again.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from specwright._errors import SpecwrightError
from specwright._eval._run import (
    EvalInterrupted,
    EvalOptions,
    RunOutcome,
    completed_log,
    run_eval,
)
from specwright._eval._shard import WorkerReport

__all__ = ["main"]


def _line(result: RunOutcome) -> str:
    report = WorkerReport(
        log=result.log.location,
        done=result.done,
        total=result.total,
        failures=result.failures,
        resumed=result.resumed,
    )
    return report.model_dump_json()


def _stop_with_parent() -> None:
    # A parent killed outright (SIGKILL, OOM) cannot pass a signal on: a worker that notices
    # it has been orphaned stops as after SIGTERM, saving its finished samples.
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="specwright-parent-watch", daemon=True).start()


def main() -> int:
    """Run the shard whose options arrive on stdin."""
    options = EvalOptions.model_validate_json(sys.stdin.read())
    _stop_with_parent()
    try:
        finished = completed_log(options)
        result = finished if finished is not None else run_eval(options)
    except EvalInterrupted as exc:
        report = WorkerReport(interrupted=exc.signal_name, done=exc.done, total=exc.total)
        print(report.model_dump_json(), flush=True)
        return exc.exit_code
    except SpecwrightError as exc:
        print(f"specwright: error: {exc}", file=sys.stderr)
        return 2
    print(_line(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
