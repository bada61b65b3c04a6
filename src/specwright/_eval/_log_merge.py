"""Merging the shard logs of one run into the log one process would have written.

The merge streams: no process ever holds the run's samples. An Inspect ``.eval`` log is a zip
archive (``samples/<id>_epoch_<n>.json`` per sample, ``summaries.json``, ``reductions.json``,
``_journal/start.json`` and ``header.json``); the merged archive gets every shard's sample
members copied one at a time (decompressed and recompressed in chunks, never parsed), the
shards' summaries and reductions concatenated one shard at a time, and a header written by
Inspect itself (``write_eval_log(..., header_only=True)``). The samples are the shards' own,
byte for byte once decompressed; Inspect sorts them on reading, so the order of members does
not matter.

The header's task arguments lose ``shard``/``first`` and its config gets the run's own
``limit``, so the merged log looks like the log of ``--workers 1``: resume, reports and
``inspect view`` read it as one run. Metrics are recomputed over all samples with the scorer's
own metric functions from the shards' per-sample reductions (epochs reduced by their mean, as
Inspect does by default); model usage is summed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from inspect_ai.log import (
    EvalLog,
    EvalResults,
    EvalScore,
    EvalStats,
    read_eval_log,
    write_eval_log,
)
from inspect_ai.model import ModelUsage
from inspect_ai.scorer import Metric, SampleScore, Score, mean, stderr

from specwright._eval._run import EvalOptions
from specwright._eval._scorer import unscored_count

__all__ = ["marked_log", "merge_shard_logs", "write_marker"]

_SHARD_ARGS = ("shard", "first")
_METRICS: dict[str, Metric] = {
    "mean": mean(),
    "stderr": stderr(),
    "unscored_count": unscored_count(),
}
_SAMPLES_DIR = "samples/"
_SUMMARIES = "summaries.json"
_REDUCTIONS = "reductions.json"
_START = "_journal/start.json"
# Inspect registers zstd with zipfile (through zipfile_zstd) when its log module loads; its
# own logs use it. Deflate is the fallback any zip reader knows.
_COMPRESSION: int = getattr(zipfile, "ZIP_ZSTANDARD", zipfile.ZIP_DEFLATED)
_CHUNK = 1 << 20


def merge_shard_logs(
    paths: Sequence[Path],
    options: EvalOptions,
    order: Sequence[str],
    *,
    marker: Path | None = None,
) -> EvalLog:
    """Write one log for the whole run from its shards' logs into ``options.log_dir``.

    ``order``: the run's sample ids in dataset order. Returns the merged log's header (no
    samples loaded) with its ``location`` set. ``marker``, when given, is written (naming the
    merged log) once the merged archive is whole and before it appears in the log directory:
    a process killed after that moment leaves a marker that says where its run went.
    """
    # A header read brings the shard's per-sample reductions along: drop them at once.
    headers = [
        read_eval_log(str(path), header_only=True).model_copy(update={"reductions": None})
        for path in paths
    ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S+00-00")
    run_id = uuid.uuid4().hex[:22]
    target = options.log_dir / f"{stamp}_compliance_{run_id}.eval"
    options.log_dir.mkdir(parents=True, exist_ok=True)
    # Not a log until it is whole. Beside the marker, under one name, a merge cut short by a
    # kill is overwritten by the next instead of left behind.
    partial = (
        marker.with_name(marker.name + ".eval.part")
        if marker is not None
        else target.with_name(target.name + ".part")
    )
    with zipfile.ZipFile(partial, "w", compression=_COMPRESSION) as merged:
        _copy_samples(paths, merged)
        _write_json_list(merged, _SUMMARIES, _shard_items(paths, _SUMMARIES))
        reduced = _write_reductions(paths, merged)
        header = _header(headers, options, order, run_id, reduced)
        start = {"version": header.version, "eval": header.eval, "plan": header.plan}
        merged.writestr(_START, json.dumps(_jsonable(start)))
    write_eval_log(header, str(partial), format="eval", header_only=True)
    if marker is not None:
        write_marker(marker, target)
    shutil.move(partial, target)
    header.location = str(target)
    return header


def write_marker(marker: Path, target: Path) -> None:
    """Name ``target`` in ``marker``, atomically (a torn marker would name nothing)."""
    pending = marker.with_name(marker.name + ".part")
    pending.write_text(json.dumps({"log": str(target)}), encoding="utf-8")
    os.replace(pending, marker)


def marked_log(marker: Path) -> Path | None:
    """The merged log ``marker`` names, when both exist."""
    try:
        target = Path(json.loads(marker.read_text(encoding="utf-8"))["log"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return target if target.is_file() else None


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.model_dump(mode="json") if hasattr(v, "model_dump") else v for k, v in value.items()
    }


def _copy_samples(paths: Sequence[Path], merged: zipfile.ZipFile) -> None:
    """Every shard's sample members, one at a time (a re-logged name: the last one wins)."""
    for path in paths:
        with zipfile.ZipFile(path) as shard:
            members = {info.filename: info for info in shard.infolist()}
            for name, info in members.items():
                if not (name.startswith(_SAMPLES_DIR) and name.endswith(".json")):
                    continue
                with shard.open(info) as source, merged.open(name, "w", force_zip64=True) as out:
                    shutil.copyfileobj(source, out, _CHUNK)


