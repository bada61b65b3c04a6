"""The ``$ specwright`` commands of docs/eval.md run against a scripted local server.

(The doc's ``python`` blocks run in tests/test_docs.py.)
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

import specwright
from specwright._cli import main
from tests.eval._server import env_server
from tests.eval.test_wire import respond

DOC = Path(__file__).resolve().parents[2] / "docs" / "eval.md"


def _commands() -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return [shlex.split(line[2:])[1:] for line in lines if line.startswith("$ specwright ")]


def test_doc_commands_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = _commands()
    assert [c[0] for c in commands] == ["calibrate", "eval", "eval"]
    shutil.copytree(specwright.example_spec_path(), tmp_path / "spec")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INSPECT_LOG_DIR", raising=False)
    outputs, codes = [], []
    with env_server(monkeypatch, respond):
        for command in commands:
            extra = ["--display", "none"] if command[0] == "eval" else []
            codes.append(main([*command, *extra]))
            outputs.append(capsys.readouterr().out)
    # The scripted judge passes answers saying COMPLIED and no labelled answer: kappa is 0.
    assert codes == [1, 0, 0]
    assert json.loads(outputs[0])["kappa"] == 0.0
    summary = json.loads(outputs[1])
    assert summary["calibration"]["kappa"] == 0.0 and summary["n_scored"] == 14
    assert "confirm_before_booking" in outputs[2] and (tmp_path / "logs").is_dir()
