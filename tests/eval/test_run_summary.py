"""``RunSummary``: what ``specwright eval --json`` prints, built from a run as it ended."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from specwright._eval._summary import RunSummary
from specwright._results import JudgeVerdict, RunHeader, RunResult, SampleResult, summarize_run

BASE_KEYS = [
    "complete", "samples_done", "samples_total", "failed", "overall", "overall_ci",
    "n_scored", "n_unscored", "unscored_reasons",
    "by_section", "by_section_ci", "by_section_n", "by_authority", "by_authority_ci",
    "by_authority_n", "by_tag", "by_tag_ci", "by_tag_n",
    "grader_tokens", "whole_spec_grader_tokens", "model", "grader", "epochs", "calibration", "log",
]  # fmt: skip


def _run(graders: tuple[str, ...] = ()) -> RunResult:
    verdicts = [(True, True, False), (False, False, True), None]
    samples = [
        SampleResult(
            scenario_id=f"s/{n}", kind="example", section_id="s", authority="user",
            compliant=None if v is None else sum(v) >= 2,
            unscored_reason="unparseable" if v is None else None,
            judges=tuple(
                JudgeVerdict(grader=g, compliant=c)
                for g, c in zip(graders, v or (), strict=False)  # no judges: no verdicts
            ),
        )
        for n, v in enumerate(verdicts)
    ]  # fmt: skip
    header = RunHeader(
        run_id="r", model="m", grader=graders[0] if graders else "g", graders=graders,
        spec_hash="h", created=datetime(2026, 1, 1, tzinfo=UTC), log_path="logs/r.eval",
    )  # fmt: skip
    return summarize_run(header, samples, whole_spec_grader_tokens=10)


def _dump(run: RunResult, ended: Any = None) -> dict[str, Any]:
    return RunSummary.of(run, ended).model_dump(mode="json")


def test_one_judge_has_the_keys_it_always_had() -> None:
    data = _dump(_run())
    assert list(data) == BASE_KEYS
    assert data["overall"] == 0.5 and data["overall_ci"] == [
        _run().overall.ci_low,
        _run().overall.ci_high,
    ]
    assert data["by_section"] == {"s": 0.5} and data["by_section_n"] == {"s": 2}
    assert data["unscored_reasons"] == {"unparseable": 1}
    assert (data["samples_done"], data["samples_total"], data["failed"]) == (3, 3, {})


def test_several_judges_add_their_names_and_agreement() -> None:
    data = _dump(_run(("a", "b", "c")))
    assert list(data)[: len(BASE_KEYS)] == BASE_KEYS
    assert data["graders"] == ["a", "b", "c"] and "judge_agreement" in data
    assert "judge_calibrations" not in data  # none was recorded: left out, as a run does


def test_a_partial_run_has_no_overall_figure() -> None:
    ended = SimpleNamespace(complete=False, done=2, total=5, failures={"timeout": 3})
    data = _dump(_run(), ended)
    assert data["complete"] is False and data["overall"] is None
    assert data["overall_ci"] == [None, None]
    assert (data["samples_done"], data["samples_total"], data["failed"]) == (2, 5, {"timeout": 3})
