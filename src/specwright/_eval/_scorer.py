"""The Inspect scorer: grade the target's answer with the spec-grounded judge.

Score values are 1.0 (compliant) and 0.0 (not); an unscored grade is Inspect's unscored
sentinel (:meth:`Score.unscored`), which metrics and epoch reducers skip. The score metadata
is a :class:`specwright._results.ScoreMetadata` (the log contract), written from an instance.

Several judges are several model roles — ``grader``, ``grader_2``, ``grader_3`` … — asked
concurrently by the one scorer: each judge's verdict is kept in the score metadata's
``judges`` and the score's value is their headline (majority of the judges that scored, a tie
non-compliant). One scorer rather than one per judge, so that a sample has one verdict for the
epoch reducer, Inspect's metrics and every report, exactly as with one judge.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections.abc import Mapping, Sequence

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

from specwright._eval._judge import GraderSettings, run_grader
from specwright._eval._messages import original_role, scenario_messages, shown_text
from specwright._eval._prompt import (
    Budget,
    GraderPrompts,
    TranscriptLine,
    grader_system_prompt,
    transcript_tokens,
    whole_spec_prompt_tokens,
)
from specwright._eval._provider import collect_adaptations, record_adaptations
from specwright._model import Spec
from specwright._results import (
    JudgeVerdict,
    SampleMetadata,
    ScoreMetadata,
    Verdict,
    majority_verdict,
    read_record,
)
from specwright._scenarios import Scenario

__all__ = [
    "GRADER_ROLE",
    "JudgeContext",
    "grader_role",
    "panel_metadata",
    "score_metadata",
    "spec_judge",
    "transcript_lines",
    "unscored_count",
]

GRADER_ROLE = "grader"
"""The Inspect model role the judge asks for (the first judge's, with several)."""


def grader_role(index: int) -> str:
    """The model role of the judge at 0-based ``index``: ``grader``, ``grader_2``, …"""
    return GRADER_ROLE if index == 0 else f"{GRADER_ROLE}_{index + 1}"


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
        **dict(verdict), grader_prompt_tokens=prompt_tokens, whole_spec_tokens=whole_spec_tokens
    )


def panel_metadata(
    verdicts: Sequence[tuple[str, Verdict]], whole_spec_tokens: int, prompt_tokens: int
) -> ScoreMetadata:
    """The score metadata of several judges' ``(grader, verdict)``: each kept, and a headline.

    The headline verdict is the majority of the judges that scored (a tie is non-compliant),
    its score the median of theirs, its rationale the first agreeing judge's; the grades and
    tokens are every judge's together (what the grading cost).
    """
    judges = tuple(JudgeVerdict(grader=grader, **dict(v)) for grader, v in verdicts)
    compliant = majority_verdict(j.compliant for j in judges)
    lead = next((j for j in judges if j.compliant == compliant), judges[0])
    scores = [j.score for j in judges if j.score is not None]
    return ScoreMetadata(
        compliant=compliant,
        score=float(statistics.median(scores)) if scores else None,
        rationale=lead.rationale if compliant is not None else "",
        cited_sections=lead.cited_sections if compliant is not None else (),
        grades=tuple(g for j in judges for g in j.grades),
        unscored_reason=None
        if compliant is not None
        else "; ".join(f"{j.grader}: {j.unscored_reason}" for j in judges),
        grader_tokens=sum(j.grader_tokens for j in judges),
        grader_prompt_tokens=prompt_tokens,
        whole_spec_tokens=whole_spec_tokens,
        judges=judges,
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
    judges: int = 1,
) -> Scorer:
    """Grade each answer against its governing section with the ``grader`` model role
    (and, with ``judges`` above 1, the roles ``grader_2`` … ``grader_<judges>`` as well)."""
    settings = settings or GraderSettings()
    roles = [grader_role(i) for i in range(judges)]
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
        graders = [get_model(role=role, required=True) for role in roles]
        adapted = collect_adaptations()
        try:
            verdicts = await asyncio.gather(
                *(run_grader(grader, system, prompt, settings) for grader in graders)
            )
        finally:
            record_adaptations(state.metadata, adapted)
        prompt_tokens = prompts.tokens(scenario.section_id, prompt)
        whole = spec_tokens + transcript_tokens(transcript)
        judged = (
            score_metadata(verdicts[0], whole, prompt_tokens)
            if judges == 1
            else panel_metadata(
                list(zip(map(str, graders), verdicts, strict=True)), whole, prompt_tokens
            )
        )
        meta = judged.to_log()
        if judged.compliant is None:
            return Score.unscored(reason=judged.unscored_reason, metadata=meta)
        return Score(
            value=1.0 if judged.compliant else 0.0,
            answer=state.output.completion,
            explanation=judged.rationale,
            metadata=meta,
        )

    return score
