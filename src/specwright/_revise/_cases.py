"""People's feedback as labelled calibration cases: a verdict on an answer is a label.

A person who says an answer was compliant labels it GOOD; non-compliant, BAD. Each case is the
sample's conversation with that answer last, graded under the section the feedback names,
exactly as the spec's own labelled answers are (:mod:`specwright._eval._calibrate`). Only
the newest labelling feedback on a sample counts: an ``unclear`` verdict is no label (the
person could not tell), so a sample with only unclear feedback is skipped and counted.
Samples of the spec's own examples, its eval prompt files and scenario files (which ``eval``
runs only once approved, unless ``--include-drafts``) all qualify; an item is skipped, and
counted by reason, when its section is not in the spec being calibrated, its run cannot be
read, or the sample has no answer to grade.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import get_args

from specwright._errors import ConfigurationError
from specwright._eval._calibrate import LabelledCase
from specwright._model import Example, LabelledAnswer, Message, Role, Spec, TextPart
from specwright._results import RunResult, SampleResult
from specwright._results._feedback import Feedback

__all__ = ["FeedbackCases", "feedback_cases"]

_ROLES: frozenset[str] = frozenset(get_args(Role))


@dataclass
class FeedbackCases:
    """The cases built from feedback, and why the other items were left out."""

    cases: list[LabelledCase] = field(default_factory=list)
    """One case per sample (its newest feedback)."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Reason → items skipped for it."""
    other_spec: int = 0
    """Cases whose run was judged against another version of the spec."""


def feedback_cases(
    spec: Spec, feedback: Iterable[Feedback], load_run: Callable[[str], RunResult]
) -> FeedbackCases:
    """Labelled cases from ``feedback`` on ``spec``; ``load_run(run_id)`` reads a run."""
    latest: dict[tuple[str, str, int], Feedback] = {}
    doubted: set[tuple[str, str, int]] = set()
    for item in sorted(feedback, key=lambda f: f.created):
        key = (item.run_id, item.scenario_id, item.epoch)
        if item.is_label:
            latest[key] = item
        else:
            doubted.add(key)
    result = FeedbackCases()
    if unlabelled := len(doubted - set(latest)):
        result.skipped["verdict unclear (not a label)"] += unlabelled
    runs: dict[str, RunResult | None] = {}
    for item in latest.values():
        section = spec.get(item.section_id)
        if section is None:
            result.skipped["section not in this spec"] += 1
            continue
        if item.run_id not in runs:
            runs[item.run_id] = _read(load_run, item.run_id)
        run = runs[item.run_id]
        sample = _sample(run, item) if run is not None else None
        case = _case(section.id, spec, item, sample) if sample is not None else None
        if run is None:
            result.skipped["run not readable (not indexed, or its log is gone)"] += 1
        elif case is None:
            result.skipped["no answer to grade in the sample"] += 1
        else:
            result.cases.append(case)
            result.other_spec += run.spec_hash != spec.content_hash()
    return result


def _read(load_run: Callable[[str], RunResult], run_id: str) -> RunResult | None:
    try:
        return load_run(run_id)
    except ConfigurationError:
        return None


def _sample(run: RunResult, item: Feedback) -> SampleResult | None:
    return next(
        (s for s in run.samples if (s.scenario_id, s.epoch) == (item.scenario_id, item.epoch)),
        None,
    )


def _message(role: str, text: str) -> Message | None:
    if role not in _ROLES:
        return None
    return Message(role=role, parts=(TextPart(text=text),))


def _case(section_id: str, spec: Spec, item: Feedback, sample: SampleResult) -> LabelledCase | None:
    transcript = list(sample.transcript)
    if not transcript or transcript[-1].role != "assistant" or not transcript[-1].content.strip():
        return None
    answer = _message("assistant", transcript.pop().content)
    messages = [_message(m.role, m.content) for m in transcript]
    if answer is None or any(m is None for m in messages):
        return None
    label = LabelledAnswer(label="GOOD" if item.compliant else "BAD", message=answer,
                           explanation=item.note or None)  # fmt: skip
    # A sample of the spec's own example was judged with that example's labelled answers as
    # anchors; the case keeps them, so the judge is measured as it judged (never its own label).
    own = next((e for _, e in spec.examples() if e.id == sample.scenario_id), None)
    anchors = own.answers if own is not None and sample.kind == "example" else ()
    example = Example(
        id=f"feedback/{item.feedback_id}",
        title=f"feedback by {item.author} on {item.run_id} {item.scenario_id}@{item.epoch}",
        messages=tuple(m for m in messages if m is not None),
        answers=(*anchors, label),
        has_comparison=True,
    )
    return LabelledCase(section=spec.section(section_id), example=example, answer=label)