def _shard_items(paths: Sequence[Path], member: str) -> Iterator[Any]:
    """The items of each shard's JSON list ``member``, one shard in memory at a time."""
    for path in paths:
        with zipfile.ZipFile(path) as shard:
            if member in shard.namelist():
                yield from json.loads(shard.read(member))


def _write_json_list(merged: zipfile.ZipFile, member: str, items: Iterator[Any]) -> None:
    with merged.open(member, "w", force_zip64=True) as out:
        _stream_list(out, items)


def _stream_list(out: IO[bytes], items: Iterator[Any]) -> None:
    out.write(b"[")
    for i, item in enumerate(items):
        out.write((b"," if i else b"") + json.dumps(item).encode())
    out.write(b"]")


def _write_reductions(paths: Sequence[Path], merged: zipfile.ZipFile) -> dict[str, list[float]]:
    """Concatenate the shards' per-sample reductions, scorer by scorer; their values by scorer.

    Inspect writes one reduction record per scorer, each listing one reduced score per sample.
    """
    scorers: dict[str, dict[str, Any]] = {}
    for reduction in _shard_items(paths, _REDUCTIONS):
        scorers.setdefault(
            reduction["scorer"], {k: v for k, v in reduction.items() if k != "samples"}
        )
    if not scorers:
        return {}
    values: dict[str, list[float]] = {name: [] for name in scorers}
    with merged.open(_REDUCTIONS, "w", force_zip64=True) as out:
        out.write(b"[")
        for i, (name, head) in enumerate(scorers.items()):
            opening = json.dumps({**head, "samples": []})[: -len("[]}")]  # up to the samples' list
            out.write((b"," if i else b"") + opening.encode())
            _stream_list(out, _reduced_samples(paths, name, values[name]))
            out.write(b"}")
        out.write(b"]")
    return values


def _reduced_samples(paths: Sequence[Path], scorer: str, values: list[float]) -> Iterator[Any]:
    for reduction in _shard_items(paths, _REDUCTIONS):
        if reduction["scorer"] != scorer:
            continue
        for sample in reduction["samples"]:
            value = sample.get("value")
            values.append(float(value) if isinstance(value, int | float) else float("nan"))
            yield sample


def _header(
    headers: Sequence[EvalLog],
    options: EvalOptions,
    order: Sequence[str],
    run_id: str,
    reduced: dict[str, list[float]],
) -> EvalLog:
    ids = list(order)
    base = headers[0]
    spec = base.eval.model_copy(
        update={
            "eval_id": run_id,
            "run_id": run_id,
            "created": min(log.eval.created for log in headers),
            "task_args": _unsharded(base.eval.task_args),
            "task_args_passed": _unsharded(base.eval.task_args_passed),
            "dataset": base.eval.dataset.model_copy(
                update={"samples": len(ids), "sample_ids": ids}
            ),
            "config": base.eval.config.model_copy(update={"limit": options.limit}),
        }
    )
    return base.model_copy(
        update={
            "eval": spec,
            "status": "success" if all(log.status == "success" for log in headers) else "error",
            "samples": None,
            "results": _results(headers, reduced),
            "stats": _stats(headers),
            "reductions": None,
            "location": "",
        }
    )


def _unsharded(args: dict[str, object] | None) -> dict[str, object]:
    return {k: v for k, v in (args or {}).items() if k not in _SHARD_ARGS}


def _results(logs: Sequence[EvalLog], reduced: dict[str, list[float]]) -> EvalResults | None:
    if not any(log.results for log in logs):
        return None
    first = next(log.results for log in logs if log.results is not None)
    scores = [_score(template, reduced.get(template.name, [])) for template in first.scores]
    return first.model_copy(
        update={
            "total_samples": sum(log.results.total_samples for log in logs if log.results),
            "completed_samples": sum(log.results.completed_samples for log in logs if log.results),
            "scores": scores,
        }
    )


def _score(template: EvalScore, values: Sequence[float]) -> EvalScore:
    reduced = [
        SampleScore(score=Score(value=value), sample_id=i, scorer=template.scorer)
        for i, value in enumerate(values)
    ]
    metrics = {
        # The recorded metric keeps its own name (``specwright/unscored_count``) and params.
        name: metric.model_copy(update={"value": float(_METRICS[name](reduced))})  # type: ignore[arg-type]
        for name, metric in template.metrics.items()
        if name in _METRICS
    }
    return template.model_copy(update={"metrics": metrics, "scored_samples": len(reduced)})


def _stats(logs: Sequence[EvalLog]) -> EvalStats:
    usage: dict[str, ModelUsage] = {}
    for log in logs:
        for model, used in log.stats.model_usage.items():
            usage[model] = usage[model] + used if model in usage else used
    return logs[0].stats.model_copy(
        update={
            "started_at": min(log.stats.started_at for log in logs),
            "completed_at": max(log.stats.completed_at for log in logs),
            "model_usage": usage,
        }
    )
