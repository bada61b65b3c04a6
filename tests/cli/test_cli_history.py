from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
import report_factory as factory

from specwright import ResultsStore, render_report
from specwright._cli import main
from specwright._results import RunResult


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    monkeypatch.delenv("SPECWRIGHT_LOG_DIR", raising=False)
    db = f"sqlite:///{tmp_path / 'results.sqlite'}"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", db)
    return db


def test_add_then_show_markdown_and_json(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    path = tmp_path / "runs.json"
    path.write_text(render_report([factory.run_a(), factory.run_b()], "json"), encoding="utf-8")
    assert main(["history", "--add", str(path), "--section", "follow_chain"]) == 0
    captured = capsys.readouterr()
    assert "indexed 2 new run(s)" in captured.err
    assert "## Follow the chain of command (`follow_chain`)" in captured.out
    assert main(["history", "--add", str(path), "--json"]) == 0  # idempotent
    captured = capsys.readouterr()
    assert "indexed" not in captured.err
    data = json.loads(captured.out)
    assert [r["run_id"] for r in data["runs"]] == ["run-a-0001", "run-b-0002"]
    assert len(data["sections"]) == 5
    assert main(["history", "--section", "nope"]) == 2
    assert "no indexed run covers section(s): nope" in capsys.readouterr().err


def test_history_html_file(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ResultsStore(env) as store:
        store.add(factory.run_a())
    assert main(["history", "--no-index", "-o", str(tmp_path / "h.html")]) == 0
    html = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert html.count('class="chart history"') == 4


def test_new_logs_are_indexed_when_eval_is_available(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", factory.fake_eval())
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.eval").write_text(factory.run_a().model_dump_json(), encoding="utf-8")
    assert main(["history", "--json"]) == 0
    assert "indexed 1 new run(s)" in capsys.readouterr().err
    (logs / "b.eval").write_text(factory.run_b().model_dump_json(), encoding="utf-8")
    assert main(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert "indexed 1 new run(s)" in captured.err
    assert len(json.loads(captured.out)["runs"]) == 2
    assert main(["history", "--json"]) == 0
    assert "indexed" not in capsys.readouterr().err


def test_without_eval_logs_are_skipped_quietly(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.eval").write_text("{}", encoding="utf-8")
    assert main(["history"]) == 0
    captured = capsys.readouterr()
    assert "no runs indexed yet" in captured.err
    assert captured.out.startswith("# Compliance history")


def test_history_during_an_eval_never_keeps_partial_numbers(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", factory.fake_eval())
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "a.eval"
    finished = factory.run_a()
    partial = factory.build_run(
        finished.run_id,
        finished.model,
        {"follow_chain": [False, False]},
        spec_version="2025-01-01",
        spec_hash="a" * 64,
        created=finished.created,
        calibration=None,
    ).model_copy(update={"status": "started"})

    def write(run: RunResult, seconds_from_now: float) -> None:
        log.write_text(run.model_dump_json(), encoding="utf-8")
        when = time.time() + seconds_from_now
        os.utime(log, (when, when))

    write(partial, 0)  # `history` while the eval is still writing its log
    assert main(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert "new run" not in captured.err and json.loads(captured.out)["runs"] == []
    write(finished, 10)  # the eval finished: same log, same run
    assert main(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert "indexed 1 new run(s)" in captured.err
    (stored,) = json.loads(captured.out)["runs"]
    assert stored["overall"]["rate"] == finished.overall.rate
    assert main(["history", "--json"]) == 0  # unchanged log: not read again
    assert "indexed" not in capsys.readouterr().err


def test_history_add_refuses_a_partial_run(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    path = tmp_path / "partial.json"
    partial = factory.run_a().model_copy(update={"status": "cancelled"})
    path.write_text(render_report([partial], "json"), encoding="utf-8")
    assert main(["history", "--add", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "not indexed: run run-a-0001 is partial (cancelled)" in captured.err
    assert json.loads(captured.out)["runs"] == []
