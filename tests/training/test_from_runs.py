"""Preference pairs from judged runs: exactly the expected pairs, the kappa and spec filters."""

from __future__ import annotations

from datetime import UTC, datetime

from specwright._results import (
    Calibration,
    ConfusionMatrix,
    Rate,
    RunResult,
    SampleResult,
    TranscriptMessage,
)
from specwright._training import ExportOptions, export_training_data
from tests._factories import small_spec

SPEC = small_spec()
SCENARIO = "no_harm/example-1"  # the small spec's example: one user turn "question"


def _calibration(kappa: float | None) -> Calibration:
    return Calibration(
        grader="judge", spec_hash="h", accuracy=0.9, kappa=kappa, n_scored=10, n_unscored=0,
        confusion=ConfusionMatrix(tp=5, tn=4, fp=1),
    )  # fmt: skip


def _sample(
    answer: str, compliant: bool | None, scenario: str = SCENARIO, epoch: int = 1
) -> SampleResult:
    return SampleResult(
        scenario_id=scenario, kind="example", section_id=scenario.split("/", maxsplit=1)[0],
        epoch=epoch, compliant=compliant,
        transcript=(TranscriptMessage(role="user", content="question"),
                    TranscriptMessage(role="assistant", content=answer)),
    )  # fmt: skip


def _run(run_id: str, samples: list[SampleResult], kappa: float | None = 0.8,
         spec_hash: str | None = None) -> RunResult:  # fmt: skip
    return RunResult(
        run_id=run_id, model=f"model-{run_id}", grader=f"judge-{run_id}",
        spec_hash=spec_hash or SPEC.content_hash(), created=datetime(2026, 1, 1, tzinfo=UTC),
        calibration=_calibration(kappa) if kappa != -9 else None,
        samples=tuple(samples), overall=Rate(rate=None, ci_low=None, ci_high=None, n=0),
    )  # fmt: skip


def _pairs(runs: list[RunResult], min_kappa: float = 0.4) -> tuple[set[tuple[str, str]], list[str]]:
    options = ExportOptions(format="dpo", from_spec=False, split_by="none", min_kappa=min_kappa)
    result = export_training_data(SPEC, options, runs)
    pairs = {
        (r.record.chosen[0].content or "", r.record.rejected[0].content or "")  # type: ignore[union-attr]
        for r in result.records
    }
    assert len(pairs) == len(result.records)
    return pairs, [s.reason for s in result.manifest.skipped]


def test_compliant_over_noncompliant_across_runs_of_one_scenario() -> None:
    a = _run("a", [_sample("safe A", True), _sample("harmful A", False, epoch=2)])
    b = _run("b", [_sample("safe B", True), _sample("safe A", True, epoch=2), _sample("?", None)])
    pairs, skipped = _pairs([a, b])
    # "safe A" appears twice (two runs): one chosen answer, not two; unscored samples never pair.
    assert pairs == {("safe A", "harmful A"), ("safe B", "harmful A")}
    assert skipped == []


def test_runs_with_an_untrusted_judge_or_another_spec_give_no_pairs() -> None:
    good = _run("good", [_sample("safe", True)])
    weak = _run("weak", [_sample("bad-weak", False)], kappa=0.1)
    undefined = _run("undef", [_sample("bad-undef", False)], kappa=None)
    missing = _run("none", [_sample("bad-none", False)], kappa=-9)
    other = _run("other", [_sample("bad-other", False)], spec_hash="f" * 64)
    trusted = _run("trusted", [_sample("bad-trusted", False)], kappa=0.5)
    pairs, skipped = _pairs([good, weak, undefined, missing, other, trusted])
    assert pairs == {("safe", "bad-trusted")}
    assert len(skipped) == 4
    assert any("below 0.40" in s for s in skipped) and any("another spec" in s for s in skipped)
    # A stricter threshold drops the kappa-0.5 run too.
    assert _pairs([good, trusted], min_kappa=0.6)[0] == set()


def test_same_text_judged_both_ways_is_no_preference() -> None:
    run = _run("a", [_sample("same", True), _sample("same", False, epoch=2)])
    assert _pairs([run])[0] == set()


def test_pairs_carry_judge_and_kappa_and_prompt_from_the_spec() -> None:
    a = _run("a", [_sample("safe", True)], kappa=0.9)
    b = _run("b", [_sample("unsafe", False)], kappa=0.7)
    options = ExportOptions(format="dpo", from_spec=False, split_by="none")
    record = export_training_data(SPEC, options, [a, b]).records[0]
    meta = record.metadata
    assert meta.source == "run_sample" and meta.scenario_id == SCENARIO
    assert meta.run_ids == ("a", "b") and meta.judge == "judge-a; judge-b"
    assert meta.judge_kappa == 0.7
    assert [m.content for m in record.record.prompt] == ["question"]  # type: ignore[union-attr]


def test_custom_scenarios_are_skipped_with_a_reason() -> None:
    run = _run("a", [_sample("x", True, scenario="mine-1"), _sample("y", False, scenario="mine-1")])
    pairs, skipped = _pairs([run])
    assert pairs == set() and skipped == ["the spec yields no such scenario (a custom one?)"]


def test_adjudicated_samples_count_even_when_the_judge_is_untrusted() -> None:
    weak = _run("weak", [_sample("safe", True), _sample("harm", False, epoch=2)], kappa=0.1)
    assert _pairs([weak])[0] == set()
    decided = weak.model_copy(
        update={"samples": tuple(
            s.model_copy(update={"adjudicated": True, "judge_compliant": not s.compliant})
            if s.epoch == 2 else s
            for s in weak.samples
        )}
    )  # fmt: skip
    # Only the person's verdict counts; the judge's "safe" verdict in that run does not.
    assert _pairs([decided])[0] == set()
    both = decided.model_copy(
        update={"samples": tuple(s.model_copy(update={"adjudicated": True}) for s in weak.samples)}
    )
    options = ExportOptions(format="dpo", from_spec=False, split_by="none")
    [record] = export_training_data(SPEC, options, [both]).records
    assert record.metadata.adjudicated
