"""The Inspect task: scenarios as samples, the target's answer, the spec-grounded judge."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from inspect_ai import Epochs, Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import get_model
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from specwright._errors import ConfigurationError
from specwright._eval._judge import GraderSettings
from specwright._eval._messages import scenario_messages, spec_index
from specwright._eval._prompt import Budget
from specwright._eval._provider import collect_adaptations, record_adaptations, request_failure
from specwright._eval._scorer import JudgeContext, spec_judge
from specwright._model import Spec
from specwright._results import RUN_METADATA_KEY, Calibration, RunMetadata
from specwright._scenarios import Scenario, build_scenarios

__all__ = ["TASK_NAME", "answer", "compliance_task", "run_metadata"]

TASK_NAME = "compliance"
"""The task's name (``specwright/compliance`` once registered)."""


def run_metadata(
    spec: Spec,
    *,
    grader: str | None,
    enforce: bool,
    calibration: Calibration | None,
    graders: Sequence[str] = (),
    judge_calibrations: Mapping[str, Calibration] | None = None,
) -> RunMetadata:
    """The eval-level ``specwright`` metadata, as the log contract types it."""
    return RunMetadata(
        spec_hash=spec.content_hash(),
        spec_version=spec.version,
        spec_title=spec.title,
        grader=grader,
        enforce=enforce,
        calibration=calibration,
        graders=tuple(graders),
        judge_calibrations=dict(judge_calibrations or {}),
    )


@solver
def answer() -> Solver:
    """The model under test answers; a request that fails for good fails this sample only.

    The sample's error then reads as one line naming model, URL, status and body (instead of
    tenacity's ``RetryError(<Future ...>)``), and the run goes on with the other samples.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        adapted = collect_adaptations()
        try:
            return await generate(state)
        except Exception as exc:
            failure = request_failure(exc, get_model())
            if failure is None:
                raise
            raise failure from exc  # the chain stays in Inspect's log, the line is ours
        finally:
            record_adaptations(state.metadata, adapted)

    return solve


def compliance_task(
    spec: Spec,
    scenarios: Sequence[Scenario] | None = None,
    *,
    enforce: bool = False,
    epochs: int = 1,
    grader: str | None = None,
    grader_settings: GraderSettings | None = None,
    budget: Budget | None = None,
    calibration: Calibration | None = None,
    graders: Sequence[str] = (),
    judge_calibrations: Mapping[str, Calibration] | None = None,
) -> Task:
    """An Inspect task that sends each scenario to the model under test and judges the answer.

    ``scenarios`` defaults to :func:`build_scenarios` of the whole spec. The grader is the
    Inspect model role ``grader`` (``model_roles={"grader": ...}``); ``grader`` only names it
    in the run's metadata. With two or more ``graders`` (their names, in order) the judges are
    the roles ``grader``, ``grader_2``, … and ``judge_calibrations`` holds their calibrations.
    """
    if len(graders) == 1:
        raise ConfigurationError("graders: name two or more judges, or use grader for one")
    chosen = list(scenarios) if scenarios is not None else build_scenarios(spec)
    by_id = _by_id(chosen)
    index = spec_index(spec) if enforce else None  # built once, not per sample
    samples = [
        Sample(
            id=s.id,
            input=scenario_messages(s, spec, enforce=enforce, index=index),
            metadata=s.metadata(),
        )
        for s in chosen
    ]
    return Task(
        name=TASK_NAME,
        dataset=MemoryDataset(samples, name=spec.title or "spec"),
        solver=answer(),
        scorer=_judge(JudgeContext(spec, by_id, enforce=enforce), grader_settings, budget, graders),
        epochs=Epochs(epochs, "mean"),
        metadata={
            RUN_METADATA_KEY: run_metadata(
                spec,
                grader=grader,
                enforce=enforce,
                calibration=calibration,
                graders=graders,
                judge_calibrations=judge_calibrations,
            ).to_log()
        },
    )


def _judge(
    context: JudgeContext,
    settings: GraderSettings | None,
    budget: Budget | None,
    graders: Sequence[str],
) -> Scorer:
    if not graders:  # one judge: the scorer's recorded arguments stay as they always were
        return spec_judge(context, settings, budget)
    return spec_judge(context, settings, budget, judges=len(graders))


def _by_id(scenarios: Sequence[Scenario]) -> dict[str, Scenario]:
    if not scenarios:
        raise ConfigurationError(
            "no scenarios to run: the spec (or the chosen --sections) has no labelled "
            "examples or eval prompts"
        )
    by_id = {s.id: s for s in scenarios}
    if len(by_id) != len(scenarios):
        twice = sorted(i for i, n in Counter(s.id for s in scenarios).items() if n > 1)
        raise ConfigurationError(f"scenario ids must be unique; repeated: {', '.join(twice)}")
    return by_id
