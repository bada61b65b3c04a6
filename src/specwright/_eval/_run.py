"""Running an eval: models, resume of an unfinished run, Inspect's ``eval``/``eval_retry``.

A run is resumable because the task is Inspect's registered ``specwright/compliance`` (so that
Inspect can rebuild it from the log) and because every finished sample is flushed to the log
(``log_buffer``). Running the same command again finds the newest unfinished log with the same
model, grader and task arguments and hands it to ``eval_retry``, which keeps finished samples.
A sample that still fails after Inspect's retries stops the run with status ``error``; running
again resumes it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from inspect_ai import eval as inspect_eval
from inspect_ai import eval_retry
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log
from inspect_ai.model import Model
from pydantic import BaseModel, ConfigDict, Field

from specwright._eval._logs import role_model
from specwright._eval._provider import inspect_model

__all__ = ["Display", "EvalOptions", "find_unfinished", "make_model", "run_eval", "task_args"]

Display = Literal["plain", "rich", "none"]
"""Progress displays that cope with thousands of samples (never Inspect's full screen)."""

_UNFINISHED = {"started", "cancelled", "error"}


class EvalOptions(BaseModel):
    """Everything one ``specwright eval`` run needs."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    spec: str
    """Path of the spec (markdown or JSON export)."""
    model: str
    """The model under test (``openai-api/...`` names use the role-preserving provider)."""
    grader: str
    """The grader model."""
    log_dir: Path
    """Where Inspect writes the log."""
    limit: int | None = None
    """Run only the first N scenarios."""
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
    display: Display = "plain"
    """Progress display."""
    max_connections: int = Field(default=20, ge=1)
    """Concurrent requests per model."""
    max_retries: int = Field(default=3, ge=0)
    """Retries per request (Inspect's; the SDK's own are off)."""
    timeout: int = Field(default=300, ge=1)
    """Seconds per request, retries included."""
    log_buffer: int = Field(default=10, ge=1)
    """Samples buffered before they are written to the log (lower = less redone on resume)."""


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
    if options.include_drafts:
        args["include_drafts"] = True
    return args


def make_model(name: str, options: EvalOptions, role: str | None = None) -> Model:
    """An Inspect model with its own explicit limits (eval-level ones would leak into roles)."""
    return inspect_model(
        name,
        max_connections=options.max_connections,
        max_retries=options.max_retries,
        timeout=options.timeout,
        role=role,
    )


def find_unfinished(options: EvalOptions, model: Model, grader: Model) -> EvalLog | None:
    """The newest unfinished log of the same run in ``options.log_dir``, if any."""
    if not options.log_dir.is_dir():
        return None
    # The calibration file may appear between the interrupted run and the retry: not a new run.
    wanted = {k: v for k, v in task_args(options).items() if k != "calibration"}
    for info in reversed(list_eval_logs(str(options.log_dir))):
        if "_compliance_" not in Path(info.name).name:
            continue
        header = read_eval_log(info.name, header_only=True)
        if header.status in _UNFINISHED and _same_run(header, wanted, model, grader, options):
            return header
    return None


def _same_run(
    log: EvalLog, wanted: Mapping[str, Any], model: Model, grader: Model, options: EvalOptions
) -> bool:
    return (
        log.eval.model == str(model)
        and role_model(log, "grader") == str(grader)
        and {k: v for k, v in (log.eval.task_args_passed or {}).items() if k != "calibration"}
        == dict(wanted)
        and log.eval.config.limit == options.limit
        and (log.eval.config.epochs or 1) == options.epochs
    )


def run_eval(options: EvalOptions, on_ready: Callable[[], None] | None = None) -> EvalLog:
    """Run (or resume) the eval and return Inspect's log.

    ``on_ready`` is called once the models and the task have been built (so every input has
    been checked) and before Inspect starts.
    """
    from specwright._eval._registry import compliance

    model = make_model(options.model, options)
    grader = make_model(options.grader, options, role="grader")
    common: dict[str, Any] = {
        "log_dir": str(options.log_dir),
        "display": options.display,
        "log_buffer": options.log_buffer,
        "max_connections": options.max_connections,
        "max_retries": options.max_retries,
        "timeout": options.timeout,
    }
    ready = on_ready or (lambda: None)
    unfinished = find_unfinished(options, model, grader)
    if unfinished is not None:
        ready()
        logs = eval_retry(unfinished, **common)
    else:
        task = compliance(**task_args(options))
        ready()
        logs = inspect_eval(
            task,
            model=model,
            model_roles={"grader": grader},
            limit=options.limit,
            epochs=options.epochs,
            **common,
        )
    return logs[0]
