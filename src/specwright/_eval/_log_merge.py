"""Merging the shard logs of one run into the log one process would have written.

Samples come back in the order of the whole run's dataset (shard K held scenarios K, K+N, …;
Inspect's log header keeps sample ids sorted, so the order is passed in),
the task arguments lose ``shard``/``first`` and the config gets the run's own ``limit``, so
the merged log looks like the log of ``--workers 1``: resume, reports and ``inspect view``
read it as one run. Metrics are recomputed over all samples with the scorer's own metric
functions (epochs reduced by their mean, as Inspect does by default); model usage is summed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from inspect_ai.log import (
    EvalLog,
    EvalMetric,
    EvalResults,
    EvalSample,
    EvalSampleReductions,
    EvalScore,
    EvalStats,
    write_eval_log,
)
from inspect_ai.model import ModelUsage
from inspect_ai.scorer import Metric, SampleScore, Score, mean, mean_score, stderr

from specwright._eval._run import EvalOptions
from specwright._eval._scorer import unscored_count

__all__ = ["merge_logs", "write_merged"]

_SHARD_ARGS = ("shard", "first")
_METRICS: dict[str, Metric] = {
    "mean": mean(),
    "stderr": stderr(),
    "unscored_count": unscored_count(),
}


def merge_logs(logs: Sequence[EvalLog], options: EvalOptions, order: Sequence[str]) -> EvalLog:
    """One log for the whole run from its shards' logs; ``order``: sample ids in dataset order."""
    ids = list(order)
    rank = {sample_id: i for i, sample_id in enumerate(ids)}
    samples = sorted(
        (s for log in logs for s in log.samples or []),
        key=lambda s: (rank.get(str(s.id), len(rank)), s.epoch),
    )
    base = logs[0]
    run_id = uuid.uuid4().hex[:22]
    spec = base.eval.model_copy(
        update={
            "eval_id": run_id,
            "run_id": run_id,
            "created": min(log.eval.created for log in logs),
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
            "status": "success" if all(log.status == "success" for log in logs) else "error",
            "samples": samples,
            "results": _results(logs, samples),
            "stats": _stats(logs),
            "reductions": _reductions(logs),
            "location": "",
        }
    )


def write_merged(log: EvalLog, log_dir: Path) -> EvalLog:
    """Write the merged log into ``log_dir`` under Inspect's naming scheme; set its location."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S+00-00")
    path = log_dir / f"{stamp}_compliance_{log.eval.eval_id}.eval"
    log_dir.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, str(path))
    log.location = str(path)
    return log


def _unsharded(args: dict[str, object] | None) -> dict[str, object]:
    return {k: v for k, v in (args or {}).items() if k not in _SHARD_ARGS}


def _results(logs: Sequence[EvalLog], samples: Sequence[EvalSample]) -> EvalResults | None:
    if not any(log.results for log in logs):
        return None
    first = next(log.results for log in logs if log.results is not None)
    scores = [_score(template, samples) for template in first.scores]
    return first.model_copy(
        update={
            "total_samples": sum(log.results.total_samples for log in logs if log.results),
            "completed_samples": sum(log.results.completed_samples for log in logs if log.results),
            "scores": scores,
        }
    )


def _score(template: EvalScore, samples: Sequence[EvalSample]) -> EvalScore:
    by_id: dict[str, list[Score]] = defaultdict(list)
    for sample in samples:
        if sample.scores and template.name in sample.scores:
            by_id[str(sample.id)].append(sample.scores[template.name])
    reduce = mean_score()
    reduced = [
        SampleScore(score=reduce(scores), sample_id=sample_id, scorer=template.scorer)
        for sample_id, scores in by_id.items()
    ]
    metrics = {
        name: EvalMetric(name=name, value=float(_METRICS[name](reduced)))  # type: ignore[arg-type]
        for name in template.metrics
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


def _reductions(logs: Sequence[EvalLog]) -> list[EvalSampleReductions] | None:
    merged: dict[str, EvalSampleReductions] = {}
    for log in logs:
        for reduction in log.reductions or []:
            if reduction.scorer in merged:
                have = merged[reduction.scorer]
                merged[reduction.scorer] = have.model_copy(
                    update={"samples": [*have.samples, *reduction.samples]}
                )
            else:
                merged[reduction.scorer] = reduction
    return list(merged.values()) or None
