"""What a revision of one section is drawn from: the samples people and verdicts flagged.

Two sources, each sample named by run and sample so that a proposal can cite it:

- feedback on the section (``specwright feedback add``), the newest item per sample;
- the section's scenarios where verdicts disagree (:mod:`._disagreements`), or where every
  model was judged non-compliant — the likely sign that the text, not the models, is at fault.

Feedback comes first (a person looked at it), then scenarios by disagreement, at most
``limit`` samples in all, so that a prompt stays bounded on a large run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from specwright._frozen import FrozenModel
from specwright._model import Spec
from specwright._results import RunResult, SampleResult, TranscriptMessage
from specwright._results._feedback import Feedback, HumanVerdict
from specwright._revise._disagreements import ScenarioDisagreement, find_disagreements

__all__ = ["Evidence", "gather_evidence"]

_MAX_CHARS = 1500  # per message shown to the drafting model: a sample, not a whole log


class Evidence(FrozenModel):
    """One sample that motivates a revision, with what was said about it."""

    id: str
    """``E1``, ``E2``…: how the drafting model cites it."""
    run_id: str
    """The run the sample belongs to."""
    model: str
    """The model that answered."""
    scenario_id: str
    """The sample's scenario."""
    epoch: int
    """The sample's epoch."""
    why: str
    """Why it was chosen: feedback, disagreement, or every model failing."""
    conversation: tuple[TranscriptMessage, ...]
    """The conversation before the answer, each message clipped."""
    answer: str
    """The model's answer."""
    judge: bool | None
    """The judge's verdict (``None``: unscored)."""
    person: HumanVerdict | None = None
    """A person's verdict, when feedback was given."""
    note: str = ""
    """The person's note."""

    @property
    def sample(self) -> str:
        """The sample as ``feedback add`` names it."""
        return self.scenario_id if self.epoch == 1 else f"{self.scenario_id}@{self.epoch}"


def gather_evidence(
    section_id: str,
    runs: Sequence[RunResult],
    feedback: Iterable[Feedback],
    spec: Spec | None = None,
    *,
    limit: int = 12,
) -> tuple[Evidence, ...]:
    """The samples of ``runs`` that bear on ``section_id``, feedback first; may be empty."""
    samples = {(r.run_id, s.scenario_id, s.epoch): (r, s) for r in runs for s in r.samples}
    chosen: dict[tuple[str, str, int], Evidence] = {}
    latest: dict[tuple[str, str, int], Feedback] = {}
    for item in sorted(feedback, key=lambda f: f.created):
        if item.section_id == section_id:
            latest[(item.run_id, item.scenario_id, item.epoch)] = item
    for key, item in latest.items():
        if key in samples:
            why = f"feedback by {item.author}: {item.verdict} (judge: {item.judge_verdict})"
            chosen[key] = _evidence(*samples[key], why, item)
    report = find_disagreements(runs, spec)
    for scenario in report.scenarios:
        if scenario.section_id != section_id or not _flagged(scenario):
            continue
        for answer in scenario.answers:
            key = (answer.run_id, scenario.scenario_id, answer.epoch)
            if key not in chosen and key in samples:
                chosen[key] = _evidence(*samples[key], _why(scenario), None)
    picked = list(chosen.values())[:limit]
    return tuple(e.model_copy(update={"id": f"E{i}"}) for i, e in enumerate(picked, 1))


def _flagged(scenario: ScenarioDisagreement) -> bool:
    return scenario.score > 0 or scenario.all_noncompliant


def _why(scenario: ScenarioDisagreement) -> str:
    if scenario.all_noncompliant:
        return "every model judged non-compliant"
    axes = ", ".join(f"{a.axis} {a.disagreement:.2f}" for a in scenario.axes if a.disagreement)
    return f"verdicts disagree (score {scenario.score:.2f}: {axes})"


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_CHARS else text[: _MAX_CHARS - 1] + "…"


def _evidence(run: RunResult, sample: SampleResult, why: str, item: Feedback | None) -> Evidence:
    transcript = list(sample.transcript)
    answer = transcript.pop().content if transcript and transcript[-1].role == "assistant" else ""
    conversation = tuple(m.model_copy(update={"content": _clip(m.content)}) for m in transcript)
    judge = sample.judge_compliant if sample.adjudicated else sample.compliant
    return Evidence(
        id="",
        run_id=run.run_id,
        model=run.model,
        scenario_id=sample.scenario_id,
        epoch=sample.epoch,
        why=why,
        conversation=conversation,
        answer=_clip(answer),
        judge=judge,
        person=item.verdict if item else None,
        note=item.note if item else "",
    )
