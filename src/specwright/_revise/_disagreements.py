"""Where verdicts disagree: across models, judges, epochs and a judge's own samples.

Published work finds that where models disagree most, a spec is most often unclear, and that a
scenario on which *every* model is judged non-compliant more likely shows a spec problem than a
model problem. For each scenario this module measures disagreement on four axes — each the
minority share of the verdicts on that axis, doubled so that an even split is 1.0:

- ``models``: the majority verdict of each model (over its runs and epochs);
- ``judges``: for one model, the verdicts of runs judged by different graders, and the
  verdicts of the several judges of one run on each answer (``eval --grader A --grader B``);
- ``epochs``: one run's verdicts on the scenario across epochs;
- ``grader_samples``: one judge's own samples on one answer (the median hides their split).

A scenario's score is the mean of the axes it has; a section's is the mean of its scenarios'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import fmean
from typing import Literal, TypeAlias

from specwright._frozen import FrozenModel
from specwright._model import Spec
from specwright._results import Grade, RunResult, SampleResult
from specwright._revise._runs import one_per_run

__all__ = [
    "Axis",
    "AxisScore",
    "DisagreementReport",
    "ScenarioDisagreement",
    "SectionDisagreement",
    "find_disagreements",
]

Axis: TypeAlias = Literal["models", "judges", "epochs", "grader_samples"]


class AxisScore(FrozenModel):
    """Disagreement on one axis: 0 unanimous, 1 an even split."""

    axis: Axis
    disagreement: float
    """Twice the minority share of the verdicts."""
    n: int
    """Verdicts compared."""


class Answer(FrozenModel):
    """One model's answer to the scenario, as judged."""

    run_id: str
    model: str
    grader: str | None
    epoch: int
    compliant: bool | None
    answer: str
    rationale: str


class ScenarioDisagreement(FrozenModel):
    """One scenario: its axes, its score and the answers side by side."""

    scenario_id: str
    section_id: str
    section_title: str
    score: float
    axes: tuple[AxisScore, ...]
    all_noncompliant: bool
    """Every model (two or more) judged non-compliant: look at the spec's text first."""
    answers: tuple[Answer, ...]


class SectionDisagreement(FrozenModel):
    """A section: the mean score of its scenarios and how many look like spec problems."""

    section_id: str
    title: str
    score: float
    scenarios: int
    all_noncompliant: int
    text: str = ""
    """The section's text, when the spec was given."""


class DisagreementReport(FrozenModel):
    """Sections and scenarios ranked by disagreement, highest first."""

    runs: tuple[str, ...]
    models: tuple[str, ...]
    sections: tuple[SectionDisagreement, ...]
    scenarios: tuple[ScenarioDisagreement, ...]


def find_disagreements(runs: Sequence[RunResult], spec: Spec | None = None) -> DisagreementReport:
    """Rank the sections and scenarios of ``runs`` by disagreement (a run resumed from an
    interrupted log counts once: :func:`~specwright._revise._runs.one_per_run`)."""
    runs = one_per_run(runs)
    by_scenario: dict[str, list[tuple[RunResult, SampleResult]]] = defaultdict(list)
    for run in runs:
        for sample in run.samples:
            by_scenario[sample.scenario_id].append((run, sample))
    scenarios = sorted(
        (_scenario(sid, pairs) for sid, pairs in by_scenario.items()),
        key=lambda s: (-s.score, -s.all_noncompliant, s.scenario_id),
    )
    return DisagreementReport(
        runs=tuple(r.run_id for r in runs),
        models=tuple(dict.fromkeys(r.model for r in runs)),
        sections=tuple(_sections(scenarios, spec)),
        scenarios=tuple(scenarios),
    )


def _split(verdicts: Iterable[bool | None]) -> tuple[float, int] | None:
    scored = [v for v in verdicts if v is not None]
    if len(scored) < 2:
        return None
    yes = sum(scored)
    return 2 * min(yes, len(scored) - yes) / len(scored), len(scored)


