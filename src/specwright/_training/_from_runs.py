"""Preference pairs from judged eval runs: compliant over non-compliant answers to one scenario.

A sample's verdict counts when a person gave it (feedback adjudicated the run: a human verdict
wins over the judge's) or when the run's judge is trusted: its recorded calibration clears the
kappa threshold (:func:`specwright._results.judge_validity`). Either way the run must have been
judged against this very spec (same content hash), because the prompt is rebuilt from the
spec's own scenario rather than from a transcript that may hold an enforced preamble.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from specwright._model import Message, Spec, TextPart
from specwright._results import RunResult, SampleResult, judge_validity
from specwright._training._items import PreferencePair, Skipped
from specwright._training._records import RecordMetadata

__all__ = ["run_pairs", "scenario_prompts"]


@dataclass(frozen=True)
class _JudgedAnswer:
    run: RunResult
    sample: SampleResult
    text: str


def scenario_prompts(spec: Spec) -> dict[str, tuple[Message, ...]]:
    """The conversation of every scenario the spec yields, by scenario id (as evals build it)."""
    prompts = {example.id: example.messages for _, example in spec.examples() if example.answers}
    for prompt in spec.eval_prompts:
        if prompt.section_id is not None:
            prompts[prompt.id] = prompt.messages
    return {key: value for key, value in prompts.items() if value}


def run_pairs(
    spec: Spec, runs: Sequence[RunResult], *, min_kappa: float
) -> tuple[list[PreferencePair], list[Skipped]]:
    """Every compliant × non-compliant pair of distinct answers to the same scenario."""
    spec_hash = spec.content_hash()
    skipped: list[Skipped] = []
    usable: list[tuple[RunResult, bool]] = []  # (run, whether its judge's verdicts count)
    for run in runs:
        if run.spec_hash != spec_hash:
            skipped.append(
                Skipped(run.run_id, "run judged against another spec (content hash differs)")
            )
            continue
        reason = _untrusted_judge(run, min_kappa)
        if reason:
            skipped.append(Skipped(run.run_id, reason))
        usable.append((run, not reason))
    prompts = scenario_prompts(spec)
    pairs: list[PreferencePair] = []
    for scenario_id, answers in _by_scenario(usable).items():
        prompt = prompts.get(scenario_id)
        if prompt is None:
            skipped.append(Skipped(scenario_id, "the spec yields no such scenario (a custom one?)"))
            continue
        pairs += _pairs(spec, spec_hash, prompt, answers)
    return pairs, skipped


def _untrusted_judge(run: RunResult, min_kappa: float) -> str:
    validity = judge_validity(run.calibration, min_kappa)
    if validity.trusted:
        return ""
    return f"judge not trusted ({validity.message}): only adjudicated samples count"


def _by_scenario(runs: Iterable[tuple[RunResult, bool]]) -> dict[str, list[_JudgedAnswer]]:
    grouped: dict[str, list[_JudgedAnswer]] = defaultdict(list)
    for run, judge_counts in runs:
        for sample in run.samples:
            last = sample.transcript[-1] if sample.transcript else None
            if sample.compliant is None or last is None or last.role != "assistant":
                continue
            if not (judge_counts or sample.adjudicated):
                continue
            grouped[sample.scenario_id].append(_JudgedAnswer(run, sample, last.content))
    return grouped


def _pairs(
    spec: Spec, spec_hash: str, prompt: tuple[Message, ...], answers: list[_JudgedAnswer]
) -> list[PreferencePair]:
    chosen = _distinct(a for a in answers if a.sample.compliant)
    rejected = _distinct(a for a in answers if a.sample.compliant is False)
    pairs = []
    for good in chosen:
        for bad in rejected:
            if good.text == bad.text:
                continue  # one answer judged both ways: no preference to learn
            pairs.append(
                PreferencePair(
                    prompt,
                    _assistant(good.text),
                    _assistant(bad.text),
                    _metadata(spec, spec_hash, good, bad),
                )
            )
    return pairs


def _distinct(answers: Iterable[_JudgedAnswer]) -> list[_JudgedAnswer]:
    seen: dict[str, _JudgedAnswer] = {}
    for answer in answers:
        seen.setdefault(answer.text, answer)
    return list(seen.values())


def _assistant(text: str) -> Message:
    return Message(role="assistant", parts=(TextPart(text=text),))


def _metadata(
    spec: Spec, spec_hash: str, good: _JudgedAnswer, bad: _JudgedAnswer
) -> RecordMetadata:
    judges = dict.fromkeys(a.run.grader or "unknown" for a in (good, bad))
    kappas = [a.run.calibration.kappa for a in (good, bad) if a.run.calibration is not None]
    sample = good.sample
    return RecordMetadata(
        section_id=sample.section_id,
        authority=spec.effective_authority(sample.section_id)
        if spec.get(sample.section_id)
        else None,
        spec_hash=spec_hash,
        spec_version=spec.version,
        source="run_sample",
        source_id=f"{good.run.run_id}/{sample.scenario_id}/{sample.epoch}"
        f">{bad.run.run_id}/{bad.sample.scenario_id}/{bad.sample.epoch}",
        scenario_id=sample.scenario_id,
        run_ids=tuple(dict.fromkeys((good.run.run_id, bad.run.run_id))),
        judge="; ".join(judges),
        judge_kappa=min((k for k in kappas if k is not None), default=None),
        adjudicated=good.sample.adjudicated or bad.sample.adjudicated,
    )
