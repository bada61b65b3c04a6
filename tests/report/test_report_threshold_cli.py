"""The kappa threshold travels from the ``SPECWRIGHT_MIN_KAPPA`` setting to report and history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import report_factory as factory

from specwright import render_report
from specwright._cli import main


@pytest.fixture
def run_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "INSPECT_LOG_DIR",
        "SPECWRIGHT_LOG_DIR",
        "SPECWRIGHT_SPEC",
        "SPECWRIGHT_MIN_KAPPA",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", f"sqlite:///{tmp_path / 'store.sqlite'}")
    path = tmp_path / "run-a.json"  # calibrated at kappa 0.80
    path.write_text(render_report([factory.run_a()], "json"), encoding="utf-8")
    return path


def test_report_reads_the_threshold_from_the_setting(
    run_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(run_file)]) == 0
    assert "judge trusted" in capsys.readouterr().out
    monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", "0.9")
    assert main(["report", str(run_file)]) == 0
    out = capsys.readouterr().out
    assert "judge weak" in out and "below the threshold of 0.90" in out


def test_history_reads_the_threshold_from_the_setting(
    run_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", "0.9")
    assert main(["history", "--add", str(run_file), "--no-index", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [j["status"] for j in data["judges"]] == ["weak"]
    assert data["judges"][0]["threshold"] == 0.9