def _majority(verdicts: Iterable[bool | None]) -> bool | None:
    scored = [v for v in verdicts if v is not None]
    if not scored or sum(scored) * 2 == len(scored):
        return None  # unscored, or a tie: no majority to compare
    return sum(scored) * 2 > len(scored)


def _axes(pairs: Sequence[tuple[RunResult, SampleResult]]) -> list[AxisScore]:
    by_model: dict[str, list[bool | None]] = defaultdict(list)
    by_model_judge: dict[str, dict[str, list[bool | None]]] = defaultdict(lambda: defaultdict(list))
    by_run: dict[str, list[bool | None]] = defaultdict(list)
    for run, sample in pairs:
        by_model[run.model].append(sample.compliant)
        by_model_judge[run.model][", ".join(run.graders) or run.grader or "?"].append(
            sample.compliant
        )
        by_run[run.run_id].append(sample.compliant)
    candidates: list[tuple[Axis, tuple[float, int] | None]] = [
        ("models", _split(_majority(v) for v in by_model.values())),
        ("judges", _mean_split([
            *(_split(_majority(v) for v in judges.values()) for judges in by_model_judge.values()),
            *(_split(j.compliant for j in sample.judges) for _, sample in pairs),
        ])),
        ("epochs", _mean_split(_split(v) for v in by_run.values())),
        ("grader_samples", _mean_split(
            _split(g.compliant for g in grades) for _, sample in pairs for grades in _own(sample)
        )),
    ]  # fmt: skip
    return [AxisScore(axis=a, disagreement=s[0], n=s[1]) for a, s in candidates if s is not None]


def _own(sample: SampleResult) -> list[tuple[Grade, ...]]:
    """Each judge's own grader samples (one judge: the sample's grades)."""
    return [j.grades for j in sample.judges] if sample.judges else [sample.grades]


def _mean_split(splits: Iterable[tuple[float, int] | None]) -> tuple[float, int] | None:
    present = [s for s in splits if s is not None]
    if not present:
        return None
    return fmean(s[0] for s in present), sum(s[1] for s in present)


def _scenario(
    scenario_id: str, pairs: list[tuple[RunResult, SampleResult]]
) -> ScenarioDisagreement:
    axes = _axes(pairs)
    model_verdicts: dict[str, list[bool | None]] = defaultdict(list)
    for run, sample in pairs:
        model_verdicts[run.model].append(sample.compliant)
    majorities = [_majority(v) for v in model_verdicts.values()]
    first = pairs[0][1]
    return ScenarioDisagreement(
        scenario_id=scenario_id,
        section_id=first.section_id,
        section_title=first.section_title,
        score=fmean(a.disagreement for a in axes) if axes else 0.0,
        axes=tuple(axes),
        all_noncompliant=len(majorities) >= 2 and all(m is False for m in majorities),
        answers=tuple(_answer(run, sample) for run, sample in pairs),
    )


def _answer(run: RunResult, sample: SampleResult) -> Answer:
    last = sample.transcript[-1].content if sample.transcript else ""
    return Answer(
        run_id=run.run_id, model=run.model, grader=run.grader, epoch=sample.epoch,
        compliant=sample.compliant, answer=last, rationale=sample.rationale,
    )  # fmt: skip


def _sections(
    scenarios: Sequence[ScenarioDisagreement], spec: Spec | None
) -> list[SectionDisagreement]:
    grouped: dict[str, list[ScenarioDisagreement]] = defaultdict(list)
    for scenario in scenarios:
        grouped[scenario.section_id].append(scenario)
    sections = []
    for section_id, items in grouped.items():
        section = spec.get(section_id) if spec is not None else None
        sections.append(
            SectionDisagreement(
                section_id=section_id,
                title=section.title if section else items[0].section_title,
                score=fmean(s.score for s in items),
                scenarios=len(items),
                all_noncompliant=sum(s.all_noncompliant for s in items),
                text=section.body if section else "",
            )
        )
    return sorted(sections, key=lambda s: (-s.score, -s.all_noncompliant, s.section_id))
