"""Human feedback on judged samples: a verdict (and a note) tied to a run, a sample and a section.

A sample is named ``SCENARIO_ID`` (epoch 1) or ``SCENARIO_ID@EPOCH``, parsed once into a
:class:`SampleRef`. Feedback is checked against the run before anything is stored: an unknown
sample or section is an input error naming it, and nothing is written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal, TypeAlias

from pydantic import Field

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._results._models import RunHeader, RunResult, SampleResult

__all__ = [
    "Feedback",
    "HumanVerdict",
    "JudgeVerdict",
    "SampleRef",
    "make_feedback",
    "parse_sample_ref",
    "sample_feedback",
]

HumanVerdict: TypeAlias = Literal["compliant", "non-compliant", "unclear"]
"""A person's verdict on one answer. ``unclear`` says the person could not tell (often: the
section does not say); it is kept and shown, but it is not a label: it never replaces the
judge's verdict and never becomes a calibration case."""
JudgeVerdict: TypeAlias = Literal["compliant", "non-compliant"]
"""What a judge said (it is never unclear: an unsure judge leaves the sample unscored)."""

_REF = re.compile(r"^(?P<scenario>.+?)(?:@(?P<epoch>[1-9]\d{0,5}))?$")


class SampleRef(FrozenModel):
    """One sample of a run: a scenario and an epoch."""

    scenario_id: str = Field(min_length=1)
    """The scenario."""
    epoch: int = Field(default=1, ge=1)
    """The epoch (1 unless the run had several)."""

    def __str__(self) -> str:
        return self.scenario_id if self.epoch == 1 else f"{self.scenario_id}@{self.epoch}"


def parse_sample_ref(text: str) -> SampleRef:
    """``scenario`` or ``scenario@epoch`` → :class:`SampleRef`."""
    match = _REF.match(text.strip())
    if match is None or not match.group("scenario"):
        raise ConfigurationError(f"SAMPLE {text!r}: expected SCENARIO_ID or SCENARIO_ID@EPOCH")
    return SampleRef(scenario_id=match.group("scenario"), epoch=int(match.group("epoch") or 1))


class Feedback(FrozenModel):
    """A person's verdict on one judged sample, with everything needed to trace it."""

    feedback_id: str
    """A hash of the feedback's content."""
    created: datetime
    """When it was given."""
    author: str
    """Who gave it."""
    run_id: str
    """The run the sample belongs to."""
    model: str
    """The model that answered."""
    spec_hash: str
    """The spec the run was judged against."""
    section_id: str
    """The section the feedback is about (the sample's own, unless another was named)."""
    scenario_id: str
    """The scenario."""
    epoch: int
    """The sample's epoch."""
    verdict: HumanVerdict
    """The person's verdict."""
    judge_verdict: JudgeVerdict | None
    """What the judge said (``None`` when it did not score the sample)."""
    judge: str | None
    """The judge model."""
    note: str = ""
    """Why, in the person's words (e.g. "the section is unclear about X")."""

    @property
    def compliant(self) -> bool | None:
        """The verdict as a label: ``None`` when the person found it unclear."""
        return None if self.verdict == "unclear" else self.verdict == "compliant"

    @property
    def is_label(self) -> bool:
        """Whether the verdict labels the answer (compliant or non-compliant, not unclear)."""
        return self.verdict != "unclear"

    @property
    def overrules_judge(self) -> bool:
        """Whether the person gave a label that disagrees with the judge."""
        return self.is_label and self.judge_verdict != self.verdict


def make_feedback(
    run: RunResult,
    ref: SampleRef,
    verdict: HumanVerdict,
    *,
    author: str,
    section_id: str | None = None,
    note: str = "",
    known_sections: Iterable[str] = (),
) -> Feedback:
    """Feedback on ``ref`` in ``run``; unknown samples and sections raise ``ConfigurationError``."""
    sample = _find(run, ref)
    section = section_id or sample.section_id
    sections = {s.section_id for s in run.samples} | set(known_sections)
    if section not in sections:
        raise ConfigurationError(f"--section: no section {section!r} in run {run.run_id}")
    return sample_feedback(run, sample, verdict, author=author, section_id=section, note=note)


def sample_feedback(
    run: RunHeader,
    sample: SampleResult,
    verdict: HumanVerdict,
    *,
    author: str,
    section_id: str | None = None,
    note: str = "",
) -> Feedback:
    """Feedback on ``sample`` of ``run``, already known to hold it (the studio's index does)."""
    created = datetime.now(UTC)
    judge = None if sample.compliant is None else _verdict(sample.compliant)
    ref = SampleRef(scenario_id=sample.scenario_id, epoch=sample.epoch)
    key = f"{run.run_id}\x00{ref}\x00{verdict}\x00{author}\x00{created.isoformat()}"
    return Feedback(
        feedback_id=hashlib.sha256(key.encode()).hexdigest()[:24],
        created=created,
        author=author,
        run_id=run.run_id,
        model=run.model,
        spec_hash=run.spec_hash,
        section_id=section_id or sample.section_id,
        scenario_id=sample.scenario_id,
        epoch=sample.epoch,
        verdict=verdict,
        judge_verdict=judge,
        judge=run.grader,
        note=note,
    )


def _verdict(compliant: bool) -> JudgeVerdict:
    return "compliant" if compliant else "non-compliant"


def _find(run: RunResult, ref: SampleRef) -> SampleResult:
    for sample in run.samples:
        if sample.scenario_id == ref.scenario_id and sample.epoch == ref.epoch:
            return sample
    near = sorted({s.scenario_id for s in run.samples if ref.scenario_id in s.scenario_id})[:3]
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise ConfigurationError(f"SAMPLE {ref}: not in run {run.run_id}{hint}")
