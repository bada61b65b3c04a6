"""Running an eval: models, resume of an unfinished run, Inspect's ``eval``/``eval_retry``.

A run is resumable because the task is Inspect's registered ``specwright/compliance`` (so that
Inspect can rebuild it from the log) and because every finished sample is flushed to the log
(``log_buffer``). Running the same command again looks at the newest log of the same run
(same model, grader and task arguments): when it is unfinished — interrupted (``cancelled``),
killed (``started``), stopped by an error, or finished with failed samples — the *full* log
goes to ``eval_retry``, which keeps its finished samples and redoes only the others, with the
current environment's models (base URLs included) in place of the recorded ones.

A request that fails for good (after bounded retries) fails its own sample; the run goes on.
Ctrl-C and SIGTERM let Inspect write the cancelled log, then raise :class:`EvalInterrupted`.
"""

from __future__ import annotations

import gc
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from inspect_ai import eval as inspect_eval
from inspect_ai import eval_retry
from inspect_ai.log import (
    EvalLog,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
)
from inspect_ai.model import Model, ModelConfig
from pydantic import Field

from specwright._errors import SpecwrightError
from specwright._eval._logs import planned_samples, role_model
from specwright._eval._provider import connections_for, inspect_model
from specwright._eval._scorer import grader_role
from specwright._frozen import FrozenModel

__all__ = [
    "CALIBRATION_ARGS",
    "Display",
    "EvalInterrupted",
    "EvalOptions",
    "RunOutcome",
    "completed_log",
    "find_unfinished",
    "inspect_limit",
    "local_path",
    "logging_settings",
    "make_graders",
    "make_model",
    "newest_outcome",
    "outcome",
    "run_eval",
    "run_identity",
    "task_args",
]

Display = Literal["plain", "rich", "none"]
"""Progress displays that cope with thousands of samples (never Inspect's full screen)."""

_UNFINISHED = {"started", "cancelled", "error"}


class EvalOptions(FrozenModel):
    """Everything one ``specwright eval`` run needs."""

    spec: str
    """Path of the spec (markdown or JSON export)."""
    model: str
    """The model under test (``openai-api/...`` names use the role-preserving provider)."""
    grader: str
    """The grader model (the first judge's, with several)."""
    graders: tuple[str, ...] = ()
    """Every judge, in order, when several grade the run (roles ``grader``, ``grader_2`` …);
    empty with one."""
    log_dir: Path
    """Where Inspect writes the log."""
    limit: int | None = None
    """Run only the first N scenarios."""
    sample_seed: int | None = None
    """Order scenarios by a seeded round-robin over sections (``limit`` then samples them)."""
    sections: tuple[str, ...] = ()
    """Restrict to these sections (and their descendants)."""
    scenarios: str | None = None
    """A YAML/JSONL file of extra scenarios."""
    include_drafts: bool = False
    """Also run the file's draft (unreviewed) records."""
    epochs: int = Field(default=1, ge=1)
    """Epochs per scenario."""
    enforce: bool = False
    """Send the chain-of-command compiler's output."""
    grader_samples: int = Field(default=3, ge=1)
    """Grader samples per answer."""
    calibration: str | None = None
    """Path of the calibration the run records."""
    judge_calibrations: tuple[str, ...] = ()
    """Paths of the judges' calibrations the run records, when several grade it."""
    display: Display = "plain"
    """Progress display."""
    max_connections: int = Field(default=20, ge=1)
    """Concurrent requests per model."""
    max_retries: int = Field(default=3, ge=0)
    """Retries per request (Inspect's; the SDK's own are off)."""
    timeout: int = Field(default=300, ge=1)
    """Seconds per request, retries included."""
    profile: str | None = None
    """What the model servers accept (:data:`specwright._llm.PROFILES`); ``None``: openai,
    narrowed by the first refusal."""
    log_buffer: int = Field(default=10, ge=1)
    """Samples buffered before they are written to the log (lower = less redone on resume)."""
    fast: bool = False
    """Trade logging detail for speed: no realtime sample events (no live ``inspect view`` of
    running samples), no raw model API calls in the log (errors still are), no live scores."""
    workers: int = Field(default=1, ge=1)
    """Processes the scenarios are split over (see :mod:`specwright._eval._workers`)."""
    shard: str | None = None
    """``K/N`` when this run is worker K of N (set by the workers, not by users)."""


