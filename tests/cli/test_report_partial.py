"""Reports of partial work say so: failed samples, samples never run, and why a judge is
unverified (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specwright import Section, Spec
from specwright._cli import main
from tests.eval._server import (
    RawReply,
    env_server,
    grade_json,
    grader_transcript,
    is_grader_request,
    last_user_text,
)
from tests.eval.conftest import labelled

FAILING = set(range(1, 7))  # 6 of 10 samples fail for good (12 of 20 in the issue)


def _spec_file(tmp_path: Path) -> Path:
    examples = tuple(
        labelled("many", i, f"{'doomed' if i in FAILING else 'comply'} {i}") for i in range(1, 11)
    )
    section = Section(id="many", title="Many", depth=1, authority="user", blocks=examples)
    spec = Spec(title="Partial", sections=(section,))
    path = tmp_path / "spec.json"
    path.write_text(spec.model_dump_json(), encoding="utf-8")
    return path


def test_a_report_shows_failed_samples_and_why_the_judge_is_unverified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, logs = _spec_file(tmp_path), tmp_path / "logs"
    phase = {"calibrating": True}

    def server(body: dict[str, Any]) -> str | RawReply:
        if is_grader_request(body):  # a judge that rambles while calibrated, then grades
            if phase["calibrating"]:
                return "I would rather not say."
            return grade_json("COMPLIED" in grader_transcript(body))
        if last_user_text(body).startswith("doomed"):
            error = {"error": {"message": "context length exceeded", "type": "invalid_request"}}
            return RawReply(json.dumps(error), status=400)
        return "COMPLIED"

    judge = ["--grader", "openai-api/local/judge", "--grader-samples", "1"]
    with env_server(monkeypatch, server):
        main(["calibrate", "--spec", str(spec), *judge, "--log-dir", str(logs)])  # saved, exit 1
        phase["calibrating"] = False
        capsys.readouterr()
        code = main(["eval", "--spec", str(spec), "--model", "openai-api/local/target", *judge,
                     "--log-dir", str(logs), "--max-retries", "0", "--workers", "1",
                     "--no-index", "--json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1, out
    log = json.loads(out)["log"]
    html, markdown = tmp_path / "r.html", tmp_path / "r.md"
    assert main(["report", log, "-o", str(html)]) == 0
    assert main(["report", log, "-o", str(markdown)]) == 0
    for text in (html.read_text(), markdown.read_text()):
        assert "Partial run: 4 of 10 samples finished (6 failed)" in text
        assert "6 failed of 10" in text and "context length exceeded" in text
        assert "none of the judge" in text and "could be read" in text
        assert "too few or one-sided labels" not in text
    assert "of 4 finished samples" in html.read_text()
