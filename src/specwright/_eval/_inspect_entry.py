"""Inspect entry point: registers ``specwright/compliance`` and the ``openai-roles`` and
``gguf`` providers.

``pyproject.toml`` declares this module under ``[project.entry-points.inspect_ai]``, so that
``inspect eval specwright/compliance -T spec=path/to/spec --model ...
--model-role grader=...`` works without importing anything by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai._util.error import PrerequisiteError
from inspect_ai.model import model_roles

from specwright._errors import ConfigurationError
from specwright._eval import (
    _gguf,  # noqa: F401 - registers the gguf provider (in process)
    _provider,  # noqa: F401 - registers the openai-roles provider
)
from specwright._eval._judge import GraderSettings
from specwright._eval._scorer import GRADER_ROLE, grader_role
from specwright._eval._shard import Shard
from specwright._eval._task import compliance_task
from specwright._layers._read import read_spec
from specwright._results import Calibration
from specwright._scenarios import build_scenarios, load_scenarios, stratified_order

__all__ = ["MissingGrader", "caller_binds_grader", "compliance"]

# Inspect binds --model-role values before it builds a task; specwright's own runner builds the
# task first and passes the grader to eval() itself, and says so through this flag.
_grader_bound_by_caller: ContextVar[bool] = ContextVar("specwright_grader_bound", default=False)

NO_GRADER = (
    "specwright/compliance needs a grader: add --model-role grader=MODEL "
    "(e.g. --model-role grader=openai-roles/local/judge)"
)


@contextmanager
def caller_binds_grader() -> Iterator[None]:
    """Build the task for a caller that passes ``model_roles={"grader": ...}`` to ``eval``."""
    token = _grader_bound_by_caller.set(True)
    try:
        yield
    finally:
        _grader_bound_by_caller.reset(token)


@task
def compliance(
    spec: str,
    *,
    sections: str | None = None,
    scenarios: str | None = None,
    grader_samples: int = 3,
    grader_temperature: float = 0.0,
    grader_seed: int = 0,
    enforce: bool = False,
    grader: str | None = None,
    calibration: str | None = None,
    sample_seed: int | None = None,
    include_drafts: bool = False,
    first: int | None = None,
    shard: str | None = None,
    graders: str | None = None,
    judge_calibrations: list[str] | None = None,
) -> Task:
    """Spec compliance of the model under test, judged section by section.

    Args:
        spec: Path of the spec (``model_spec.md``, its directory, or a JSON export).
        sections: Comma-separated section ids to restrict the run to (with descendants).
        scenarios: A YAML/JSONL file of extra user scenarios.
        grader_samples: Grader samples per answer (median verdict).
        grader_temperature: Grader temperature.
        grader_seed: Seed of the first grader sample.
        enforce: Send the chain-of-command compiler's output instead of the raw conversation.
        grader: Grader model name, recorded in the run's metadata (set the grader itself with
            ``--model-role grader=...``).
        calibration: Path of a saved calibration JSON to record in the run's metadata.
        sample_seed: Order the scenarios by a seeded round-robin over sections, so that
            ``--limit N`` takes a sample stratified across sections.
        include_drafts: Also run ``status: draft`` records of ``scenarios`` (generated, not
            yet approved by a person).
        first: Keep only the first N scenarios (``--limit`` of a run split over workers).
        shard: ``K/N``: keep every N-th scenario from the K-th (0-based), for worker K of N.
        graders: Several judges: their names, comma-separated, in the order of their roles
            (``--model-role grader=A --model-role grader_2=B ... -T graders=A,B``).
        judge_calibrations: Paths of saved calibrations of those judges, recorded per judge.
    """
    names = [g.strip() for g in graders.split(",") if g.strip()] if graders else []
    if not _grader_bound_by_caller.get():
        # Without a grader every sample would fail at its first grade, after the answers
        # were paid for: fail before any model call.
        missing = [r for r in map(grader_role, range(max(len(names), 1))) if r not in model_roles()]
        if missing:
            raise MissingGrader(NO_GRADER if missing == [GRADER_ROLE] else _no_roles(missing))
    loaded = read_spec(spec)
    wanted = [s.strip() for s in sections.split(",") if s.strip()] if sections else None
    chosen = build_scenarios(loaded, wanted)
    if scenarios:
        chosen += load_scenarios(Path(scenarios), loaded, include_drafts=include_drafts)
    if sample_seed is not None:
        chosen = stratified_order(chosen, sample_seed)
    chosen = chosen[:first] if first is not None else chosen
    if shard is not None:
        chosen = Shard.parse(shard).select(chosen)
    settings = GraderSettings(
        samples=grader_samples, temperature=grader_temperature, seed=grader_seed
    )
    return compliance_task(
        loaded,
        chosen,
        enforce=enforce,
        grader=grader,
        grader_settings=settings,
        calibration=_calibration(calibration),
        graders=names,
        judge_calibrations=_judge_calibrations(judge_calibrations or []),
    )


def _no_roles(roles: list[str]) -> str:
    wanted = " ".join(f"--model-role {role}=MODEL" for role in roles)
    return f"specwright/compliance with several graders needs a model for each judge: add {wanted}"


def _judge_calibrations(paths: list[str]) -> dict[str, Calibration]:
    found = (_calibration(path) for path in paths)
    return {cal.grader: cal for cal in found if cal is not None}


def _calibration(path: str | None) -> Calibration | None:
    if path is None:
        return None
    try:
        return Calibration.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read calibration {path}: {exc}") from None


class MissingGrader(ConfigurationError, PrerequisiteError):
    """No ``grader`` role: a configuration error that Inspect's CLI prints as one line.

    Inspect prints its (unexported) ``PrerequisiteError`` as a message and any other error as
    a traceback; pinned by tests/eval/test_inspect_entry.py.
    """

    def __init__(self, message: str) -> None:
        ConfigurationError.__init__(self, message)
        self.message = message
