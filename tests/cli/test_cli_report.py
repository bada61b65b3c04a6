from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
import report_factory as factory

from specwright import render_report
from specwright._cli import main


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    for name in ("SPECWRIGHT_LOG_DIR", "SPECWRIGHT_SPEC", "SPECWRIGHT_RESULTS_DB"):
        monkeypatch.delenv(name, raising=False)
    a, b = tmp_path / "run-a.json", tmp_path / "run-b.json"
    a.write_text(render_report([factory.run_a()], "json"), encoding="utf-8")
    b.write_text(render_report([factory.run_b()], "json"), encoding="utf-8")
    return a, b


def test_markdown_to_stdout_by_default(
    runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(runs[0]), str(runs[1])]) == 0
    out = capsys.readouterr().out
    assert out == render_report([factory.run_a(), factory.run_b()], "markdown")


def test_format_from_output_suffix(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(runs[0]), "-o", str(tmp_path / "out" / "r.html")]) == 0
    assert (tmp_path / "out" / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "wrote" in capsys.readouterr().err
    assert main(["report", str(runs[0]), "-o", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["run_id"] == "run-a-0001"
    assert main(["report", str(runs[0]), "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_baseline_diff_and_fail_on_regression(
    runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = (str(p) for p in runs)
    assert main(["report", "--baseline", a, b, "--format", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert {s["key"]: s["change"] for s in diff["sections"]}["follow_chain"] == "regressed"
    assert main(["report", "--baseline", a, b, "--fail-on-regression"]) == 1
    assert main(["report", "--baseline", a, a, "--fail-on-regression"]) == 0
    assert main(["report", "--baseline", a, a, b]) == 2
    assert "exactly one run" in capsys.readouterr().err


def test_latest_run_in_log_dir(
    runs: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    logs = tmp_path / "logs"
    logs.mkdir()
    assert main(["report"]) == 2
    assert "no run found" in capsys.readouterr().err
    runs[0].rename(logs / "older.json")
    runs[1].rename(logs / "newer.json")
    import os

    os.utime(logs / "older.json", (1000, 1000))
    assert main(["report", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["run_id"] == "run-b-0002"
    assert "newer.json" in captured.err
    other = tmp_path / "elsewhere"
    other.mkdir()
    (logs / "older.json").rename(other / "x.json")
    monkeypatch.setenv("INSPECT_LOG_DIR", str(other))
    assert main(["report", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] == "run-a-0001"


def test_missing_eval_module_is_a_usage_error(
    tmp_path: Path,
    runs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    log = tmp_path / "x.eval"
    log.write_text("{}", encoding="utf-8")
    assert main(["report", str(log)]) == 2
    assert "pip install 'specwright[eval]'" in capsys.readouterr().err


def test_eval_logs_via_eval_module(
    tmp_path: Path,
    runs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", factory.fake_eval())
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.eval").write_text(factory.run_a().model_dump_json(), encoding="utf-8")
    assert main(["report", "logs", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["log_path"] == str(Path("logs/a.eval"))


def test_spec_option_shows_section_text(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(factory.spec().model_dump_json(), encoding="utf-8")
    assert main(["report", str(runs[0]), "--spec", str(spec), "--format", "html"]) == 0
    captured = capsys.readouterr()
    assert "The text of Be honest." in captured.out
    assert "differs from the runs' spec" in captured.err
