"""``specwright eval --report FILE``: the run and its report in one command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright._cli import main
from tests.eval._server import (
    ScriptedServer,
    grade_json,
    grader_transcript,
    is_grader_request,
    local_server,
)
from tests.eval.conftest import eval_spec


def _respond(body: dict[str, Any]) -> str:
    if is_grader_request(body):
        return grade_json("COMPLIED" in grader_transcript(body))
    return "COMPLIED"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with local_server(monkeypatch, _respond) as running:
        yield running


def _run(tmp_path: Path, report: Path) -> int:
    spec = tmp_path / "spec.json"
    spec.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    args = ["eval", "--spec", str(spec), "--model", "openai-api/local/target"]
    args += ["--grader", "openai-api/local/judge", "--log-dir", str(tmp_path / "logs")]
    return main([*args, "--display", "none", "--grader-samples", "1", "--report", str(report)])


def test_eval_writes_the_report_of_its_run(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out" / "report.html"
    assert _run(tmp_path, report) == 0, capsys.readouterr().err
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!") and "be_honest" in page and "openai-roles/local/target" in page
    assert f"wrote {report}" in capsys.readouterr().err


def test_a_report_name_of_no_known_format_fails_before_any_model_call(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, tmp_path / "report.pdf") == 2
    err = capsys.readouterr().err
    assert "--report" in err and ".pdf" in err and len(err.strip().splitlines()) == 1
    assert server.count(lambda _body: True) == 0
