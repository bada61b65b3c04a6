"""End to end on Inspect's mock model: known scripted outcomes, per-section aggregation."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from specwright import Spec
from specwright._eval._logs import find_logs, load_run
from specwright._eval._task import compliance_task
from specwright._results import RunResult
from tests.eval.conftest import grader_from, honest_grader, target_fn


def _run(
    spec: Spec, tmp_path: Path, verdicts: object = honest_grader, epochs: int = 1
) -> RunResult:
    task = compliance_task(spec, grader="mockllm/grader")
    logs = inspect_eval(
        task,
        model=get_model("mockllm/model", custom_outputs=target_fn),
        model_roles={"grader": get_model("mockllm/grader", custom_outputs=grader_from(verdicts))},  # type: ignore[arg-type]
        display="none",
        log_dir=str(tmp_path),
        epochs=epochs,
    )
    assert logs[0].status == "success", logs[0].error
    return load_run(logs[0].location)


def test_per_section_aggregation_on_a_scripted_outcome(spec: Spec, tmp_path: Path) -> None:
    run = _run(spec, tmp_path)
    # be_honest: one comply, one violate; be_brief: comply; protect_teens: violate.
    assert run.overall.rate == pytest.approx(0.5)
    assert run.n_scored == 4 and run.n_unscored == 0
    assert {k: r.rate for k, r in run.by_section.items()} == {
        "be_honest": 0.5,
        "be_brief": 1.0,
        "protect_teens": 0.0,
    }
    assert {k: r.rate for k, r in run.by_authority.items()} == {
        "root": 0.5,
        "system": 0.0,
        "user": 1.0,
    }
    assert run.by_tag["under_18"].rate == 0.0 and run.by_tag["under_18"].n == 1
    assert run.overall.ci_low is not None and run.overall.ci_low < 0.5 < run.overall.ci_high  # type: ignore[operator]
    assert run.spec_hash == spec.content_hash() and run.grader == "mockllm/grader"
    assert run.calibration is None


def test_samples_carry_the_log_contract(spec: Spec, tmp_path: Path) -> None:
    run = _run(spec, tmp_path)
    sample = next(s for s in run.samples if s.scenario_id == "protect_teens/example-1")
    assert sample.kind == "example" and sample.authority == "system"
    assert sample.tags == ("under_18",) and sample.compliant is False and sample.score == 2
    assert len(sample.grades) == 3 and sample.grader_tokens == 90
    assert [m.role for m in sample.transcript] == ["system", "developer", "user", "assistant"]
    assert sample.transcript[-1].content == "VIOLATED"
    # A toy spec is smaller than the budgeted prompt; the ≤ 1/10 target is for real specs.
    assert run.grader_tokens == 360 and run.whole_spec_grader_tokens > 0
    assert find_logs(tmp_path) == [Path(run.log_path or "")]


def test_unscored_grades_are_reported_apart_never_as_failures(spec: Spec, tmp_path: Path) -> None:
    def verdicts(transcript: str) -> str:
        # Violations get an unparseable grade: if unscored counted as failure the rate would drop.
        return "I cannot grade this." if "VIOLATED" in transcript else honest_grader(transcript)

    run = _run(spec, tmp_path, verdicts)
    assert run.n_scored == 2 and run.n_unscored == 2
    assert run.overall.rate == 1.0 and run.overall.n == 2
    assert "protect_teens" in run.by_section and run.by_section["protect_teens"].rate is None
    unscored = [s for s in run.samples if s.compliant is None]
    assert all(s.unscored_reason and "unparseable" in s.unscored_reason for s in unscored)
    from specwright._eval._summary import RunSummary

    summary = RunSummary.of(run).model_dump(mode="json")
    assert summary["n_unscored"] == 2 and summary["overall"] == 1.0
    assert summary["unscored_reasons"] == {"unparseable: no JSON object in answer": 2}


def test_epochs_cluster_by_scenario(spec: Spec, tmp_path: Path) -> None:
    run = _run(spec, tmp_path, epochs=2)
    assert run.epochs == 2 and len(run.samples) == 8
    assert run.overall.rate == 0.5 and run.overall.n == 8
    assert {s.epoch for s in run.samples} == {1, 2}
