"""The disagreement ranking on scripted runs whose disagreeing sections are known."""

from __future__ import annotations

from datetime import UTC, datetime

from specwright._results import Grade, RunResult
from specwright._revise._disagreements import find_disagreements
from specwright._revise._render import render_disagreements
from tests.report import report_factory as factory

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _run(run_id: str, model: str, verdicts: dict[str, list[bool | None]], text: str = "",
         grader: str = "judge") -> RunResult:  # fmt: skip
    run = factory.build_run(run_id, model, verdicts, spec_version="v", spec_hash="h" * 64,
                            created=WHEN, calibration=None, text=text)  # fmt: skip
    return run.model_copy(update={"grader": grader})


def _runs() -> list[RunResult]:
    # follow_chain: everyone agrees (compliant). be_honest: models split 2:1 on both scenarios.
    # protect_privacy: every model judged non-compliant. style_guide: agreement, but the
    # judge's own samples split on one answer.
    a = _run("a", "model-a", {"follow_chain": [True, True], "be_honest": [True, True],
                              "protect_privacy": [False], "style_guide": [True]})  # fmt: skip
    b = _run("b", "model-b", {"follow_chain": [True, True], "be_honest": [False, False],
                              "protect_privacy": [False], "style_guide": [True]})  # fmt: skip
    c = _run("c", "model-c", {"follow_chain": [True, True], "be_honest": [True, False],
                              "protect_privacy": [False], "style_guide": [True]})  # fmt: skip
    split = (Grade(score=6, compliant=True), Grade(score=2, compliant=False),
             Grade(score=6, compliant=True), Grade(score=2, compliant=False))  # fmt: skip
    samples = tuple(
        s.model_copy(update={"grades": split}) if s.section_id == "style_guide" else s
        for s in c.samples
    )
    return [a, b, c.model_copy(update={"samples": samples})]


def test_disagreeing_sections_rank_first_and_all_fail_is_flagged() -> None:
    report = find_disagreements(_runs())
    order = [s.section_id for s in report.sections]
    assert order[0] == "be_honest"  # models split on every scenario
    assert order[-1] == "follow_chain"  # unanimous
    assert report.sections[-1].score == 0.0
    top = report.scenarios[0]
    assert top.section_id == "be_honest"
    models = next(a for a in top.axes if a.axis == "models")
    assert models.n == 3 and abs(models.disagreement - 2 / 3) < 1e-9
    privacy = next(s for s in report.scenarios if s.section_id == "protect_privacy")
    assert privacy.all_noncompliant and privacy.score == 0.0
    assert (
        next(s for s in report.sections if s.section_id == "protect_privacy").all_noncompliant == 1
    )
    style = next(s for s in report.scenarios if s.section_id == "style_guide")
    grader_axis = next(a for a in style.axes if a.axis == "grader_samples")
    assert grader_axis.disagreement > 0 and style.score > 0
    assert not any(
        s.all_noncompliant for s in report.scenarios if s.section_id != "protect_privacy"
    )


def test_judges_and_epochs_are_their_own_axes() -> None:
    one = _run("j1", "model-a", {"be_honest": [True]}, grader="judge-1")
    two = _run("j2", "model-a", {"be_honest": [False]}, grader="judge-2")
    scenario = find_disagreements([one, two]).scenarios[0]
    axes = {a.axis: a.disagreement for a in scenario.axes}
    assert axes["judges"] == 1.0 and "models" not in axes
    epochs = factory.build_run("e", "m", {"be_honest": [True]}, spec_version="v",
                               spec_hash="h", created=WHEN, calibration=None, epochs=2)  # fmt: skip
    flipped = tuple(s.model_copy(update={"compliant": s.epoch == 1}) for s in epochs.samples)
    scenario = find_disagreements([epochs.model_copy(update={"samples": flipped})]).scenarios[0]
    assert {a.axis: a.disagreement for a in scenario.axes}["epochs"] == 1.0


def test_renderings_are_safe_and_complete() -> None:
    runs = [_run("x", "m1", {"be_honest": [True]}, text=factory.PAYLOADS[0]),
            _run("y", "m2", {"be_honest": [False]}, text=factory.PAYLOADS[1])]  # fmt: skip
    report = find_disagreements(runs)
    html = render_disagreements(report, "html")
    assert "<script>window.__pwned" not in html and 'onerror="window' not in html
    assert "Content-Security-Policy" in html and "be_honest/example-1" in html
    markdown = render_disagreements(report, "markdown")
    assert "| be\\_honest |" in markdown and "NON-compliant" in markdown
    assert render_disagreements(report, "json").startswith("{")


def test_a_resumed_run_counts_once() -> None:
    # Issue 22: the interrupted log and its resumption share the run id (Inspect's task id
    # survives eval_retry); the resumed log holds the first one's samples as well.
    interrupted = _run("r", "model-a", {"be_honest": [True]})
    resumed = _run("r", "model-a", {"be_honest": [True, False], "follow_chain": [True]})
    other = _run("o", "model-b", {"be_honest": [True, True], "follow_chain": [True]})
    report = find_disagreements([interrupted, other, resumed])
    assert report.runs == ("r", "o")
    for scenario in report.scenarios:
        runs = [a.run_id for a in scenario.answers]
        assert sorted(runs) == ["o", "r"], (scenario.scenario_id, runs)
