"""``calibrate --with-feedback``: people's verdicts become labelled cases, counted by hand.

The spec (``tests/eval/conftest.eval_spec``) has four examples, each with a GOOD and a BAD
answer (and an OK one, outside the confusion matrix). The scripted grader calls an answer
compliant exactly when it holds "good answer" or "COMPLIED", so the spec's own cases give
tp=4, tn=4. Feedback adds, by hand:

- be_honest/example-1 answered COMPLIED, person: compliant      → GOOD, judged compliant: tp
- be_brief/example-1 answered VIOLATED, person: non-compliant   → BAD, judged not: tn
- be_honest/example-2 answered COMPLIED, person first compliant, then non-compliant (the
  newest wins)                                                   → BAD, judged compliant: fp
- gone/example-1: its section is not in the spec                 → skipped
- a run that is not indexed                                      → skipped

Total tp=5, fp=1, tn=5, fn=0: accuracy 10/11; verdicts 6/11 positive, labels 5/11, chance
agreement 60/121, kappa (110/121 - 60/121) / (61/121) = 50/61.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from specwright._cli import main
from specwright._results import RunResult, SampleResult, TranscriptMessage
from specwright._results._store import ResultsStore
from tests.eval._server import grade_json, scripted_server
from tests.eval.conftest import eval_spec
from tests.report import report_factory as factory


def _sample(section: str, n: int, answer: str) -> SampleResult:
    return SampleResult(
        scenario_id=f"{section}/example-{n}", kind="example", section_id=section,
        compliant=True, score=6.0,
        transcript=(TranscriptMessage(role="developer", content="DEVELOPER RULES"),
                    TranscriptMessage(role="user", content=f"question {n}"),
                    TranscriptMessage(role="assistant", content=answer)),
    )  # fmt: skip


def _run(tmp_path: Path, run_id: str) -> Path:
    samples = (
        _sample("be_honest", 1, "COMPLIED"),
        _sample("be_brief", 1, "VIOLATED"),
        _sample("be_honest", 2, "COMPLIED"),
        _sample("gone", 1, "COMPLIED"),
    )
    run: RunResult = factory.build_run(run_id, "m", {}, spec_version="1", spec_hash="x" * 64,
                                       created=datetime(2026, 1, 1, tzinfo=UTC),
                                       calibration=None)  # fmt: skip
    path = tmp_path / f"{run_id}.json"
    run = run.model_copy(update={"samples": samples, "log_path": str(path)})
    path.write_text(run.model_dump_json(), encoding="utf-8")
    return path


def _grader(body: dict[str, object]) -> str:
    messages = body["messages"]
    assert isinstance(messages, list)
    transcript = str(messages[-1]["content"]).split("## TRANSCRIPT", 1)[1]
    return grade_json("good answer" in transcript or "COMPLIED" in transcript)


def _store_and_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A results store in the environment, the spec file, and one indexed run's file."""
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", db)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    indexed = _run(tmp_path, "indexed")
    with ResultsStore(db) as store:
        assert store.add(RunResult.model_validate_json(indexed.read_text()))
    return spec_file, indexed


def test_feedback_cases_join_the_calibration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file, indexed = _store_and_spec(tmp_path, monkeypatch)
    loose = _run(tmp_path, "loose")
    given = [
        (indexed, "be_honest/example-1", "compliant"),
        (indexed, "be_brief/example-1", "non-compliant"),
        (indexed, "be_honest/example-2", "compliant"),
        (indexed, "be_honest/example-2", "non-compliant"),
        (indexed, "gone/example-1", "compliant"),
        (loose, "be_honest/example-1", "non-compliant"),
    ]
    for path, sample, verdict in given:
        assert main(["feedback", "add", str(path), sample, "--verdict", verdict]) == 0
    capsys.readouterr()
    with scripted_server(_grader) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge",
                "--log-dir", str(tmp_path / "logs"), "--json", "--grader-samples", "1"]  # fmt: skip
        assert main(args) == 0
        plain = json.loads(capsys.readouterr().out)
        plain_requests = len(server.requests)
        assert main([*args, "--with-feedback"]) == 0
        captured = capsys.readouterr()
        prompts = [str(r["messages"][-1]["content"]) for r in server.requests[plain_requests:]]
    assert plain["confusion"] == {"tp": 4, "fp": 0, "tn": 4, "fn": 0}
    data = json.loads(captured.out)
    assert data["confusion"] == {"tp": 5, "fp": 1, "tn": 5, "fn": 0}
    assert data["accuracy"] == pytest.approx(10 / 11)
    assert data["kappa"] == pytest.approx(50 / 61)
    assert data["by_section"]["be_honest"] == {"tp": 3, "fp": 1, "tn": 2, "fn": 0}
    assert data["by_section"]["be_brief"] == {"tp": 1, "fp": 0, "tn": 2, "fn": 0}  # one example
    assert "with feedback: 3 labelled case(s) from people's verdicts (3 on runs of another " in (
        captured.err
    )
    assert "skipped 1: section not in this spec" in captured.err
    assert "skipped 1: run not readable" in captured.err
    # The feedback cases (conversations "question N") are graded with the spec example's own
    # labelled answers as anchors, as the eval judged those samples.
    feedback_prompts = [p for p in prompts if "question " in p.split("## TRANSCRIPT", 1)[1]]
    assert len(feedback_prompts) == 3
    assert all("good answer" in p.split("## TRANSCRIPT", 1)[0] for p in feedback_prompts)


def test_feedback_cases_reach_every_judge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With several --grader judges, each one grades the feedback cases too (same hand counts)."""
    spec_file, indexed = _store_and_spec(tmp_path, monkeypatch)
    for sample, verdict in [("be_honest/example-1", "compliant"),
                            ("be_brief/example-1", "non-compliant"),
                            ("be_honest/example-2", "non-compliant")]:  # fmt: skip
        assert main(["feedback", "add", str(indexed), sample, "--verdict", verdict]) == 0
    capsys.readouterr()
    with scripted_server(_grader) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        args = ["calibrate", "--spec", str(spec_file), "--grader", "openai-api/local/judge",
                "--grader", "openai-api/local/judge-2", "--log-dir", str(tmp_path / "logs"),
                "--json", "--grader-samples", "1", "--with-feedback"]  # fmt: skip
        assert main(args) == 0
    judges = json.loads(capsys.readouterr().out)["judges"]
    assert [j["confusion"] for j in judges] == [{"tp": 5, "fp": 1, "tn": 5, "fn": 0}] * 2
