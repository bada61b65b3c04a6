"""``specwright eval`` and ``specwright calibrate`` end to end against a scripted local server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright import Section, Spec
from specwright._cli import main
from specwright._eval._calibrate import find_calibration
from specwright._eval._logs import find_logs, load_run
from tests.eval._server import (
    ScriptedServer,
    env_server,
    grade_json,
    grader_transcript,
    is_grader_request,
    last_user_text,
    scripted_server,
)
from tests.eval.conftest import eval_spec, labelled

ROOT = Path(__file__).resolve().parents[2]


def respond(body: dict[str, Any]) -> str:
    if is_grader_request(body):
        transcript = grader_transcript(body)
        return grade_json("COMPLIED" in transcript or "good answer" in transcript)
    return "VIOLATED" if "violate" in last_user_text(body) else "COMPLIED"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with env_server(monkeypatch, respond) as running:
        yield running


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    return path


def _eval_args(spec_file: Path, log_dir: Path, *extra: str) -> list[str]:
    return [
        "eval",
        "--spec",
        str(spec_file),
        "--model",
        "openai-api/local/target",
        "--grader",
        "openai-api/local/judge",
        "--log-dir",
        str(log_dir),
        "--display",
        "none",
        *extra,
    ]


def test_eval_json_summary(
    server: ScriptedServer, spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_eval_args(spec_file, tmp_path / "logs", "--json"))
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["overall"] == 0.5 and data["n_scored"] == 4 and data["n_unscored"] == 0
    assert data["by_section"] == {"be_brief": 1.0, "be_honest": 0.5, "protect_teens": 0.0}
    assert data["by_authority"] == {"root": 0.5, "system": 0.0, "user": 1.0}
    assert data["by_tag"] == {"under_18": 0.0}
    low, high = data["by_section_ci"]["be_brief"]
    assert 0 < low < high == 1.0
    assert data["calibration"] is None and "no calibration" in err
    assert len(find_logs(tmp_path / "logs")) == 1


def test_finished_run_is_indexed_for_history(
    server: ScriptedServer,
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    _isolated_results_store: Path,
) -> None:
    from specwright import ResultsStore

    assert main(_eval_args(spec_file, tmp_path / "logs", "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    with ResultsStore(f"sqlite:///{_isolated_results_store}") as store:
        runs = store.runs()
        points = store.section_history("be_honest")
    assert [r.model for r in runs] == [data["model"]]
    assert [p.rate.rate for p in points] == [data["by_section"]["be_honest"]]
    assert main(["history", "--json", "--no-index"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert "be_honest" in json.dumps(history)


def test_no_index_leaves_the_store_alone(
    server: ScriptedServer,
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    _isolated_results_store: Path,
) -> None:
    assert main(_eval_args(spec_file, tmp_path / "logs", "--no-index")) == 0
    assert "indexed run" not in capsys.readouterr().err
    assert not _isolated_results_store.exists()


def test_eval_sections_and_limit_with_inspect_log_dir(
    server: ScriptedServer,
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INSPECT_LOG_DIR", str(tmp_path / "inspect-logs"))
    args = _eval_args(spec_file, tmp_path, "--json", "--sections", "be_honest")
    args.remove("--log-dir")
    args.remove(str(tmp_path))
    assert main([*args, "--limit", "1", "--grader-samples", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_section"] == {"be_honest": 1.0} and data["n_scored"] == 1
    assert server.count(is_grader_request) == 1
    assert Path(data["log"]).parent == tmp_path / "inspect-logs"


def test_eval_without_a_model_explains_how_to_set_one(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPECWRIGHT_MODEL", raising=False)
    code = main(["eval", "--spec", str(spec_file), "--log-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "--model" in err and "LOCAL_BASE_URL" in err and "Traceback" not in err


def test_eval_with_missing_base_url_is_a_usage_error(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOWHERE_BASE_URL", raising=False)
    monkeypatch.delenv("NOWHERE_API_KEY", raising=False)
    code = main(_eval_args(spec_file, tmp_path, "--model", "openai-api/nowhere/m"))
    assert code == 2
    assert "NOWHERE_API_KEY" in capsys.readouterr().err


def test_enforce_sends_the_compiled_prompt(
    server: ScriptedServer, spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _eval_args(spec_file, tmp_path / "logs", "--json", "--enforce", "--limit", "1")
    assert main([*args, "--grader-samples", "1"]) == 0
    target = next(r for r in server.requests if not is_grader_request(r))
    roles = [m["role"] for m in target["messages"]]
    assert roles == ["system", "system", "developer", "user"]
    assert target["messages"][0]["content"].startswith("# Chain of command")
    run = load_run(json.loads(capsys.readouterr().out)["log"])
    assert run.enforce is True


def test_calibrate_json_saves_and_eval_records_it(
    server: ScriptedServer, spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge"]
    code = main([*args, "--log-dir", str(logs), "--json", "--min-kappa", "0.5"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    # Four examples, each GOOD → compliant, BAD → not, OK → not (no "good answer" in it).
    assert data["confusion"] == {"tp": 4, "fp": 0, "tn": 4, "fn": 0}
    assert data["accuracy"] == 1.0 and data["kappa"] == 1.0
    assert data["n_scored"] == 8 and data["n_unscored"] == 0 and data["ok_noncompliant"] == 4
    spec = Spec.model_validate_json(spec_file.read_text())
    assert find_calibration(logs, "openai-roles/local/judge", spec.content_hash()) is not None
    assert main([*_eval_args(spec_file, logs, "--json"), "--limit", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["calibration"]["kappa"] == 1.0


def test_calibrate_below_min_kappa_exits_1(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def contrarian(body: dict[str, Any]) -> str:
        return grade_json("bad answer" in body["messages"][-1]["content"].split("TRANSCRIPT")[1])

    with env_server(monkeypatch, contrarian):
        args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge"]
        code = main([*args, "--log-dir", str(tmp_path), "--json", "--min-kappa", "0.2"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["confusion"] == {"tp": 0, "fp": 4, "tn": 0, "fn": 4} and data["kappa"] == -1.0


# --------------------------------------------------------------------------- resume


def _big_spec_file(tmp_path: Path, n: int) -> Path:
    spec = eval_spec()
    many = Section(
        id="many",
        title="Many",
        depth=1,
        authority="user",
        blocks=tuple(labelled("many", i, f"comply {i}") for i in range(1, n + 1)),
    )
    path = tmp_path / "big.json"
    path.write_text(Spec(title="Big", sections=(many,)).model_dump_json(), encoding="utf-8")
    assert spec.title  # the helper spec stays the small one
    return path


def _targets(server: ScriptedServer) -> int:
    return server.count(lambda r: not is_grader_request(r))


def test_resume_after_a_killed_run_does_not_redo_finished_samples(tmp_path: Path) -> None:
    n = 12
    spec_file = _big_spec_file(tmp_path, n)
    logs = tmp_path / "logs"
    with scripted_server(respond, latency=0.25) as server:
        env = os.environ | {
            "LOCAL_BASE_URL": server.base_url,
            "LOCAL_API_KEY": "k",
            "PYTHONPATH": str(ROOT / "src"),
        }
        args = _eval_args(spec_file, logs, "--max-connections", "2", "--grader-samples", "1")
        command = [sys.executable, "-m", "specwright", *args]
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while server.count(is_grader_request) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        graded = server.count(is_grader_request)  # each of these finishes within the sleep
        time.sleep(0.4)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        first = _targets(server)
        assert 6 <= first < n, "the run should have been killed midway"
        done = subprocess.run(
            [*command, "--json"],
            check=False,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        second = _targets(server) - first
    result = json.loads(done.stdout)
    assert result["n_scored"] == n and result["overall"] == 1.0
    # Samples graded before the kill (grader-samples 1: one grader request each) are kept.
    assert second <= n - graded, (first, graded, second)
    final = load_run(result["log"])
    assert sorted(s.scenario_id for s in final.samples) == sorted(
        f"many/example-{i}" for i in range(1, n + 1)
    )


def test_calibrate_with_nothing_scored_reports_kappa_undefined(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A grader that never answers with a verdict: every grade is unscored, none is a failure.
    with env_server(monkeypatch, lambda _body: "I would rather not grade this."):
        args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge"]
        code = main([*args, "--log-dir", str(tmp_path), "--json", "--min-kappa", "-1"])
        out, err = capsys.readouterr()
        human = main([*args, "--log-dir", str(tmp_path), "--grader-samples", "1"])
        human_out = capsys.readouterr().out
    data = json.loads(out)
    assert data["confusion"] == {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    assert data["n_scored"] == 0 and data["n_unscored"] == 12
    assert data["kappa"] is None and data["accuracy"] is None
    assert code == 1 and "kappa undefined: no GOOD or BAD answer was scored" in err
    # Issue 22: nothing scored is a failure without --min-kappa too, and the reasons are
    # printed in --json mode as well (on stderr: stdout stays one JSON document).
    assert human == 1 and "Cohen's kappa undefined" in human_out
    assert data["unscored_reasons"] and sum(data["unscored_reasons"].values()) == 12
    for reason in data["unscored_reasons"]:
        assert reason in err


def test_calibrate_grader_error_is_one_line_exit_1(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reachable but wrong: every request is a 404 that no retry will mend.
    with scripted_server(respond) as running:
        monkeypatch.setenv("LOCAL_BASE_URL", running.base_url + "/wrong")
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge"]
        code = main([*args, "--log-dir", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "Traceback" not in err, err
    # Since issue 8 the line names the model's URL too (and the body; here "Not Found").
    url = running.base_url + "/wrong"
    failed = "grader 'openai-roles/local/judge' failed: model openai-api/local/judge"
    assert f"{failed} at {url}: HTTP 404" in err


def test_eval_provider_error_ends_with_its_gist_on_one_line(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Changed with issue 8: a request that fails for good fails its sample (not the run), and
    # the reason line names model, URL, HTTP status and body instead of Inspect's repr.
    with scripted_server(respond) as running:
        rejecting = running.base_url.replace("/v1", "/rejecting/v1")
        monkeypatch.setenv("LOCAL_BASE_URL", rejecting)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        code = main(_eval_args(spec_file, tmp_path / "logs", "--limit", "1"))
    lines = capsys.readouterr().err.splitlines()
    assert code == 1
    # A 400 is a refusal: the same request would be refused again, so no advice to resume.
    assert "re-run the same command to resume (finished samples are kept)" not in lines
    assert lines[-1].startswith("the refused samples would be refused again")
    [failed] = [line for line in lines if line.startswith("  1 failed: ")]
    assert "a refusal is not retried" in failed and "--profile" in failed
    assert failed.startswith(f"  1 failed: model openai-api/local/target at {rejecting}: HTTP 400")
    assert "model not found" in failed and "Request:" not in failed and len(failed) < 400
    assert "partial: 0 of 1 samples" in lines
