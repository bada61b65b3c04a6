"""``eval --workers``: the same results as one process, sample for sample, after kills too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specwright import Section, Spec
from specwright._eval._logs import find_logs, load_run
from specwright._results import RunResult
from tests.cli.test_eval_cli import ROOT, respond
from tests.eval._server import ScriptedServer, is_grader_request, scripted_server
from tests.eval.conftest import labelled

N = 50  # two workers need at least 25 samples each

# Several evals in subprocesses each: more than the suite's default per-test limit.
pytestmark = pytest.mark.timeout(600)


def _spec_file(tmp_path: Path) -> Path:
    examples = tuple(
        labelled("many", i, f"{'violate' if i % 7 == 0 else 'comply'} {i}") for i in range(1, N + 1)
    )
    spec = Spec(title="Many", sections=(Section(id="many", title="Many", depth=1,
                                                authority="user", blocks=examples),))  # fmt: skip
    path = tmp_path / "many.json"
    path.write_text(spec.model_dump_json(), encoding="utf-8")
    return path


def _command(spec: Path, logs: Path, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "specwright", "eval", "--spec", str(spec),
        "--model", "openai-api/local/target", "--grader", "openai-api/local/judge",
        "--log-dir", str(logs), "--grader-samples", "1", "--max-connections", "4",
        "--workers", str(workers), "--no-index", "--json",
    ]  # fmt: skip


def _env(server: ScriptedServer) -> dict[str, str]:
    return os.environ | {
        "LOCAL_BASE_URL": server.base_url, "LOCAL_API_KEY": "k",
        "PYTHONPATH": str(ROOT / "src"),
    }  # fmt: skip


def _verdicts(run: RunResult) -> list[tuple[str, int, bool | None, float | None]]:
    return sorted((s.scenario_id, s.epoch, s.compliant, s.score) for s in run.samples)


def _run(command: list[str], server: ScriptedServer) -> dict[str, object]:
    done = subprocess.run(command, env=_env(server), cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_two_workers_give_the_same_run_as_one(tmp_path: Path) -> None:
    spec = _spec_file(tmp_path)
    with scripted_server(respond) as server:
        one = _run(_command(spec, tmp_path / "one", 1), server)
        two = _run(_command(spec, tmp_path / "two", 2), server)
    single, merged = load_run(str(one["log"])), load_run(str(two["log"]))
    assert _verdicts(merged) == _verdicts(single) and len(merged.samples) == N
    assert merged.overall == single.overall and merged.by_section == single.by_section
    # One run in the log directory, in the order one process would have written it.
    assert [p.name for p in find_logs(tmp_path / "two")] == [Path(str(two["log"])).name]
    # Inspect reads samples back in its own order: the same for the merged log as for one process.
    assert [s.scenario_id for s in merged.samples] == [s.scenario_id for s in single.samples]
    assert not (tmp_path / "two" / ".shards").exists() or not any(
        (tmp_path / "two" / ".shards").iterdir()
    )


def test_killed_workers_resume_redoing_only_unfinished_samples(tmp_path: Path) -> None:
    spec = _spec_file(tmp_path)
    logs = tmp_path / "logs"
    with scripted_server(respond, latency=0.15) as server:
        command = _command(spec, logs, 2)
        proc = subprocess.Popen(command, env=_env(server), cwd=ROOT, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 120
        while server.count(is_grader_request) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        graded = server.count(is_grader_request)
        time.sleep(0.3)  # let the graded samples reach the log buffer
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and both workers, at once
        proc.wait(timeout=10)
        first = server.count(lambda r: not is_grader_request(r))
        assert graded >= 20 and first < N, "the run should have been killed midway"
        result = _run(command, server)
        second = server.count(lambda r: not is_grader_request(r)) - first
    final = load_run(str(result["log"]))
    assert sorted(s.scenario_id for s in final.samples) == sorted(
        f"many/example-{i}" for i in range(1, N + 1)
    )
    assert final.overall.rate == 1 - len([i for i in range(1, N + 1) if i % 7 == 0]) / N
    # Log buffers (10 samples per worker) may lose a few graded samples; never all of them.
    assert second <= N - graded + 2 * 10, (first, graded, second)


def test_ctrl_c_stops_every_worker_with_exit_130(tmp_path: Path) -> None:
    spec = _spec_file(tmp_path)
    with scripted_server(respond, latency=0.2) as server:
        proc = subprocess.Popen(_command(spec, tmp_path / "logs", 2), env=_env(server), cwd=ROOT,
                                start_new_session=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 120
        while server.count(is_grader_request) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the whole group
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "re-run the same command to resume" in err
    assert "Traceback" not in err
