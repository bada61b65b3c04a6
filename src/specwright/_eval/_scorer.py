"""The Inspect scorer: grade the target's answer with the spec-grounded judge.

Score values are 1.0 (compliant) and 0.0 (not); an unscored grade is Inspect's unscored
sentinel (:meth:`Score.unscored`), which metrics and epoch reducers skip. The score metadata
is a :class:`specwright._results.ScoreMetadata` (the log contract), written from an instance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from inspect_ai.model import get_model
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    mean,
    metric,
    scorer,
    stderr,
)
from inspect_ai.solver import TaskState

from specwright._eval._judge import GraderSettings, Verdict, run_grader
from specwright._eval._messages import original_role, scenario_messages, shown_text
from specwright._eval._prompt import (
    Budget,
    GraderPrompts,
    TranscriptLine,
    grader_system_prompt,
    transcript_tokens,
    whole_spec_prompt_tokens,
)
from specwright._eval._scenarios import Scenario
from specwright._model import Spec
from specwright._results import SampleMetadata, ScoreMetadata, read_record

__all__ = [
    "GRADER_ROLE",
    "JudgeContext",
    "score_metadata",
    "spec_judge",
    "transcript_lines",
    "unscored_count",
]

GRADER_ROLE = "grader"
"""The Inspect model role the judge asks for."""


@metric
def unscored_count() -> Metric:
    """How many samples the judge could not score (reported apart from the rate)."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(1 for s in scores if _is_nan(s.score.value)))

    return compute


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def transcript_lines(state: TaskState) -> list[TranscriptLine]:
    """The conversation as sent (spec roles restored), then the model's answer."""
    lines = [(original_role(m), shown_text(m)) for m in state.messages]
    if not state.messages or state.messages[-1].role != "assistant":
        lines.append(("assistant", state.output.completion))
    return lines


def written_transcript(scenario: Scenario, spec: Spec, state: TaskState) -> list[TranscriptLine]:
    """The scenario as written (as a plain run would send it), then the model's answer."""
    sent = scenario_messages(scenario, spec, enforce=False)
    return [(original_role(m), shown_text(m)) for m in sent] + [
        ("assistant", state.output.completion)
    ]


def score_metadata(verdict: Verdict, whole_spec_tokens: int, prompt_tokens: int) -> ScoreMetadata:
    """The judge's score metadata, as the log contract types it."""
    return ScoreMetadata(
        compliant=verdict.compliant,
        score=verdict.score,
        rationale=verdict.rationale,
        cited_sections=verdict.cited_sections,
        grades=verdict.grades,
        unscored_reason=verdict.unscored_reason,
        grader_tokens=verdict.tokens,
        grader_prompt_tokens=prompt_tokens,
        whole_spec_tokens=whole_spec_tokens,
    )


class JudgeContext:
    """The spec and scenarios a judge grades against.

    A plain object on purpose: Inspect records a scorer's arguments in the log header and in
    every score event, and records an object like this one by its short ``name`` instead of
    serialising the whole spec into each sample.
    """

    def __init__(
        self, spec: Spec, scenarios: Mapping[str, Scenario], *, enforce: bool = False
    ) -> None:
        self.spec = spec
        self.scenarios = dict(scenarios)
        # Enforced runs send the compiler's output (preamble, isolation markers); the judge
        # grades the scenario as written plus the answer, never our own preamble.
        self.enforce = enforce
        self.spec_tokens = whole_spec_prompt_tokens(spec)
        self.name = f"spec {spec.content_hash()[:12]} ({len(self.scenarios)} scenarios)"


@scorer(metrics=[mean(), stderr(), unscored_count()])
def spec_judge(
    context: JudgeContext,
    settings: GraderSettings | None = None,
    budget: Budget | None = None,
) -> Scorer:
    """Grade each answer against its governing section with the ``grader`` model role."""
    settings = settings or GraderSettings()
    system = grader_system_prompt()
    spec, spec_tokens = context.spec, context.spec_tokens
    prompts = GraderPrompts(spec, budget)  # one per task: each section's context built once

    async def score(state: TaskState, target: Target) -> Score:
        sample = read_record(SampleMetadata, state.metadata, f"sample {state.sample_id}")
        scenario = context.scenarios[sample.scenario_id]
        transcript = (
            written_transcript(scenario, spec, state)
            if context.enforce
            else transcript_lines(state)
        )
        prompt = prompts.prompt(scenario.section_id, scenario.anchors, transcript)
        grader = get_model(role=GRADER_ROLE, required=True)
        verdict = await run_grader(grader, system, prompt, settings)
        prompt_tokens = prompts.tokens(scenario.section_id, prompt)
        whole = spec_tokens + transcript_tokens(transcript)
        meta = score_metadata(verdict, whole, prompt_tokens).to_log()
        if verdict.compliant is None:
            return Score.unscored(reason=verdict.unscored_reason, metadata=meta)
        return Score(
            value=1.0 if verdict.compliant else 0.0,
            answer=state.output.completion,
            explanation=verdict.rationale,
            metadata=meta,
        )

    return score
