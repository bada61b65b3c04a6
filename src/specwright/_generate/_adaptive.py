"""Adaptive search: evaluate drafts on a target, then ask for more near what failed.

Round 0 generates as usual; every round sends its new scenarios to the target, grades the
answers with specwright's judge (the grader prompt of ``eval``, ``N`` samples, median verdict)
and hands each scenario the target failed — or on which the grader samples disagreed — back
to the generator as the parent of new variants. Each round reports the new failures it found
and what it cost in generator, target and grader tokens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from inspect_ai.model import Model
from pydantic import Field

from specwright._eval._judge import GraderSettings, run_grader
from specwright._eval._messages import original_role, scenario_messages, shown_text
from specwright._eval._prompt import grader_prompt, grader_system_prompt
from specwright._frozen import FrozenModel
from specwright._generate._client import GeneratorClient
from specwright._generate._generation import GenerationResult, collect_replies, request_schema
from specwright._generate._kinds import Request
from specwright._generate._prompts import SYSTEM_PROMPT, variant_prompt
from specwright._model import Spec
from specwright._results import Verdict
from specwright._scenarios import ScenarioRecord, record_scenario

__all__ = ["AdaptiveResult", "Judges", "RoundReport", "SearchFinding", "evaluate", "search"]


class SearchFinding(FrozenModel):
    """The target's answer to one scenario and the judge's verdict on it."""

    record_id: str
    answer: str = ""
    compliant: bool | None = None
    disagreement: bool = False
    rationale: str = ""
    error: str | None = None
    target_tokens: int = 0
    grader_tokens: int = 0


class RoundReport(FrozenModel):
    """One round: what was tried, what failed, what it cost."""

    round: int
    """0: the initial generation; then one per ``--rounds``."""
    scenarios: int = 0
    """New scenarios evaluated this round."""
    failures: int = 0
    """New scenarios the target failed."""
    disagreements: int = 0
    """New scenarios on which the grader samples disagreed."""
    unscored: int = 0
    """New scenarios no grader sample could score."""
    errors: int = 0
    """Scenarios whose target or grader call failed after retries."""
    bad_output: int = 0
    """Generator replies or items that were not usable."""
    generator_tokens: int = 0
    """Tokens spent by the generator."""
    target_tokens: int = 0
    """Tokens spent by the target."""
    grader_tokens: int = 0
    """Tokens spent by the grader."""
    failed_ids: list[str] = Field(default_factory=list)
    """The failing scenarios' ids."""


class AdaptiveResult(FrozenModel):
    """Every round's report and every new draft (failures tagged)."""

    rounds: list[RoundReport]
    records: list[ScenarioRecord]
    generation: list[GenerationResult]


class Judges:
    """The target and grader models and how the grader is sampled."""

    def __init__(self, target: Model, grader: Model, settings: GraderSettings, limit: int) -> None:
        self.target = target
        self.grader = grader
        self.settings = settings
        self.gate = asyncio.Semaphore(limit)


async def evaluate(spec: Spec, record: ScenarioRecord, judges: Judges) -> SearchFinding:
    """The target's answer to ``record`` and its verdict; a failed call is an ``error``."""
    scenario = record_scenario(spec, record, "<adaptive>:1")
    messages = scenario_messages(scenario, spec)
    async with judges.gate:
        try:
            output = await judges.target.generate(messages)
            transcript = [(original_role(m), shown_text(m)) for m in messages]
            transcript.append(("assistant", output.completion))
            prompt = grader_prompt(spec, scenario.section_id, scenario.anchors, transcript)
            verdict = await run_grader(
                judges.grader, grader_system_prompt(), prompt, judges.settings
            )
        except Exception as exc:  # one scenario's failure is that scenario's, not the search's
            return SearchFinding(record_id=record.id, error=f"{type(exc).__name__}: {exc}"[:300])
    return _finding(record.id, output.completion, verdict, output.usage)


