"""Calibrations are keyed by what they calibrated: a few sections never replace the whole spec's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specwright import Spec
from specwright._cli import main
from specwright._eval._calibrate import calibration_path, find_calibration
from tests.cli.test_eval_cli import respond
from tests.eval._server import env_server, grade_json, grader_transcript, is_grader_request
from tests.eval.conftest import eval_spec

JUDGE = "openai-roles/local/judge"


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    return path


def _contrarian(body: dict[str, Any]) -> str:
    if is_grader_request(body):  # calls GOOD answers non-compliant and BAD ones compliant
        return grade_json("bad answer" in grader_transcript(body))
    return "COMPLIED"


def _calibrate(spec_file: Path, logs: Path, *extra: str) -> int:
    args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge"]
    return main([*args, "--log-dir", str(logs), "--grader-samples", "1", "--json", *extra])


def test_a_section_calibration_never_replaces_the_whole_spec_one(
    spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    logs = tmp_path / "logs"
    spec = Spec.model_validate_json(spec_file.read_text())
    with env_server(monkeypatch, respond):
        assert _calibrate(spec_file, logs) == 0
    whole = find_calibration(logs, JUDGE, spec.content_hash())
    assert whole is not None and whole.kappa == 1.0
    saved = calibration_path(logs, JUDGE, spec.content_hash()).read_text()
    with env_server(monkeypatch, _contrarian):
        assert _calibrate(spec_file, logs, "--sections", "be_honest") == 0
    capsys.readouterr()
    assert calibration_path(logs, JUDGE, spec.content_hash()).read_text() == saved
    assert whole.sections == ()
    part = find_calibration(logs, JUDGE, spec.content_hash(), ["be_honest"])
    assert part is not None and part.sections == ("be_honest",) and part.kappa == -1.0
    with env_server(monkeypatch, respond):  # the next eval records the whole spec's
        eval_args = ["eval", "--spec", str(spec_file), "--model", "openai-api/local/target",
                     "--grader", "openai-api/local/judge", "--log-dir", str(logs),
                     "--grader-samples", "1", "--no-index", "--workers", "1", "--json"]  # fmt: skip
        assert main([*eval_args, "--limit", "1"]) == 0
    recorded = json.loads(capsys.readouterr().out)["calibration"]
    assert recorded["kappa"] == 1.0 and recorded["n_scored"] == whole.n_scored


def test_an_eval_of_sections_falls_back_to_their_own_calibration(
    spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    logs = tmp_path / "logs"
    with env_server(monkeypatch, respond):
        assert _calibrate(spec_file, logs, "--sections", "be_honest") == 0
        capsys.readouterr()
        eval_args = ["eval", "--spec", str(spec_file), "--model", "openai-api/local/target",
                     "--grader", "openai-api/local/judge", "--log-dir", str(logs),
                     "--grader-samples", "1", "--no-index", "--workers", "1", "--json"]  # fmt: skip
        assert main([*eval_args, "--sections", "be_honest"]) == 0
        out, err = capsys.readouterr()
        assert "no calibration" not in err
        assert json.loads(out)["calibration"]["sections"] == ["be_honest"]
        # The whole spec is not what that calibration measured: an eval of it has none.
        assert main(eval_args) == 0
        out, err = capsys.readouterr()
    assert json.loads(out)["calibration"] is None and "no calibration" in err
