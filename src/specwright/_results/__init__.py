"""The eval → report contract: typed results, the log metadata that carries them, their arithmetic.

- :mod:`._models`: :class:`RunResult` and its parts, what reports, diffs and the store read;
- :mod:`._contract`: the typed run, sample and score metadata of an Inspect log (written by the
  eval package, validated when read);
- :mod:`._rates`, :mod:`._summary`, :mod:`._calibration`: rates with intervals (Wilson and
  cluster-robust), a run's aggregate figures, calibration arithmetic (confusion, kappa) — once;
- :mod:`._agreement`: several judges: the headline verdict, Fleiss' and pairwise Cohen's kappa;
- :mod:`._validity`: how far a run's judge can be trusted;
- :mod:`._store`, :mod:`._migrations`: the results store (SQLAlchemy, the ``report`` extra;
  not imported here, so that this package stays light).

Nothing here imports the eval package, the reports or the CLI.
"""

from __future__ import annotations

from specwright._results._agreement import (
    agreement_line,
    fleiss_kappa,
    judge_agreement,
    judge_agreements,
    kappa_text,
    majority_verdict,
)
from specwright._results._calibration import accuracy, cohens_kappa, confusion, merge
from specwright._results._contract import (
    RUN_METADATA_KEY,
    LogRecord,
    RunMetadata,
    SampleMetadata,
    ScoreMetadata,
    read_record,
)
from specwright._results._models import (
    Calibration,
    ConfusionMatrix,
    Grade,
    JudgeAgreement,
    JudgeVerdict,
    PairAgreement,
    Rate,
    RunHeader,
    RunResult,
    RunStatus,
    SampleResult,
    ScenarioKind,
    ScenarioPlace,
    TranscriptMessage,
    Verdict,
)
from specwright._results._rates import Z95, clustered_rate, group_rates, interval, rate, wilson
from specwright._results._summary import summarize_run, with_samples
from specwright._results._validity import (
    JudgeValidity,
    ValidityStatus,
    judge_validity,
    judges_validity,
)

__all__ = [
    "RUN_METADATA_KEY",
    "Z95",
    "Calibration",
    "ConfusionMatrix",
    "Grade",
    "JudgeAgreement",
    "JudgeValidity",
    "JudgeVerdict",
    "LogRecord",
    "PairAgreement",
    "Rate",
    "RunHeader",
    "RunMetadata",
    "RunResult",
    "RunStatus",
    "SampleMetadata",
    "SampleResult",
    "ScenarioKind",
    "ScenarioPlace",
    "ScoreMetadata",
    "TranscriptMessage",
    "ValidityStatus",
    "Verdict",
    "accuracy",
    "agreement_line",
    "clustered_rate",
    "cohens_kappa",
    "confusion",
    "fleiss_kappa",
    "group_rates",
    "interval",
    "judge_agreement",
    "judge_agreements",
    "judge_validity",
    "judges_validity",
    "kappa_text",
    "majority_verdict",
    "merge",
    "rate",
    "read_record",
    "summarize_run",
    "wilson",
    "with_samples",
]
