"""Inspect logs → :class:`specwright._results.RunResult`, the only shape reports see.

The log's metadata is read back through the typed records of :mod:`specwright._results._contract`
(validated, never picked out of dicts); the figures come from
:func:`specwright._results.summarize_run`. The CLI (the composition root) calls these functions
and hands the reports finished :class:`RunResult` objects.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from inspect_ai.log import (
    EvalLog,
    EvalSample,
    list_eval_logs,
    read_eval_log,
    read_eval_log_samples_by_id,
)

from specwright._errors import ConfigurationError
from specwright._eval._messages import original_role, shown_text
from specwright._eval._task import TASK_NAME
from specwright._results import (
    RUN_METADATA_KEY,
    RunHeader,
    RunMetadata,
    RunResult,
    SampleMetadata,
    SampleResult,
    ScoreMetadata,
    TranscriptMessage,
    read_record,
    summarize_run,
)

__all__ = [
    "SCORER_NAME",
    "find_logs",
    "load_run",
    "log_finished",
    "role_model",
    "run_from_log",
    "sample_result",
]

SCORER_NAME = "spec_judge"
"""The name Inspect records the judge's scores under."""


def find_logs(directory: str | Path, *, finished_only: bool = False) -> list[Path]:
    """Every specwright compliance log under ``directory``, oldest first.

    ``finished_only`` keeps the logs of finished runs, judged from each log's header alone
    (a partial log is not read in full to be refused).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    infos = list_eval_logs(
        str(directory), recursive=True, filter=log_finished if finished_only else None
    )
    paths = [Path(_local(info.name)) for info in infos if f"_{TASK_NAME}_" in Path(info.name).name]
    return sorted(paths, key=lambda p: p.name)


def log_finished(log: EvalLog) -> bool:
    """Whether a log (its header is enough) holds a finished run: Inspect says ``success``
    *and* every sample completed. Failed samples do not stop a run (they are counted and
    resumed), so a ``success`` log may still be partial."""
    results = log.results
    complete = results is None or results.completed_samples >= results.total_samples
    return log.status == "success" and complete


def _local(name: str) -> str:
    return name.removeprefix("file://")


def load_run(path: str | Path) -> RunResult:
    """Read the Inspect log at ``path`` (finished or partial) and summarise it.

    The samples are read a chunk at a time without their events, so that a run of any size
    fits in memory: what is kept is each sample's :class:`SampleResult`.
    """
    local = str(path).removeprefix("file://")
    try:
        if not zipfile.is_zipfile(local):  # Inspect's JSON log format: one document, read whole
            return run_from_log(read_eval_log(local), log_path=str(path))
        header = read_eval_log(local, header_only=True)
        samples = _streamed_samples(local, _sample_keys(local))
        return _run_result(header, samples, log_path=str(path))
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ConfigurationError(f"cannot read eval log {path}: {exc}") from None


def run_from_log(log: EvalLog, *, log_path: str | None = None) -> RunResult:
    """Summarise an in-memory Inspect log (``log_path`` defaults to the log's location)."""
    return _run_result(log, iter(log.samples or []), log_path=log_path)


def _run_result(
    log: EvalLog, samples: Iterator[EvalSample], *, log_path: str | None = None
) -> RunResult:
    """The run of ``log``'s header with ``samples`` (Inspect's order: epoch, then id)."""
    where = log_path or log.location or "eval log"
    meta = read_record(RunMetadata, (log.eval.metadata or {}).get(RUN_METADATA_KEY), where)
    results: list[tuple[tuple[int, str], SampleResult]] = []
    whole = 0
    for sample in samples:
        if SCORER_NAME not in (sample.scores or {}):
            continue
        judged = _score(sample, where)
        whole += judged.whole_spec_grader_tokens
        key = (sample.epoch, _sort_id(sample.id))
        results.append((key, sample_result(sample, judged, where)))
    results.sort(key=lambda pair: pair[0])
    header = RunHeader(
        # The task id survives eval_retry (a new run id does not): a resumed run is one run.
        run_id=log.eval.task_id or log.eval.run_id,
        log_path=log_path or log.location or None,
        model=log.eval.model,
        grader=meta.grader or role_model(log, "grader"),
        spec_title=meta.spec_title,
        spec_version=meta.spec_version,
        spec_hash=meta.spec_hash,
        created=_created(log.eval.created),
        enforce=meta.enforce,
        epochs=log.eval.config.epochs or 1,
        calibration=meta.calibration,
        graders=meta.graders,
        judge_calibrations=meta.judge_calibrations,
        # A "success" log with failed samples is a partial run: never indexed as finished.
        status=log.status if log.status != "success" or log_finished(log) else "error",
    )
    return summarize_run(header, (r for _, r in results), whole_spec_grader_tokens=whole)


def _sort_id(sample_id: int | str) -> str:
    # Inspect's own order (inspect_ai.log sorts samples by epoch, then zero-filled id).
    return sample_id if isinstance(sample_id, str) else str(sample_id).zfill(20)


_UNREAD = {"events", "attachments", "store", "events_data", "timelines"}
"""Sample fields a run's results never read: the transcript of events is most of a sample."""
_CHUNK = 2000


def _sample_keys(path: str) -> list[tuple[str, int]]:
    """``(id, epoch)`` of every sample the ``.eval`` archive at ``path`` holds.

    Inspect names each sample's member ``samples/<id>_epoch_<epoch>.json``.
    """
    with zipfile.ZipFile(path) as archive:
        names = dict.fromkeys(archive.namelist())
    keys = []
    for name in names:
        if name.startswith("samples/") and name.endswith(".json"):
            sample_id, _, epoch = name[len("samples/") : -len(".json")].rpartition("_epoch_")
            if sample_id and epoch.isdigit():
                keys.append((sample_id, int(epoch)))
    return keys


def _streamed_samples(path: str, keys: list[tuple[str, int]]) -> Iterator[EvalSample]:
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        yield from read_eval_log_samples_by_id(
            path, [(i, e) for i, e in chunk], exclude_fields=_UNREAD
        )


def role_model(log: EvalLog, role: str) -> str | None:
    """The model name a log bound to ``role`` (the first, when a list was bound)."""
    bound = (log.eval.model_roles or {}).get(role)
    if isinstance(bound, list):
        bound = bound[0] if bound else None
    return bound.model if bound is not None else None


def _created(text: str) -> datetime:
    created = datetime.fromisoformat(text)
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def _score(sample: EvalSample, where: str) -> ScoreMetadata:
    score = (sample.scores or {})[SCORER_NAME]
    return read_record(ScoreMetadata, score.metadata, f"{where}: sample {sample.id}")


def sample_result(
    sample: EvalSample, judged: ScoreMetadata, where: str = "eval log"
) -> SampleResult:
    """One log sample, with its validated score metadata, as a :class:`SampleResult`."""
    meta = read_record(SampleMetadata, sample.metadata, f"{where}: sample {sample.id}")
    return SampleResult(
        scenario_id=meta.scenario_id,
        kind=meta.kind,
        section_id=meta.section_id,
        section_title=meta.section_title,
        scenario_title=meta.title,
        part_id=meta.part_id,
        part_title=meta.part_title,
        layer=meta.layer,
        authority=meta.authority,
        tags=meta.tags,
        epoch=sample.epoch,
        compliant=judged.compliant,
        score=judged.score,
        rationale=judged.rationale,
        cited_sections=judged.cited_sections,
        unscored_reason=judged.unscored_reason,
        transcript=_transcript(sample),
        grades=judged.grades,
        grader_tokens=judged.grader_tokens,
        judges=judged.judges,
        adaptations=meta.adaptations,
    )


def _transcript(sample: EvalSample) -> tuple[TranscriptMessage, ...]:
    return tuple(
        TranscriptMessage(role=original_role(m), content=shown_text(m)) for m in sample.messages
    )
