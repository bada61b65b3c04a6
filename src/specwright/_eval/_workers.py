"""One eval over several processes: shards run as workers, their logs merge into one run.

One Python process spends most of a sample's CPU in Inspect's logging and event machinery,
so against fast servers it, not the model, sets the pace. ``--workers N`` splits the scenarios
into shards (:class:`~specwright._eval._shard.Shard`), one per worker or more when a shard
would exceed :data:`MAX_SHARD_SAMPLES`, runs them in ``specwright`` worker processes, N at a
time, each with a share of the connection limit, and merges the shard logs into one Inspect
log in the log directory (streaming: :mod:`specwright._eval._log_merge`): reports, history,
resume and ``inspect view`` see one run.

Shard logs live under ``LOG_DIR/.shards/<run key>/<K>``, keyed by everything that identifies
the run, so running the same command again resumes each unfinished shard where it stopped
(a finished shard is not run again). Once merged, the shard logs are removed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from specwright._errors import ConfigurationError
from specwright._eval._log_merge import merge_shard_logs
from specwright._eval._run import (
    EvalInterrupted,
    EvalOptions,
    RunOutcome,
    run_identity,
    task_args,
)
from specwright._eval._shard import Shard, WorkerReport

__all__ = [
    "MAX_SHARD_SAMPLES",
    "MIN_SAMPLES_PER_WORKER",
    "effective_workers",
    "planned_ids",
    "run_any",
    "run_sharded",
    "shard_count",
    "shard_options",
]

MIN_SAMPLES_PER_WORKER = 25
"""Below this many samples per worker, a process's start-up (~1–2 s of imports) costs more
than it saves: the run uses fewer workers."""

MAX_SHARD_SAMPLES = 1000
"""Most samples one worker process runs. Inspect keeps a record of every sample it has run
(its summary and scores, ~40 KB) until the run ends, so a bigger run is split into more shards
than workers, ``workers`` of them running at a time, each in a fresh process: memory stays
bounded whatever the run's size (docs/eval.md, "Memory")."""


def effective_workers(options: EvalOptions, samples: int) -> int:
    """How many workers a run of ``samples`` samples really uses (1 = in this process)."""
    return max(1, min(options.workers, samples // MIN_SAMPLES_PER_WORKER))


def shard_count(workers: int, scenarios: int, epochs: int) -> int:
    """Shards for a run: one per worker, more when a shard would exceed the sample cap."""
    by_size = math.ceil(scenarios * epochs / MAX_SHARD_SAMPLES)
    return max(1, min(scenarios, max(workers, by_size)))


def _run_key(options: EvalOptions) -> str:
    identity = {
        "task": run_identity(options),
        "model": options.model, "grader": options.grader, "limit": options.limit,
        "epochs": options.epochs, "workers": options.workers,
    }  # fmt: skip
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def shard_options(options: EvalOptions, count: int | None = None) -> list[EvalOptions]:
    """The options of each shard: its slice, its log directory, its share of connections.

    ``count`` shards (default: one per worker) share ``options.workers`` processes.
    """
    count = count or options.workers
    root = options.log_dir / ".shards" / _run_key(options)
    per_worker = math.ceil(options.max_connections / options.workers)
    return [
        options.model_copy(
            update={
                "shard": str(Shard(index=k, count=count)),
                "workers": 1,
                "log_dir": root / str(k),
                "max_connections": per_worker,
                "display": "none",
            }
        )
        for k in range(count)
    ]


def run_sharded(
    options: EvalOptions,
    order: Sequence[str],
    on_ready: Callable[[], None] | None = None,
    *,
    shards: int | None = None,
) -> RunOutcome:
    """Run the shards in worker processes, ``options.workers`` at a time, and merge their logs.

    ``order`` is the run's sample ids in dataset order: the merged log keeps it.
    """
    planned = shard_options(options, shards)
    (on_ready or (lambda: None))()
    reports, signum = _run_pool(planned, options.workers)
    stopped = next((r.interrupted for r in reports if r.interrupted), None)
    if signum is not None or stopped is not None or len(reports) < len(planned):
        name = stopped or ("SIGTERM" if signum == signal.SIGTERM else "Ctrl-C")
        done, total = sum(r.done for r in reports), len(order) * options.epochs
        raise EvalInterrupted(name, str(planned[0].log_dir.parent), done, total)
    merged = merge_shard_logs([Path(str(r.log)) for r in reports], options, order)
    shutil.rmtree(planned[0].log_dir.parent, ignore_errors=True)
    failures: Counter[str] = Counter()
    for report in reports:
        failures.update(report.failures)
    return RunOutcome(
        log=merged,
        done=sum(r.done for r in reports),
        total=sum(r.total for r in reports),
        failures=dict(failures),
        resumed=any(r.resumed for r in reports),
    )


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


def _run_pool(shards: Sequence[EvalOptions], slots: int) -> tuple[list[WorkerReport], int | None]:
    """Run the shards, ``slots`` at a time; their reports in shard order, and the signal that
    stopped the run (passed on once to the running workers; no shard starts after it)."""
    pending = list(enumerate(shards))
    running: dict[int, subprocess.Popen[str]] = {}
    reports: dict[int, WorkerReport] = {}
    forwarded: list[int] = []

    def forward(signum: int) -> None:
        if not forwarded:
            forwarded.append(signum)
            _forward(list(running.values()), signum)

    previous = signal.signal(signal.SIGTERM, lambda *_: forward(signal.SIGTERM))
    try:
        while pending or running:
            try:
                while pending and len(running) < slots and not forwarded:
                    index, shard = pending.pop(0)
                    running[index] = _spawn(shard)
                if not running:
                    break
                index = _next_exit(running)
                reports[index] = _report(running.pop(index))
            except KeyboardInterrupt:
                forward(signal.SIGINT)  # each worker saves its log and reports
    finally:
        signal.signal(signal.SIGTERM, previous)
    return [reports[k] for k in sorted(reports)], (forwarded[0] if forwarded else None)


def _next_exit(running: dict[int, subprocess.Popen[str]]) -> int:
    """The shard index of the next worker to exit (polled: workers print one short line)."""
    while True:
        for index, proc in running.items():
            if proc.poll() is not None:
                return index
        time.sleep(0.05)


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
    """Run in this process, or over ``options.workers`` processes when the run is big enough.

    A run of more than :data:`MAX_SHARD_SAMPLES` samples always runs in shards, even with one
    worker, so that no process holds more than a shard's records.
    """
    from specwright._eval._run import run_eval

    ids = planned_ids(options)
    gc.collect()  # the planning task (spec, scenarios, dataset) is garbage: ~30 MB back
    workers = effective_workers(options, len(ids) * options.epochs)
    shards = shard_count(workers, len(ids), options.epochs)
    if shards == 1:
        return run_eval(options.model_copy(update={"workers": 1}), on_ready)
    wide = options.model_copy(update={"workers": workers})
    return run_sharded(wide, ids, on_ready, shards=shards)
