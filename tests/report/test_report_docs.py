"""Every example in docs/report.md runs."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
import report_factory as factory

from specwright import render_report
from specwright._cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "report.md"


def _commands() -> list[tuple[list[str], int]]:
    commands = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("$ specwright "):
            command, _, comment = line[2:].partition("#")
            expected = 1 if "exits 1" in comment else 0
            commands.append((shlex.split(command)[1:], expected))
    return commands


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    for name in ("INSPECT_LOG_DIR", "SPECWRIGHT_LOG_DIR", "SPECWRIGHT_SPEC"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "run-a.json").write_text(render_report([factory.run_a()], "json"), "utf-8")
    (tmp_path / "run-b.json").write_text(render_report([factory.run_b()], "json"), "utf-8")
    return tmp_path


def test_doc_has_examples() -> None:
    assert len(_commands()) >= 8


def test_console_examples(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv, expected in _commands():
        assert main(argv) == expected, (argv, capsys.readouterr().err)
    assert (workdir / "report.html").exists() and (workdir / "history.html").exists()
    assert (workdir / "run-a-copy.json").read_text("utf-8") == (workdir / "run-a.json").read_text(
        "utf-8"
    )


def test_python_example(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    exec(compile(block, str(DOC), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out == ["['follow_chain'] ['protect_privacy'] 9", "[('openai/model-a', 0.1)]"]
    assert (workdir / "api-report.html").exists()
