"""One eval over several processes: shards run as workers, their logs merge into one run.

One Python process spends most of a sample's CPU in Inspect's logging and event machinery,
so against fast servers it, not the model, sets the pace. ``--workers N`` splits the scenarios
into N shards (:class:`~specwright._eval._shard.Shard`), runs each as its own ``specwright``
worker process with a share of the connection limit, and merges the shard logs into one
Inspect log in the log directory, in the order one process would have written it: reports,
history, resume and ``inspect view`` see one run.

Shard logs live under ``LOG_DIR/.shards/<run key>/<K>``, keyed by everything that identifies
the run, so running the same command again resumes each unfinished shard where it stopped
(a finished shard is not run again). Once merged, the shard logs are removed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence

from inspect_ai.log import read_eval_log

from specwright._errors import ConfigurationError
from specwright._eval._log_merge import merge_logs, write_merged
from specwright._eval._run import (
    EvalInterrupted,
    EvalOptions,
    RunOutcome,
    outcome,
    run_identity,
    task_args,
)
from specwright._eval._shard import Shard, WorkerReport

__all__ = [
    "MIN_SAMPLES_PER_WORKER",
    "effective_workers",
    "planned_ids",
    "run_any",
    "run_sharded",
    "shard_options",
]

MIN_SAMPLES_PER_WORKER = 25
"""Below this many samples per worker, a process's start-up (~1–2 s of imports) costs more
than it saves: the run uses fewer workers."""


def effective_workers(options: EvalOptions, samples: int) -> int:
    """How many workers a run of ``samples`` samples really uses (1 = in this process)."""
    return max(1, min(options.workers, samples // MIN_SAMPLES_PER_WORKER))


def _run_key(options: EvalOptions) -> str:
    identity = {
        "task": run_identity(options),
        "model": options.model, "grader": options.grader, "limit": options.limit,
        "epochs": options.epochs, "workers": options.workers,
    }  # fmt: skip
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def shard_options(options: EvalOptions) -> list[EvalOptions]:
    """The options of each worker: its shard, its log directory, its share of connections."""
    root = options.log_dir / ".shards" / _run_key(options)
    per_worker = math.ceil(options.max_connections / options.workers)
    return [
        options.model_copy(
            update={
                "shard": str(Shard(index=k, count=options.workers)),
                "workers": 1,
                "log_dir": root / str(k),
                "max_connections": per_worker,
                "display": "none",
            }
        )
        for k in range(options.workers)
    ]


def run_sharded(
    options: EvalOptions, order: Sequence[str], on_ready: Callable[[], None] | None = None
) -> RunOutcome:
    """Run the shards as worker processes, wait for all, and merge their logs into one run.

    ``order`` is the run's sample ids in dataset order: the merged log keeps it.
    """
    shards = shard_options(options)
    (on_ready or (lambda: None))()
    procs = [_spawn(shard) for shard in shards]
    reports = _wait(procs)
    stopped = next((r.interrupted for r in reports if r.interrupted), None)
    if stopped is not None:
        done, total = sum(r.done for r in reports), sum(r.total for r in reports)
        raise EvalInterrupted(stopped, str(shards[0].log_dir.parent), done, total)
    logs = [read_eval_log(str(r.log)) for r in reports]
    merged = write_merged(merge_logs(logs, options, order), options.log_dir)
    shutil.rmtree(shards[0].log_dir.parent, ignore_errors=True)
    return outcome(merged, resumed=any(r.resumed for r in reports))


def _spawn(shard: EvalOptions) -> subprocess.Popen[str]:
    # The worker reads its options on stdin; its own stderr (one line per failure) passes
    # through, and it prints one JSON line about its log on stdout.
    proc = subprocess.Popen(
        [sys.executable, "-m", "specwright._eval._worker"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy(),
        # A session of its own: a terminal's Ctrl-C reaches only this process, which passes
        # exactly one signal on to each worker (a second one could cut a worker's save short).
        start_new_session=True,
    )  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(shard.model_dump_json())
    proc.stdin.close()
    return proc


def _wait(procs: Sequence[subprocess.Popen[str]]) -> list[WorkerReport]:
    """Every worker's report; Ctrl-C or SIGTERM here is passed on once, and the workers finish."""
    forwarded: list[int] = []

    def forward(signum: int) -> None:
        if not forwarded:
            forwarded.append(signum)
            _forward(procs, signum)

    previous = signal.signal(signal.SIGTERM, lambda *_: forward(signal.SIGTERM))
    try:
        while True:
            try:
                return [_report(proc) for proc in procs]
            except KeyboardInterrupt:
                forward(signal.SIGINT)  # each worker saves its log and reports
    finally:
        signal.signal(signal.SIGTERM, previous)


def _forward(procs: Sequence[subprocess.Popen[str]], signum: int) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signum)


def _report(proc: subprocess.Popen[str]) -> WorkerReport:
    out = proc.stdout.read() if proc.stdout else ""
    code = proc.wait()
    lines = out.strip().splitlines()
    report = WorkerReport.model_validate_json(lines[-1]) if lines else WorkerReport()
    if report.interrupted is None and (code != 0 or report.log is None):
        # The worker printed its own one-line error on stderr already.
        raise ConfigurationError(f"a worker stopped with exit code {code}")
    return report


def planned_ids(options: EvalOptions) -> list[str]:
    """The run's sample ids in dataset order, building the task as Inspect would."""
    from specwright._eval._inspect_entry import caller_binds_grader, compliance

    with caller_binds_grader():
        task = compliance(**task_args(options.model_copy(update={"shard": None})))
    ids = [str(sample.id) for sample in task.dataset]
    return ids[: options.limit] if options.limit is not None else ids


def run_any(options: EvalOptions, on_ready: Callable[[], None] | None = None) -> RunOutcome:
    """Run in this process, or over ``options.workers`` processes when the run is big enough."""
    from specwright._eval._run import run_eval

    if options.workers == 1:
        return run_eval(options, on_ready)
    ids = planned_ids(options)
    workers = effective_workers(options, len(ids) * options.epochs)
    if workers == 1:
        return run_eval(options.model_copy(update={"workers": 1}), on_ready)
    return run_sharded(options.model_copy(update={"workers": workers}), ids, on_ready)