class RunOutcome(FrozenModel):
    """A run as it ended: its log, how many samples finished, and why the others did not."""

    log: EvalLog
    """Inspect's log of the run."""
    done: int
    """Samples that finished (scored or unscored by the judge)."""
    total: int
    """Samples the run was to do (scenarios times epochs)."""
    failures: dict[str, int]
    """Failed samples by reason (one line each, naming model, URL, status and body)."""
    resumed: bool = False
    """Whether this run resumed an unfinished one."""

    @property
    def complete(self) -> bool:
        """Every sample finished and the log says so."""
        return self.log.status == "success" and self.done >= self.total and not self.failures


class EvalInterrupted(SpecwrightError):
    """Ctrl-C or SIGTERM stopped the run; the finished samples are in ``log``."""

    def __init__(
        self,
        signal_name: str,
        log: str | None,
        done: int,
        total: int,
        *,
        cause: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        where = f" in {log}" if log else ""
        super().__init__(
            f"{cause or f'interrupted ({signal_name})'}: {done} of {total} samples saved{where}; "
            "re-run the same command to resume"
        )
        self.signal_name = signal_name
        default = 143 if signal_name == "SIGTERM" else 130
        self.exit_code = default if exit_code is None else exit_code
        self.log = log
        self.done = done
        self.total = total


def task_args(options: EvalOptions) -> dict[str, Any]:
    """The arguments of ``specwright/compliance`` for these options (recorded in the log)."""
    args: dict[str, Any] = {
        "spec": options.spec,
        "grader_samples": options.grader_samples,
        "enforce": options.enforce,
        "grader": options.grader,
    }
    if options.sections:
        args["sections"] = ",".join(options.sections)
    if options.scenarios:
        args["scenarios"] = options.scenarios
    if options.calibration:
        args["calibration"] = options.calibration
    if options.graders:
        args["graders"] = ",".join(options.graders)
    if options.judge_calibrations:
        args["judge_calibrations"] = list(options.judge_calibrations)
    if options.shard is not None:
        # A sharded run applies --limit before splitting, so the shards cover the same
        # scenarios as one process would.
        args["shard"] = options.shard
        if options.limit is not None:
            args["first"] = options.limit
    if options.sample_seed is not None:
        args["sample_seed"] = options.sample_seed
    if options.include_drafts:
        args["include_drafts"] = True
    return args


CALIBRATION_ARGS = frozenset({"calibration", "judge_calibrations"})
"""Task arguments that do not identify a run: a calibration may be saved between an interrupted
run and its resumption."""


def run_identity(options: EvalOptions) -> dict[str, Any]:
    """The task arguments that identify a run (those of :func:`task_args` but calibrations)."""
    return {k: v for k, v in task_args(options).items() if k not in CALIBRATION_ARGS}


def inspect_limit(options: EvalOptions) -> int | None:
    """Inspect's own ``limit``: none for a shard (the task applied ``first`` already)."""
    return None if options.shard is not None else options.limit


def logging_settings(options: EvalOptions) -> dict[str, Any]:
    """Inspect's logging arguments; ``--fast`` gives up live detail, never finished samples."""
    if not options.fast:
        return {}
    return {"log_realtime": False, "log_model_api": False, "score_display": False}


def make_model(name: str, options: EvalOptions, role: str | None = None) -> Model:
    """An Inspect model with its own explicit limits (eval-level ones would leak into roles)."""
    return inspect_model(
        name,
        max_connections=options.max_connections,
        max_retries=options.max_retries,
        timeout=options.timeout,
        role=role,
        profile=options.profile,
    )


def make_graders(options: EvalOptions) -> list[Model]:
    """The judges' models, in role order (``grader``, ``grader_2``, …)."""
    names = options.graders or (options.grader,)
    return [make_model(name, options, role=grader_role(i)) for i, name in enumerate(names)]


def _newest_same_run(
    options: EvalOptions, model: Model, graders: Sequence[Model]
) -> EvalLog | None:
    """The header of the newest log of this run in ``options.log_dir`` (newest first)."""
    if not options.log_dir.is_dir():
        return None
    # The calibration file may appear between the interrupted run and the retry: not a new run.
    wanted = run_identity(options)
    for info in list_eval_logs(str(options.log_dir)):  # already newest first
        if "_compliance_" not in Path(info.name).name:
            continue
        try:
            header = read_eval_log(info.name, header_only=True)
        except Exception:  # a torn or foreign file is not our run: skip it
            continue
        if _same_run(header, wanted, model, graders, options):
            # Listed logs are named by URI (``file:///…``); everything after reads a path.
            return header.model_copy(update={"location": local_path(info.name)})
    return None


def local_path(location: str) -> str:
    """A log's location as a local path (Inspect lists local logs as ``file://`` URIs)."""
    return location.removeprefix("file://")


def _resumable(header: EvalLog) -> bool:
    if header.status in _UNFINISHED:
        return True
    results = header.results
    return results is not None and results.completed_samples < results.total_samples


def completed_log(options: EvalOptions) -> RunOutcome | None:
    """The outcome of this run's newest log when it finished every sample, else ``None``."""
    model = make_model(options.model, options)
    header = _newest_same_run(options, model, make_graders(options))
    if header is None or _resumable(header):
        return None
    done = outcome(header)
    return done if done.complete else None


def newest_outcome(options: EvalOptions) -> RunOutcome | None:
    """How far this run's newest log got (finished or not); ``None`` without one."""
    header = _newest_same_run(options, make_model(options.model, options), make_graders(options))
    return None if header is None else outcome(header)


def find_unfinished(options: EvalOptions, model: Model, graders: Sequence[Model]) -> EvalLog | None:
    """The full log (samples included) of this run when its newest log is unfinished."""
    header = _newest_same_run(options, model, graders)
    if header is None or not _resumable(header):
        return None
    return read_eval_log(header.location)  # eval_retry keeps only what the log holds


def _same_run(
    log: EvalLog,
    wanted: Mapping[str, Any],
    model: Model,
    graders: Sequence[Model],
    options: EvalOptions,
) -> bool:
    passed = log.eval.task_args_passed or {}
    return (
        log.eval.model == str(model)
        and all(role_model(log, grader_role(i)) == str(g) for i, g in enumerate(graders))
        and {k: v for k, v in passed.items() if k not in CALIBRATION_ARGS} == dict(wanted)
        and log.eval.config.limit == inspect_limit(options)
        and (log.eval.config.epochs or 1) == options.epochs
    )


def _with_current_models(log: EvalLog, model: Model, graders: Sequence[Model]) -> EvalLog:
    """The log with today's models in place of the recorded ones (base URLs and limits)."""
    roles: dict[str, ModelConfig] = {}
    for index, grader in enumerate(graders):
        role = grader_role(index)
        recorded = (log.eval.model_roles or {}).get(role)
        args = recorded.args if isinstance(recorded, ModelConfig) else {}
        roles[role] = ModelConfig(
            model=str(grader), config=grader.config, base_url=grader.api.base_url, args=args
        )
    spec = log.eval.model_copy(
        update={
            "model_base_url": model.api.base_url,
            "model_generate_config": model.config,
            "model_roles": roles,
        }
    )
    return log.model_copy(update={"eval": spec})


def outcome(log: EvalLog, resumed: bool = False) -> RunOutcome:
    """Count a run's finished and failed samples.

    A log on disk is counted from its sample summaries (a sample's id, scores and error, never
    its transcript) and kept as its header only: the samples of a big run are never all in
    memory. A log built in memory is counted from its samples.
    """
    path = _local_file(log)
    if path is not None:
        gc.collect()  # Inspect's records of the run just ended, before the summaries come in
        rows = [(s.error, bool(s.scores)) for s in read_eval_log_sample_summaries(path)]
        log = log.model_copy(update={"samples": None, "reductions": None})
    else:
        rows = [(s.error.message if s.error else None, bool(s.scores)) for s in log.samples or []]
    failures = Counter(" ".join(error.split()) for error, _ in rows if error is not None)
    done = sum(1 for error, scored in rows if error is None and scored)
    return RunOutcome(
        log=log, done=done, total=planned_samples(log), failures=dict(failures), resumed=resumed
    )


def _local_file(log: EvalLog) -> str | None:
    path = local_path(log.location or "")
    return path if path and Path(path).is_file() else None


@contextmanager
def _sigterm_as_ctrl_c() -> Iterator[list[str]]:
    """Let SIGTERM stop a run as Ctrl-C does (Inspect then writes the cancelled log)."""
    received: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def on_sigterm(signum: int, frame: object) -> None:
        received.append("SIGTERM")
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_eval(options: EvalOptions, on_ready: Callable[[], None] | None = None) -> RunOutcome:
    """Run (or resume) the eval and return how it ended.

    ``on_ready`` is called once the models and the task have been built (so every input has
    been checked) and before Inspect starts. Raises :class:`EvalInterrupted` after Ctrl-C or
    SIGTERM, once the finished samples are safe in the log.
    """
    from specwright._eval._inspect_entry import caller_binds_grader, compliance

    model = make_model(options.model, options)
    graders = make_graders(options)
    common: dict[str, Any] = {
        "log_dir": str(options.log_dir),
        "display": options.display,
        "log_buffer": options.log_buffer,
        "max_connections": connections_for(options.model, options.max_connections),
        "max_retries": options.max_retries,
        "timeout": options.timeout,
        "fail_on_error": False,  # a sample that fails is counted and reported, not fatal
        # Inspect warns about every failed sample over several lines, and prints tracebacks;
        # they stay in its log, and the command prints one line per failure reason.
        "log_level": "error",
        **logging_settings(options),
    }
    ready = on_ready or (lambda: None)
    unfinished = find_unfinished(options, model, graders)
    _drop_kept_display()
    with _sigterm_as_ctrl_c() as received:
        try:
            if unfinished is not None:
                ready()
                logs = _retry(_with_current_models(unfinished, model, graders), common)
            else:
                with caller_binds_grader():
                    task = compliance(**task_args(options))
                ready()
                logs = inspect_eval(
                    task,
                    model=model,
                    model_roles={grader_role(i): g for i, g in enumerate(graders)},
                    limit=inspect_limit(options),
                    epochs=options.epochs,
                    **common,
                )
        except KeyboardInterrupt:
            logs = []
        signal_name = received[0] if received else "Ctrl-C"
    return _ended(logs, options, model, graders, signal_name, resumed=unfinished is not None)


def _drop_kept_display() -> None:
    """Make the next run print through the display it asks for.

    Inspect builds its display once per process, for the type asked first, and keeps it: after
    a ``plain`` run, a run asking for ``none`` still printed ``plain`` progress into stdout (a
    library caller's, or a test's, ``--json``). Dropped, Inspect builds the one asked for.
    """
    from inspect_ai._display.core import active

    active._active_display = None


def _retry(log: EvalLog, common: dict[str, Any]) -> list[EvalLog]:
    try:
        return eval_retry(log, **common)
    except IndexError:
        # inspect-ai 0.3.285 indexes the empty list an interrupted retry returns (its
        # ``eval_async(...)[0]``); the cancelled log is on disk all the same.
        return []


def _ended(
    logs: list[EvalLog],
    options: EvalOptions,
    model: Model,
    graders: Sequence[Model],
    signal_name: str,
    *,
    resumed: bool,
) -> RunOutcome:
    if logs and logs[0].status != "cancelled":
        return outcome(logs[0], resumed)
    # Interrupted: Inspect returns no log (or a cancelled one); the newest log of the run
    # on disk holds every sample that finished.
    header = _newest_same_run(options, model, graders)
    if header is None:
        raise EvalInterrupted(signal_name, None, 0, 0)
    saved = outcome(header)
    raise EvalInterrupted(signal_name, header.location, saved.done, saved.total)
