"""Runs bigger than a shard: more shards than workers, merged by streaming into one run."""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries, write_eval_log

from specwright import Section, Spec
from specwright._eval import _workers
from specwright._eval._logs import load_run, run_from_log
from specwright._eval._run import EvalInterrupted, EvalOptions, run_eval
from specwright._eval._workers import MAX_SHARD_SAMPLES, run_any, shard_count
from tests.cli.test_eval_cli import ROOT, respond
from tests.eval._server import is_grader_request, scripted_server
from tests.eval.conftest import labelled

SCENARIOS, EPOCHS = 30, 2

pytestmark = pytest.mark.timeout(600)  # worker processes


@pytest.mark.parametrize(
    ("workers", "scenarios", "epochs", "expected"),
    [
        (2, 50, 1, 2),  # small: one shard a worker
        (2, 100_000, 1, 100),  # big: shards capped at MAX_SHARD_SAMPLES
        (2, 5_000, 20, 100),  # epochs count: a scenario's epochs run in its shard
        (1, 1_500, 1, 2),  # one worker still shards a big run (one shard at a time)
        (4, 3, 2_000, 3),  # never more shards than scenarios
    ],
)
def test_shard_count_caps_samples_per_process(
    workers: int, scenarios: int, epochs: int, expected: int
) -> None:
    count = shard_count(workers, scenarios, epochs)
    assert count == expected
    per_shard = math.ceil(scenarios / count) * epochs
    assert per_shard <= max(MAX_SHARD_SAMPLES + epochs, epochs)


def _options(tmp_path: Path, name: str, workers: int) -> EvalOptions:
    examples = tuple(
        labelled("many", i, f"{'violate' if i % 7 == 0 else 'comply'} {i}")
        for i in range(1, SCENARIOS + 1)
    )
    spec = Spec(title="Many", sections=(Section(id="many", title="Many", depth=1,
                                                authority="user", blocks=examples),))  # fmt: skip
    path = tmp_path / "many.json"
    path.write_text(spec.model_dump_json(), encoding="utf-8")
    return EvalOptions(
        spec=str(path), model="openai-api/local/target", grader="openai-api/local/judge",
        log_dir=tmp_path / name, display="none", max_retries=0, grader_samples=1,
        epochs=EPOCHS, workers=workers, max_connections=4,
    )  # fmt: skip


def test_more_shards_than_workers_merge_into_the_run_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 60 samples, shards of at most 25: three shards, two workers at a time.
    monkeypatch.setattr(_workers, "MAX_SHARD_SAMPLES", 25)
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))  # the workers import this checkout
    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    with scripted_server(respond) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        single = run_eval(_options(tmp_path, "one", 1))
        sharded = run_any(_options(tmp_path, "three", 2))
    assert single.complete and sharded.complete
    assert (sharded.done, sharded.total) == (single.done, single.total) == (60, 60)
    assert sharded.log.samples is None, "the outcome keeps the header, not the samples"
    one, merged = load_run(single.log.location), load_run(sharded.log.location)
    assert [(s.scenario_id, s.epoch, s.compliant) for s in merged.samples] == [
        (s.scenario_id, s.epoch, s.compliant) for s in one.samples
    ]
    assert merged.overall == one.overall and merged.by_section == one.by_section
    # Inspect reads the streamed archive whole, as it reads its own logs.
    full = read_eval_log(sharded.log.location)
    assert len(full.samples or []) == 60 and full.status == "success"
    assert run_from_log(full).samples == merged.samples  # chunked reading = whole reading
    as_json = tmp_path / "one" / "copy_compliance_x.json"  # Inspect's other log format
    write_eval_log(read_eval_log(single.log.location), str(as_json))
    assert load_run(as_json).samples == one.samples
    assert len(read_eval_log_sample_summaries(sharded.log.location)) == 60
    assert [len(r.samples) for r in full.reductions or []] == [SCENARIOS]
    reference = read_eval_log(single.log.location, header_only=True)
    assert full.results is not None and reference.results is not None
    assert [s.metrics for s in full.results.scores] == [s.metrics for s in reference.results.scores]
    assert full.eval.dataset.sample_ids == reference.eval.dataset.sample_ids
    assert not any((tmp_path / "three" / ".shards").glob("*/*"))


def test_sigterm_starts_no_further_shard_and_the_rerun_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 60 samples in shards of at most 20: three shards, one worker at a time (cap 20 < 25).
    monkeypatch.setattr(_workers, "MAX_SHARD_SAMPLES", 20)
    monkeypatch.setattr(_workers, "MIN_SAMPLES_PER_WORKER", 60)
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    options = _options(tmp_path, "logs", 2)
    with scripted_server(respond, latency=0.1) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")

        def stop_midway() -> None:
            deadline = time.monotonic() + 120
            while server.count(is_grader_request) < 6 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGTERM)  # reaches run_sharded's handler

        threading.Thread(target=stop_midway, daemon=True).start()
        with pytest.raises(EvalInterrupted) as stopped:
            run_any(options)
        first = server.count(lambda r: not is_grader_request(r))
        assert stopped.value.exit_code == 143 and stopped.value.total == 60
        started = sorted(p.name for p in (tmp_path / "logs" / ".shards").glob("*/*"))
        assert started == ["0"], "no shard starts after the signal"
        assert first < 20
        ended = run_any(options)
        second = server.count(lambda r: not is_grader_request(r)) - first
    assert ended.complete and (ended.done, ended.total) == (60, 60)
    assert second < 60, "the interrupted shard's finished samples are kept"


def test_a_finished_shard_is_found_by_its_path_not_its_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 23: a worker whose shard had finished reported the log Inspect listed, a
    # ``file://`` URI, which the merge then opened as a path (FileNotFoundError, every re-run).
    from specwright._eval._run import completed_log

    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    options = _options(tmp_path, "logs", 1).model_copy(update={"limit": 2, "epochs": 1})
    with scripted_server(respond) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        assert run_eval(options).complete
        found = completed_log(options)
    assert found is not None and Path(found.log.location).is_file(), found
