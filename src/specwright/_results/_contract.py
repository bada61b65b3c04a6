"""The eval → report log contract: what specwright writes into an Inspect log's metadata.

Three typed records, each written by the eval package from an instance (never a hand-built
dict) and validated again when a log is read back:

- :class:`RunMetadata`, the eval-level metadata under the key :data:`RUN_METADATA_KEY`;
- :class:`SampleMetadata`, every sample's metadata (which scenario, section, authority, tags);
- :class:`ScoreMetadata`, the judge's score metadata (verdict, grades, token accounting).

Reading accepts keys it does not know (a log written by a newer specwright stays readable) and
fills keys added since with their defaults; a missing or mistyped required key is an error that
names the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ConfigDict, Field, ValidationError

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._llm import Adaptation
from specwright._results._models import (
    Calibration,
    JudgeVerdict,
    ScenarioKind,
    ScenarioPlace,
    Verdict,
)
from specwright._validation import first_error

__all__ = [
    "RUN_METADATA_KEY",
    "LogRecord",
    "RunMetadata",
    "SampleMetadata",
    "ScoreMetadata",
    "read_record",
]

RUN_METADATA_KEY = "specwright"
"""The key of :class:`RunMetadata` in the Inspect eval's metadata."""


class LogRecord(FrozenModel):
    """A record specwright writes into an Inspect log and reads back."""

    # Forward compatible: a newer specwright may record more than this version knows.
    model_config = ConfigDict(extra="ignore")

    def to_log(self) -> dict[str, Any]:
        """The JSON-safe mapping Inspect stores."""
        return self.model_dump(mode="json")


class RunMetadata(LogRecord):
    """How the run was set up: which spec, grader and calibration."""

    spec_hash: str
    """:meth:`specwright.Spec.content_hash` of the spec."""
    spec_version: str | None = None
    """The spec's version label."""
    spec_title: str = ""
    """The spec's title."""
    grader: str | None = None
    """The grader model, as named on the command line."""
    enforce: bool = False
    """Whether the chain-of-command compiler shaped the prompts."""
    calibration: Calibration | None = None
    """The judge calibration the run recorded, if any (the first judge's, with several)."""
    graders: tuple[str, ...] = ()
    """Every judge, in the order of their roles (``grader``, ``grader_2``, …), when several
    graded the run; empty with one."""
    judge_calibrations: dict[str, Calibration] = Field(default_factory=dict)
    """Each judge's recorded calibration by judge, when several graded the run."""


class SampleMetadata(LogRecord, ScenarioPlace):
    """Which scenario a sample is and where it sits in the spec."""

    model_config = LogRecord.model_config  # a record's base would refuse a newer writer's keys

    scenario_id: str
    """Stable scenario id."""
    kind: ScenarioKind = "custom"
    """Where the scenario came from."""
    tags: tuple[str, ...] = ()
    """Tags such as ``under_18``."""
    source: str = ""
    """``file:line`` the scenario was read from, when known."""
    title: str = ""
    """The scenario's own title (the example's or eval prompt's), for reports."""
    adaptations: tuple[Adaptation, ...] = ()
    """What was changed in this sample's requests (the target's and the judges') so that their
    servers accepted them: a developer message folded into the system message, and so on."""


class ScoreMetadata(LogRecord, Verdict):
    """The judge's verdict on one answer, with its token accounting and each judge's own."""

    model_config = LogRecord.model_config  # a record's base would refuse a newer writer's keys

    grader_prompt_tokens: int = 0
    """Estimated tokens of one budgeted grader prompt."""
    whole_spec_tokens: int = 0
    """Estimated tokens of one grader prompt holding the whole spec instead."""
    judges: tuple[JudgeVerdict, ...] = ()
    """Each judge's own verdict when several graded the answer (the fields above are then
    their headline: majority verdict, ties non-compliant); empty with one judge."""

    @property
    def whole_spec_grader_tokens(self) -> int:
        """The grader tokens had every grader prompt held the whole spec instead.

        Measured usage plus, per grader sample, the difference between the whole-spec prompt
        and the budgeted prompt (both estimated the same way).
        """
        extra = self.whole_spec_tokens - self.grader_prompt_tokens
        return self.grader_tokens + len(self.grades) * extra


_Record = TypeVar("_Record", bound=LogRecord)


def read_record(kind: type[_Record], data: Mapping[str, Any] | None, where: str) -> _Record:
    """Validate ``data`` as a ``kind`` record; a bad one is a :class:`ConfigurationError`.

    ``where`` names the log (and sample) for the one-line message.
    """
    if not data:
        raise ConfigurationError(f"{where}: no {_label(kind)} metadata: not a specwright eval log")
    try:
        return kind.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigurationError(
            f"{where}: bad {_label(kind)} metadata: {first_error(exc)}"
        ) from None


def _label(kind: type[LogRecord]) -> str:
    return {RunMetadata: "run", SampleMetadata: "sample", ScoreMetadata: "score"}.get(kind, "log")
