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
(a finished shard is not run again). Once merged, the shard logs are removed; the marker
``<run key>.merged`` beside them, written before the merged log appears and removed last,
names the merged log meanwhile, so that a parent killed at any moment of that leaves a run
the next one finds rather than merges again.

Any process may die at any moment: a worker reports through a file (no pipe to break when
its parent is gone), stops and saves when orphaned, and a worker's death stops its siblings
as SIGTERM does, ending the run with one line and exit 1 (``EvalInterrupted``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path

from inspect_ai.log import read_eval_log

from specwright._errors import ConfigurationError
from specwright._eval._log_merge import marked_log, merge_shard_logs
from specwright._eval._run import (
    EvalInterrupted,
    EvalOptions,
    RunOutcome,
    local_path,
    newest_outcome,
    outcome,
    run_identity,
    task_args,
)
from specwright._eval._shard import Shard, WorkerReport
from specwright._eval._worker import REPORT_NAME, report_of
from specwright._eval._worker import main as worker_main

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

    ``order`` is the run's sample ids in dataset order: the merged log keeps it. A run whose
    shards were merged already (its parent killed before it could clean up) is not merged
    twice: its merged log is the outcome.
    """
    planned = shard_options(options, shards)
    root = planned[0].log_dir.parent
    marker = root.with_name(f"{root.name}.merged")
    (on_ready or (lambda: None))()
    merged = marked_log(marker)
    if merged is None:
        reports = _run_shards(planned, options, order)
        paths = [Path(local_path(str(r.log))) for r in reports]
        merged = Path(merge_shard_logs(paths, options, order, marker=marker).location)
    resumed = _resumed(planned)
    # The marker goes last: a parent killed while cleaning up leaves it, and the re-run
    # finds the merged run instead of running the shards again.
    shutil.rmtree(root, ignore_errors=True)
    marker.unlink(missing_ok=True)
    header = read_eval_log(str(merged), header_only=True)
    return outcome(header.model_copy(update={"location": str(merged)}), resumed)


def _resumed(planned: Sequence[EvalOptions]) -> bool:
    return any((report := report_of(shard)) is not None and report.resumed for shard in planned)


def _run_shards(
    planned: Sequence[EvalOptions], options: EvalOptions, order: Sequence[str]
) -> list[WorkerReport]:
    """Every shard's report once all finished; raises :class:`EvalInterrupted` otherwise."""
    reports, stop = _run_pool(planned, options.workers)
    stopped = next((r.interrupted for r in reports if r.interrupted), None)
    if stop is None and stopped is None and len(reports) == len(planned):
        return reports
    total = len(order) * options.epochs
    done = sum(_saved(shard) for shard in planned)
    where = str(planned[0].log_dir.parent)
    if isinstance(stop, _Died) and stop.code is not None and stop.code > 0:
        # The worker printed its own one-line error (bad input): re-running will not help.
        raise ConfigurationError(f"worker {stop.shard} {stop.how}")
    if isinstance(stop, _Died):
        cause = f"stopped: worker {stop.shard} {stop.how}"
        raise EvalInterrupted(stop.how, where, done, total, cause=cause, exit_code=1)
    name = stopped or ("SIGTERM" if stop == signal.SIGTERM else "Ctrl-C")
    raise EvalInterrupted(name, where, done, total)


def _saved(shard: EvalOptions) -> int:
    """Samples a shard has safe in its newest log."""
    if not shard.log_dir.is_dir():
        return 0
    found = newest_outcome(shard)
    return found.done if found is not None else 0


class _Died:
    """A worker that ended without a report: killed, or stopped by an error it printed."""

    def __init__(self, shard: str, code: int | None) -> None:
        self.shard = shard
        self.code = code
        if code is not None and code < 0:
            self.how = f"was killed by {signal.Signals(-code).name}"
        else:
            self.how = f"stopped with exit code {code}"


def _spawn(shard: EvalOptions) -> BaseProcess:
    # A worker is a fork of this process where the platform has fork: it starts in
    # milliseconds with everything imported (a fresh interpreter spends 1-3 s on imports).
    (shard.log_dir / REPORT_NAME).unlink(missing_ok=True)  # a report is this worker's own
    args = (shard, os.getpid())
    proc: BaseProcess
    if _CAN_FORK:
        proc = multiprocessing.get_context("fork").Process(target=worker_main, args=args)
    else:
        proc = multiprocessing.get_context("spawn").Process(target=worker_main, args=args)
    proc.start()
    return proc


_CAN_FORK = sys.platform == "linux"
"""Fork where it is safe: Linux (macOS's system libraries are not fork-safe; Windows has none)."""


def _run_pool(
    shards: Sequence[EvalOptions], slots: int
) -> tuple[list[WorkerReport], int | _Died | None]:
    """Run the shards, ``slots`` at a time; their reports in shard order, and what stopped the
    run: a signal (passed on once to the running workers; no shard starts after it) or a worker
    that died (the others are then stopped as by SIGTERM, and save their samples)."""
    pending = list(enumerate(shards))
    running: dict[int, BaseProcess] = {}
    reports: dict[int, WorkerReport] = {}
    stop: list[int | _Died] = []

    def halt(why: int | _Died) -> None:
        if not stop:
            stop.append(why)
            _forward(list(running.values()), why if isinstance(why, int) else signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, lambda *_: halt(signal.SIGTERM))
    try:
        while pending or running:
            try:
                while pending and len(running) < slots and not stop:
                    index, shard = pending.pop(0)
                    running[index] = _spawn(shard)
                if not running:
                    break
                index = _next_exit(running)
                proc = running.pop(index)
                report = report_of(shards[index])
                if report is None or (report.log is None and report.interrupted is None):
                    halt(_Died(str(shards[index].shard), proc.exitcode))
                else:
                    reports[index] = report
            except KeyboardInterrupt:
                halt(signal.SIGINT)  # each worker saves its log and reports
    finally:
        signal.signal(signal.SIGTERM, previous)
    return [reports[k] for k in sorted(reports)], (stop[0] if stop else None)


def _next_exit(running: dict[int, BaseProcess]) -> int:
    """The shard index of the next worker to exit."""
    while True:
        for index, proc in running.items():
            if proc.exitcode is not None:
                proc.join()
                return index
        multiprocessing.connection.wait([proc.sentinel for proc in running.values()], 1.0)


def _forward(procs: Sequence[BaseProcess], signum: int) -> None:
    for proc in procs:
        if proc.pid is not None and proc.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signum)


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
