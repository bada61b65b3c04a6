"""The typed results of an eval run: what reports, diffs and the store read.

``specwright eval`` writes Inspect logs whose metadata follows :mod:`specwright._results._contract`;
the eval package validates that metadata and builds a :class:`RunResult` with
:func:`specwright._results.summarize_run`. Reports, run-vs-run diffs and the history store
read only these types, never Inspect's, so that they stay light and testable with hand-made runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeAlias

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from specwright._frozen import FrozenModel
from specwright._llm import Adaptation
from specwright._model import Authority

__all__ = [
    "Calibration",
    "ConfusionMatrix",
    "Grade",
    "JudgeAgreement",
    "JudgeVerdict",
    "PairAgreement",
    "Rate",
    "RunHeader",
    "RunResult",
    "RunStatus",
    "SampleResult",
    "ScenarioKind",
    "ScenarioPlace",
    "TranscriptMessage",
    "Verdict",
]

ScenarioKind: TypeAlias = Literal["example", "eval_prompt", "custom"]
"""Where a scenario came from: a spec example, an eval prompt file, or a user's file."""

RunStatus: TypeAlias = Literal["success", "started", "cancelled", "error"]
"""Inspect's status of the run's log: only ``success`` is a finished run."""


class Rate(FrozenModel):
    """A compliance rate with its 95% confidence interval."""

    rate: float | None
    """Share of scored samples judged compliant; ``None`` when nothing was scored."""
    ci_low: float | None
    """Lower end of the 95% interval."""
    ci_high: float | None
    """Upper end of the 95% interval."""
    n: int
    """Scored samples behind the rate."""


class ConfusionMatrix(FrozenModel):
    """Judge verdicts on labelled answers, GOOD being the positive class."""

    tp: int = 0
    """GOOD answers judged compliant."""
    fp: int = 0
    """BAD answers judged compliant."""
    tn: int = 0
    """BAD answers judged non-compliant."""
    fn: int = 0
    """GOOD answers judged non-compliant."""


class Calibration(FrozenModel):
    """How well a grader reproduced the spec's own labels."""

    grader: str
    """The grader model."""
    spec_hash: str
    """Hash of the spec whose labelled answers were graded."""
    accuracy: float | None
    """(tp + tn) / scored."""
    kappa: float | None
    """Cohen's kappa between labels and verdicts."""
    n_scored: int
    """Labelled GOOD/BAD answers the grader scored."""
    n_unscored: int
    """Answers whose grade was unparseable or refused."""
    confusion: ConfusionMatrix
    """Overall confusion matrix."""
    by_section: dict[str, ConfusionMatrix] = Field(default_factory=dict)
    """Confusion per section id."""
    ok_compliant: int = 0
    """OK answers judged compliant (reported apart, not in the matrix)."""
    ok_noncompliant: int = 0
    """OK answers judged non-compliant."""
    created: datetime | None = None
    """When the calibration ran."""
    sections: tuple[str, ...] = ()
    """The sections calibrated (with their descendants); empty: the whole spec. A calibration
    of some sections is saved apart and never stands for the whole spec's."""
    unscored_reasons: dict[str, int] = Field(default_factory=dict)
    """Why answers went unscored: each reason with how many answers it cost."""

    @model_serializer(mode="wrap")
    def _drop_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A whole-spec calibration with every answer scored serialises as it always did.
        data: dict[str, Any] = handler(self)
        for key in ("sections", "unscored_reasons"):
            if key in data and not data[key]:
                del data[key]
        return data


class Grade(FrozenModel):
    """One grader sample."""

    score: int | None
    """1–7, or ``None`` when unscored."""
    compliant: bool | None
    """The grader's verdict, or ``None`` when unscored."""
    rationale: str = ""
    """The grader's reasoning."""
    cited_sections: tuple[str, ...] = ()
    """Section ids the grader cited."""
    error: str | None = None
    """Why the grade is unscored (unparseable, refused, out of range …)."""
    raw: str | None = None
    """The grader's reply as it came, kept when it could not be read (so a user sees why)."""


