from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import report_factory as factory
from report_factory import fake_eval

from specwright import ConfigurationError, render_report
from specwright._cli._report_common import log_reader
from specwright._report._load import latest_run_file, load_runs


def write(path: Path, text: str, mtime: float | None = None) -> Path:
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_run_json_files_and_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    write(tmp_path / "a.json", render_report([factory.run_a()], "json"))
    write(tmp_path / "b.json", render_report([factory.run_b()], "json"))
    write(tmp_path / "unrelated.json", '{"hello": 1}')
    assert [r.run_id for r in load_runs([tmp_path])] == ["run-a-0001", "run-b-0002"]
    assert [r.run_id for r in load_runs([tmp_path / "b.json"])] == ["run-b-0002"]


def test_eval_logs_need_the_eval_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    assert log_reader() is None  # the CLI hands the reports no log reader
    log = write(tmp_path / "x.eval", factory.run_a().model_dump_json())
    with pytest.raises(ConfigurationError, match=r"specwright\[eval\]"):
        load_runs([log])
    with pytest.raises(ConfigurationError, match=r"specwright\[eval\]"):
        load_runs([tmp_path])
    # Run JSON files beside the logs do not hide them.
    write(tmp_path / "a.json", render_report([factory.run_a()], "json"))
    with pytest.raises(ConfigurationError, match="holds Inspect logs"):
        load_runs([tmp_path])
    with pytest.raises(ConfigurationError, match="holds Inspect logs"):
        latest_run_file(tmp_path)


def test_eval_logs_through_the_eval_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", fake_eval())
    write(tmp_path / "a.eval", factory.run_a().model_dump_json(), mtime=1000)
    write(tmp_path / "b.json", render_report([factory.run_b()], "json"), mtime=2000)
    reader = log_reader()
    assert reader is not None
    runs = load_runs([tmp_path], reader)
    assert [r.run_id for r in runs] == ["run-a-0001", "run-b-0002"]
    assert runs[0].log_path == str(tmp_path / "a.eval")
    assert latest_run_file(tmp_path, reader) == tmp_path / "b.json"
    os.utime(tmp_path / "a.eval", (3000, 3000))
    assert latest_run_file(tmp_path, reader) == tmp_path / "a.eval"


def test_errors_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    with pytest.raises(ConfigurationError, match="no such file"):
        load_runs([tmp_path / "missing.json"])
    bad = write(tmp_path / "bad.json", '{"run_id": "x"}')
    with pytest.raises(ConfigurationError, match=r"bad\.json: not a run result JSON file"):
        load_runs([bad])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigurationError, match="no eval logs or run JSON files"):
        load_runs([tmp_path / "empty"])
    with pytest.raises(ConfigurationError, match="no run found"):
        latest_run_file(tmp_path / "empty")
