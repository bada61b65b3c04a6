"""Typed results of an eval run: the contract between ``specwright eval`` and the reports.

``specwright eval`` writes Inspect logs; :func:`specwright.load_run` (in the eval package)
turns one log into a :class:`RunResult`. Reports, run-vs-run diffs and the history store read
only these types, never Inspect's, so that they stay light and testable with hand-made runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from specwright._model import Authority

__all__ = [
    "Calibration",
    "ConfusionMatrix",
    "Grade",
    "JudgeValidity",
    "Rate",
    "RunResult",
    "SampleResult",
    "ScenarioKind",
    "TranscriptMessage",
    "ValidityStatus",
    "judge_validity",
]

ValidityStatus: TypeAlias = Literal["ok", "weak", "undefined", "missing"]
"""How far a run's judge can be trusted, from its recorded calibration."""

ScenarioKind: TypeAlias = Literal["example", "eval_prompt", "custom"]
"""Where a scenario came from: a spec example, an eval prompt file, or a user's file."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Rate(_Frozen):
    """A compliance rate with its 95% confidence interval."""

    rate: float | None
    """Share of scored samples judged compliant; ``None`` when nothing was scored."""
    ci_low: float | None
    """Lower end of the 95% interval."""
    ci_high: float | None
    """Upper end of the 95% interval."""
    n: int
    """Scored samples behind the rate."""


class ConfusionMatrix(_Frozen):
    """Judge verdicts on labelled answers, GOOD being the positive class."""

    tp: int = 0
    """GOOD answers judged compliant."""
    fp: int = 0
    """BAD answers judged compliant."""
    tn: int = 0
    """BAD answers judged non-compliant."""
    fn: int = 0
    """GOOD answers judged non-compliant."""


class Calibration(_Frozen):
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


class Grade(_Frozen):
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


class TranscriptMessage(_Frozen):
    """A message as shown in a report."""

    role: str
    """system, developer, user, assistant or tool."""
    content: str
    """The text (never rendered as HTML)."""


class SampleResult(_Frozen):
    """One graded scenario (one epoch)."""

    scenario_id: str
    """Stable scenario id (example id, eval prompt id or a user-given id)."""
    kind: ScenarioKind
    """Where the scenario came from."""
    section_id: str
    """The governing section."""
    section_title: str = ""
    """Its title."""
    scenario_title: str = ""
    """A human name for the scenario (the example's or eval prompt's title), when known."""
    part_id: str | None = None
    """The id of the spec's top-level (H1) section holding the governing section, when known."""
    part_title: str = ""
    """That top-level section's title."""
    authority: Authority | None = None
    """The section's effective authority."""
    tags: tuple[str, ...] = ()
    """Tags such as ``under_18``."""
    epoch: int = 1
    """1-based epoch."""
    compliant: bool | None
    """Median verdict; ``None`` when unscored."""
    score: float | None = None
    """Median 1–7 score; ``None`` when unscored."""
    rationale: str = ""
    """The rationale of the grade closest to the median."""
    cited_sections: tuple[str, ...] = ()
    """Sections the grader cited."""
    unscored_reason: str | None = None
    """Why no grade counted, when unscored."""
    transcript: tuple[TranscriptMessage, ...] = ()
    """The conversation sent, then the model's answer."""
    grades: tuple[Grade, ...] = ()
    """Every grader sample."""
    grader_tokens: int = 0
    """Tokens the grader used for this sample, all grader samples together."""
    adjudicated: bool = False
    """Whether a person's verdict replaced the judge's (``compliant`` is then the person's)."""
    judge_compliant: bool | None = None
    """The judge's verdict, kept when a person's verdict replaced it."""
    carried_from: str | None = None
    """The baseline run this result was carried over from unchanged (``specwright eval
    --changed-since``); ``None`` for a result of the run itself."""

    @model_serializer(mode="wrap")
    def _drop_unset_carry(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Results of the run itself serialise as they did before carrying existed.
        data: dict[str, Any] = handler(self)
        if data.get("carried_from") is None:
            data.pop("carried_from", None)
        return data


class RunResult(_Frozen):
    """A finished (or partial) eval run, as reports see it."""

    run_id: str
    """Inspect's run id (or eval id)."""
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


class JudgeValidity(_Frozen):
    """A plain-words verdict on a run's judge, from the calibration the run recorded."""

    status: ValidityStatus
    """``ok`` at or above the threshold; ``weak`` below; ``undefined`` when kappa could not be
    computed (e.g. one label only); ``missing`` when the run recorded no calibration."""
    kappa: float | None
    """The recorded kappa, if any."""
    threshold: float
    """The kappa the verdict was measured against (setting ``SPECWRIGHT_MIN_KAPPA``)."""

    @property
    def trusted(self) -> bool:
        """Whether figures judged by this grader can be read without a warning."""
        return self.status == "ok"

    @property
    def message(self) -> str:
        """One line for people: what the status means for the run's figures."""
        if self.status == "missing":
            return "no calibration recorded: how far to trust the judge is unknown"
        if self.status == "undefined":
            return (
                "judge calibration has an undefined kappa: its agreement with the labels is unknown"
            )
        assert self.kappa is not None
        if self.status == "weak":
            return (
                f"judge is weak: kappa {self.kappa:.2f} is below {self.threshold:.2f}, "
                "so compliance figures may not reflect the spec"
            )
        return f"judge calibrated: kappa {self.kappa:.2f} (threshold {self.threshold:.2f})"


def judge_validity(calibration: Calibration | None, threshold: float = 0.4) -> JudgeValidity:
    """Classify a run's judge by its recorded calibration against a kappa ``threshold``."""
    if calibration is None:
        return JudgeValidity(status="missing", kappa=None, threshold=threshold)
    kappa = calibration.kappa
    if kappa is None:
        return JudgeValidity(status="undefined", kappa=None, threshold=threshold)
    status: ValidityStatus = "ok" if kappa >= threshold else "weak"
    return JudgeValidity(status=status, kappa=kappa, threshold=threshold)