class Verdict(FrozenModel):
    """A judge's verdict on one answer: the one record of it, wherever a verdict is carried.

    The eval's judge returns it, and the records that carry a verdict are built on it: one
    judge's among several (:class:`JudgeVerdict`), the log's score metadata and a sample's
    result.
    """

    compliant: bool | None
    """The median verdict of the scored grades; ``None`` when none was scored."""
    score: float | None = None
    """The median 1–7 score; ``None`` when unscored."""
    rationale: str = ""
    """The rationale of the grade closest to the median."""
    cited_sections: tuple[str, ...] = ()
    """Sections the judge cited."""
    grades: tuple[Grade, ...] = ()
    """Every grader sample."""
    unscored_reason: str | None = None
    """Why no grade counted, when unscored."""
    grader_tokens: int = 0
    """Tokens the judge used on the answer, all grader samples together."""


class JudgeVerdict(Verdict):
    """One judge's verdict on one answer, in a run graded by several judges."""

    grader: str
    """The judge's model."""


class PairAgreement(FrozenModel):
    """Cohen's kappa between two judges over the answers both scored."""

    graders: tuple[str, str]
    """The two judges."""
    kappa: float | None
    """Cohen's kappa; ``None`` where undefined (no answer, or all in one same class)."""
    agreement: float | None
    """Share of the answers on which the two gave the same verdict."""
    n: int
    """Answers both judges scored."""


class JudgeAgreement(FrozenModel):
    """How far several judges agree on a set of answers (compliant vs not)."""

    fleiss_kappa: float | None
    """Fleiss' kappa over the answers every judge scored; ``None`` where undefined."""
    n: int
    """Answers every judge scored (the ones Fleiss' kappa counts)."""
    pairs: tuple[PairAgreement, ...] = ()
    """Cohen's kappa of every pair of judges, in the judges' order."""


class TranscriptMessage(FrozenModel):
    """A message as shown in a report."""

    role: str
    """system, developer, user, assistant or tool."""
    content: str
    """The text (never rendered as HTML)."""


class ScenarioPlace(FrozenModel):
    """Where a scenario sits in the spec: the one record of it, in scenarios, logs and results."""

    section_id: str
    """The governing section."""
    section_title: str = ""
    """Its title."""
    part_id: str | None = None
    """The id of the spec's top-level (H1) section holding the governing section, when known."""
    part_title: str = ""
    """That top-level section's title."""
    layer: str = ""
    """For a composed (company) spec: the layer the governing section comes from."""
    authority: Authority | None = None
    """The section's effective authority (own, else inherited)."""