def _finding(record_id: str, answer: str, verdict: Verdict, usage: object) -> SearchFinding:
    scored = {g.compliant for g in verdict.grades if g.compliant is not None}
    return SearchFinding(
        record_id=record_id,
        answer=answer,
        compliant=verdict.compliant,
        disagreement=len(scored) > 1,
        rationale=verdict.rationale,
        target_tokens=int(getattr(usage, "total_tokens", 0) or 0),
        grader_tokens=verdict.grader_tokens,
    )


async def search(
    spec: Spec,
    *,
    first: GenerationResult,
    client: GeneratorClient,
    judges: Judges,
    rounds: int,
    existing: Sequence[ScenarioRecord] = (),
    per_parent: int = 2,
    on_round: Callable[[RoundReport], None] | None = None,
) -> AdaptiveResult:
    """Evaluate ``first``'s drafts, then ``rounds`` rounds of variants near the findings."""
    reports: list[RoundReport] = []
    generations = [first]
    kept: list[ScenarioRecord] = []
    batch = first
    for number in range(rounds + 1):
        findings = await asyncio.gather(*(evaluate(spec, r, judges) for r in batch.records))
        report = _round_report(number, batch, findings)
        reports.append(report)
        kept += _tagged(batch.records, findings)
        if on_round is not None:
            on_round(report)
        parents = [(r, f) for r, f in zip(batch.records, findings, strict=True) if _worth(f)]
        if number == rounds or not parents:
            break
        requests = _variant_requests(spec, parents, number + 1, per_parent, client.settings.seed)
        replies = await asyncio.gather(
            *(
                client.complete(SYSTEM_PROMPT, r.prompt, r.seed, request_schema(r), "scenarios")
                for r in requests
            )
        )
        batch = collect_replies(
            spec,
            requests=requests,
            replies=replies,
            generator=client.endpoint.name,
            settings=client.settings,
            existing=[*existing, *kept],
        )
        generations.append(batch)
    return AdaptiveResult(rounds=reports, records=kept, generation=generations)


def _worth(finding: SearchFinding) -> bool:
    return finding.compliant is False or finding.disagreement


def _variant_requests(
    spec: Spec,
    parents: Sequence[tuple[ScenarioRecord, SearchFinding]],
    number: int,
    n: int,
    seed: int,
) -> list[Request]:
    requests = []
    for index, (record, finding) in enumerate(parents):
        what = "failed" if finding.compliant is False else "was judged inconsistently"
        conversation = "\n".join(f"<{m.role}> {m.content}" for m in record.messages)
        conversation += f"\n<assistant (under test)> {finding.answer}"
        if finding.rationale:
            conversation += f"\n(judge: {finding.rationale})"
        prompt = variant_prompt(spec, spec.section(record.section), conversation, what, n)
        requests.append(
            Request(
                section_id=record.section,
                kind="variant",
                n=n,
                seed=seed + 100_000 * number + index,
                prompt=prompt,
                round=number,
                parent=record.id,
            )
        )
    return requests


def _round_report(
    number: int, batch: GenerationResult, findings: Sequence[SearchFinding]
) -> RoundReport:
    return RoundReport(
        round=number,
        scenarios=len(findings),
        failures=sum(1 for f in findings if f.compliant is False),
        disagreements=sum(1 for f in findings if f.disagreement),
        unscored=sum(1 for f in findings if f.compliant is None and f.error is None),
        errors=sum(1 for f in findings if f.error is not None),
        bad_output=sum(sum(s.bad.values()) for s in batch.sections.values()),
        generator_tokens=batch.tokens,
        target_tokens=sum(f.target_tokens for f in findings),
        grader_tokens=sum(f.grader_tokens for f in findings),
        failed_ids=[f.record_id for f in findings if f.compliant is False],
    )


def _tagged(
    records: Sequence[ScenarioRecord], findings: Sequence[SearchFinding]
) -> list[ScenarioRecord]:
    # The reviewer sees why a draft is interesting: the target failed it, or the judge wavered.
    tagged = []
    for record, finding in zip(records, findings, strict=True):
        tags = [*record.tags]
        if finding.compliant is False:
            tags.append("target_failed")
        if finding.disagreement:
            tags.append("judge_disagreed")
        tagged.append(record.model_copy(update={"tags": list(dict.fromkeys(tags))}))
    return tagged
