"""Inspect logs → :class:`specwright._results.RunResult`, the only shape reports see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log
from inspect_ai.scorer import Score

from specwright._errors import ConfigurationError
from specwright._eval._messages import original_role, shown_text
from specwright._eval._metrics import group_rates, rate
from specwright._eval._task import TASK_NAME
from specwright._results import (
    Calibration,
    Grade,
    RunResult,
    SampleResult,
    TranscriptMessage,
)

__all__ = [
    "find_logs",
    "load_run",
    "role_model",
    "run_from_log",
    "sample_result",
    "summarize",
    "whole_spec_grader_tokens",
]

_SCORER = "spec_judge"


def find_logs(directory: str | Path) -> list[Path]:
    """Every specwright compliance log under ``directory``, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    infos = list_eval_logs(str(directory), recursive=True)
    paths = [Path(_local(info.name)) for info in infos if f"_{TASK_NAME}_" in Path(info.name).name]
    return sorted(paths, key=lambda p: p.name)


def _local(name: str) -> str:
    return name.removeprefix("file://")


def load_run(path: str | Path) -> RunResult:
    """Read the Inspect log at ``path`` (finished or partial) and summarise it."""
    try:
        log = read_eval_log(str(path))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read eval log {path}: {exc}") from None
    return run_from_log(log)


def run_from_log(log: EvalLog) -> RunResult:
    """Summarise an in-memory Inspect log."""
    meta: Mapping[str, Any] = (log.eval.metadata or {}).get("specwright") or {}
    if not meta:
        raise ConfigurationError(f"{log.location}: not a specwright eval log")
    ours = [s for s in log.samples or [] if _scored_by_us(s)]
    samples = [sample_result(s) for s in ours]
    calibration = meta.get("calibration")
    grader = meta.get("grader") or role_model(log, "grader")
    base = RunResult(
        run_id=log.eval.run_id,
        log_path=log.location or None,
        model=log.eval.model,
        grader=grader,
        spec_title=str(meta.get("spec_title") or ""),
        spec_version=meta.get("spec_version"),
        spec_hash=str(meta.get("spec_hash", "")),
        created=_created(log.eval.created),
        enforce=bool(meta.get("enforce", False)),
        epochs=log.eval.config.epochs or 1,
        calibration=Calibration.model_validate(calibration) if calibration else None,
        overall=rate(()),
    )
    summary = summarize(samples)
    summary["whole_spec_grader_tokens"] = sum(whole_spec_grader_tokens(s) for s in ours)
    return base.model_copy(update=summary)


def role_model(log: EvalLog, role: str) -> str | None:
    """The model name a log bound to ``role`` (the first, when a list was bound)."""
    bound = (log.eval.model_roles or {}).get(role)
    if isinstance(bound, list):
        bound = bound[0] if bound else None
    return bound.model if bound is not None else None


def _created(text: str) -> datetime:
    created = datetime.fromisoformat(text)
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def _scored_by_us(sample: EvalSample) -> bool:
    return bool(sample.scores) and _SCORER in (sample.scores or {})


def summarize(samples: Iterable[SampleResult]) -> dict[str, Any]:
    """The aggregate fields of a :class:`RunResult` computed from its samples."""
    samples = tuple(samples)
    return {
        "samples": samples,
        "overall": rate(samples),
        "by_section": group_rates(samples, lambda s: [s.section_id]),
        "by_authority": group_rates(samples, lambda s: [s.authority or "none"]),
        "by_tag": group_rates(samples, lambda s: s.tags),
        "n_scored": sum(1 for s in samples if s.compliant is not None),
        "n_unscored": sum(1 for s in samples if s.compliant is None),
        "grader_tokens": sum(s.grader_tokens for s in samples),
    }


def whole_spec_grader_tokens(sample: EvalSample) -> int:
    """The sample's grader tokens had every grader prompt held the whole spec instead.

    Measured usage plus, per grader sample, the difference between the whole-spec prompt
    and the budgeted prompt (both estimated the same way).
    """
    judged = (sample.scores or {})[_SCORER].metadata or {}
    extra = int(judged.get("whole_spec_tokens") or 0) - int(judged.get("grader_prompt_tokens") or 0)
    return int(judged.get("grader_tokens") or 0) + len(judged.get("grades") or ()) * extra


def sample_result(sample: EvalSample) -> SampleResult:
    """One log sample as a :class:`SampleResult`."""
    meta = sample.metadata or {}
    score: Score = (sample.scores or {})[_SCORER]
    judged = score.metadata or {}
    return SampleResult(
        scenario_id=str(meta.get("scenario_id", sample.id)),
        kind=meta.get("kind", "custom"),
        section_id=str(meta.get("section_id", "")),
        section_title=str(meta.get("section_title", "")),
        scenario_title=str(meta.get("title") or ""),
        part_id=meta.get("part_id") or None,
        part_title=str(meta.get("part_title") or ""),
        authority=meta.get("authority"),
        tags=tuple(meta.get("tags") or ()),
        epoch=sample.epoch,
        compliant=judged.get("compliant"),
        score=judged.get("score"),
        rationale=str(judged.get("rationale") or ""),
        cited_sections=tuple(judged.get("cited_sections") or ()),
        unscored_reason=judged.get("unscored_reason"),
        transcript=_transcript(sample),
        grades=tuple(Grade.model_validate(g) for g in judged.get("grades") or ()),
        grader_tokens=int(judged.get("grader_tokens") or 0),
    )


def _transcript(sample: EvalSample) -> tuple[TranscriptMessage, ...]:
    return tuple(
        TranscriptMessage(role=original_role(m), content=shown_text(m)) for m in sample.messages
    )