class SampleResult(ScenarioPlace, Verdict):
    """One graded scenario (one epoch): where it sits in the spec and the judge's verdict."""

    scenario_id: str
    """Stable scenario id (example id, eval prompt id or a user-given id)."""
    kind: ScenarioKind
    """Where the scenario came from."""
    scenario_title: str = ""
    """A human name for the scenario (the example's or eval prompt's title), when known."""
    tags: tuple[str, ...] = ()
    """Tags such as ``under_18``."""
    epoch: int = 1
    """1-based epoch."""
    transcript: tuple[TranscriptMessage, ...] = ()
    """The conversation sent, then the model's answer."""
    adjudicated: bool = False
    """Whether a person's verdict replaced the judge's (``compliant`` is then the person's)."""
    judge_compliant: bool | None = None
    """The judge's verdict, kept when a person's verdict replaced it."""
    carried_from: str | None = None
    """The baseline run this result was carried over from unchanged (``specwright eval
    --changed-since``); ``None`` for a result of the run itself."""
    judges: tuple[JudgeVerdict, ...] = ()
    """Each judge's own verdict, in a run graded by several judges (``compliant`` is then
    their majority, a tie counting as non-compliant); empty with one judge."""
    adaptations: tuple[Adaptation, ...] = ()
    """What was changed in the sample's requests so that their servers accepted them."""

    @model_serializer(mode="wrap")
    def _drop_unset_carry(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Results of the run itself (and of one judge) serialise as they did before carrying
        # and several judges existed.
        data: dict[str, Any] = handler(self)
        if data.get("carried_from") is None:
            data.pop("carried_from", None)
        if not data.get("judges", True):
            data.pop("judges")
        return data


class RunHeader(FrozenModel):
    """What identifies a run and how it was made, without its samples and figures."""

    run_id: str
    """The run's identity: Inspect's task id, which a resumed run (``eval_retry``) keeps."""
    log_path: str | None = None
    """Where the log lies."""
    model: str
    """The model under test."""
    grader: str | None = None
    """The grader model."""
    spec_title: str = ""
    """Title of the spec."""
    spec_version: str | None = None
    """Version label of the spec."""
    spec_hash: str
    """:meth:`specwright.Spec.content_hash` of the spec."""
    created: datetime
    """When the run started."""
    enforce: bool = False
    """Whether the chain-of-command compiler shaped the prompts."""
    epochs: int = 1
    """Epochs per scenario."""
    calibration: Calibration | None = None
    """The calibration the run recorded, if any."""
    status: RunStatus = "success"
    """Inspect's status of the log; anything but ``success`` is a partial run."""
    graders: tuple[str, ...] = ()
    """Every judge, in order, when several graded the run (``grader`` is then the first);
    empty with one judge."""
    judge_calibrations: dict[str, Calibration] = Field(default_factory=dict)
    """Each judge's recorded calibration by judge, when several graded the run."""
    failures: dict[str, int] = Field(default_factory=dict)
    """Samples that failed (no answer or no grade, after bounded retries), by reason: they
    count in no figure."""
    n_not_run: int = Field(default=0, ge=0)
    """Samples the run was to do that its log does not hold (stopped before they ran)."""

    @model_serializer(mode="wrap")
    def _drop_single_judge(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A run with one judge (and every sample done) serialises as it did before several
        # judges (and failed samples) were recorded.
        data: dict[str, Any] = handler(self)
        for key in _DROPPED_WHEN_EMPTY:
            if key in data and not data[key]:
                del data[key]
        return data

    @property
    def finished(self) -> bool:
        """Whether every sample ran (only finished runs are indexed in the store)."""
        return self.status == "success"

    @property
    def n_failed(self) -> int:
        """Samples that failed."""
        return sum(self.failures.values())


class RunResult(RunHeader):
    """An eval run (finished or partial) with its samples and compliance figures, as reports see it.

    Build one from samples with :func:`specwright._results.summarize_run`, which computes
    the aggregate fields, rather than by hand.
    """

    samples: tuple[SampleResult, ...] = ()
    """Every graded sample."""
    overall: Rate
    """Compliance over all scored samples."""
    by_section: dict[str, Rate] = Field(default_factory=dict)
    """Compliance per section id."""
    by_authority: dict[str, Rate] = Field(default_factory=dict)
    """Compliance per authority level (``none`` for sections without one)."""
    by_tag: dict[str, Rate] = Field(default_factory=dict)
    """Compliance per tag."""
    n_scored: int = 0
    """Samples with a verdict."""
    n_unscored: int = 0
    """Samples without one."""
    grader_tokens: int = 0
    """Grader tokens over the run."""
    whole_spec_grader_tokens: int = 0
    """What the same grading would have cost with the whole spec in every grader prompt."""
    n_adjudicated: int = 0
    """Samples whose verdict a person gave (feedback), replacing the judge's."""
    judge_overall: Rate | None = None
    """Compliance by the judge's verdicts alone, when people adjudicated some samples."""
    judge_agreement: JudgeAgreement | None = None
    """Agreement between the judges over the run, when several graded it."""
    judge_agreement_by_section: dict[str, JudgeAgreement] = Field(default_factory=dict)
    """Agreement between the judges per section id, when several graded the run."""

    @property
    def n_planned(self) -> int:
        """Samples the run was to do: finished (scored or unscored), failed and not run."""
        return self.n_scored + self.n_unscored + self.n_failed + self.n_not_run

    @property
    def partial(self) -> bool:
        """Whether some samples failed or never ran (the figures cover the others only)."""
        return bool(self.failures or self.n_not_run) or not self.finished


_DROPPED_WHEN_EMPTY = (
    "graders",
    "judge_calibrations",
    "judge_agreement",
    "judge_agreement_by_section",
    "failures",
    "n_not_run",
)
