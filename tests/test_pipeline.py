"""The README's main job end to end through the CLI: calibrate → eval → report → diff → history.

One scripted OpenAI-compatible server on 127.0.0.1 plays three parts. As the *grader* it is a
perfect judge: an answer is compliant exactly when the spec labels it GOOD, or when a target
model says ``COMPLIED``. As target ``steady`` it always complies; as target ``wobbly`` it
violates every scenario whose last user message has an odd length. Everything asserted below
follows from that script and the shipped example spec — nothing is read back from the code
under test to build an expectation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright import load_example_spec, save_spec
from specwright._cli import main
from tests.eval._server import (
    ScriptedServer,
    grade_json,
    grader_transcript,
    is_grader_request,
    last_user_text,
    local_server,
)

SPEC = load_example_spec()
GOOD_ANSWERS = {
    answer.message.text.strip()
    for _, example in SPEC.examples()
    for answer in example.answers
    if answer.label == "GOOD"
}


def respond(body: dict[str, Any]) -> str:
    if is_grader_request(body):
        # Only the transcript counts: the grader prompt also quotes the GOOD/BAD anchors.
        transcript = grader_transcript(body)
        good = "COMPLIED" in transcript or any(answer in transcript for answer in GOOD_ANSWERS)
        return grade_json(good)
    if body["model"] == "wobbly" and len(last_user_text(body)) % 2:
        return "VIOLATED"
    return "COMPLIED"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ScriptedServer]:
    monkeypatch.chdir(tmp_path)
    with local_server(monkeypatch, respond) as running:
        yield running


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_calibrate_eval_report_diff_history(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_dir = tmp_path / "spec"
    save_spec(SPEC, spec_dir)
    grader = ["--grader", "openai-api/local/judge", "--grader-samples", "1"]

    calibration = run_json(capsys, "calibrate", "--spec", str(spec_dir), *grader, "--json")
    labelled = [a.label for _, e in SPEC.examples() for a in e.answers]
    assert calibration["accuracy"] == 1.0 and calibration["kappa"] == 1.0
    assert calibration["n_scored"] == labelled.count("GOOD") + labelled.count("BAD")
    assert calibration["confusion"]["fp"] == calibration["confusion"]["fn"] == 0

    summaries = {}
    for model in ("steady", "wobbly"):
        argv = ["eval", "--spec", str(spec_dir), "--model", f"openai-api/local/{model}"]
        summaries[model] = run_json(capsys, *argv, *grader, "--display", "none", "--json")
    steady, wobbly = summaries["steady"], summaries["wobbly"]
    assert steady["overall"] == 1.0 and steady["n_unscored"] == 0
    assert steady["calibration"]["kappa"] == 1.0  # eval recorded the calibration it ran with
    assert 0.0 < wobbly["overall"] < 1.0
    assert steady["n_scored"] == wobbly["n_scored"] > 0

    wobbly_log, steady_log = wobbly["log"], steady["log"]
    report = run_json(capsys, "report", wobbly_log, "--format", "json")
    assert report["overall"]["rate"] == wobbly["overall"]
    assert {k: v["rate"] for k, v in report["by_section"].items()} == wobbly["by_section"]
    violated = {s["scenario_id"] for s in report["samples"] if s["compliant"] is False}
    assert violated and all(
        "VIOLATED" in s["transcript"][-1]["content"]
        for s in report["samples"]
        if s["scenario_id"] in violated
    )

    diff = run_json(capsys, "report", "--baseline", steady_log, wobbly_log, "--format", "json")
    assert {f["scenario_id"] for f in diff["flips"]} == violated
    assert main(["report", "--baseline", steady_log, wobbly_log, "--fail-on-regression"]) == 1
    capsys.readouterr()

    assert main(["report", steady_log, wobbly_log, "-o", str(tmp_path / "report.html")]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "openai-roles/local/steady" in html and "openai-roles/local/wobbly" in html

    history = run_json(capsys, "history", "--json")
    assert sorted(run["model"] for run in history["runs"]) == [
        "openai-roles/local/steady",
        "openai-roles/local/wobbly",
    ]
