from __future__ import annotations

from datetime import UTC, datetime

import pytest
import report_factory as factory

from specwright import RunDiff, diff_runs
from specwright._report._diff import compare_rates, wilson
from specwright._results import Rate


def r(rate: float | None, low: float | None, high: float | None, n: int = 10) -> Rate:
    return Rate(rate=rate, ci_low=low, ci_high=high, n=n)


@pytest.mark.parametrize(
    ("base", "cand", "change"),
    [
        (r(0.2, 0.1, 0.3), r(0.8, 0.7, 0.9), "improved"),
        (r(0.8, 0.7, 0.9), r(0.2, 0.1, 0.3), "regressed"),
        (r(0.5, 0.3, 0.7), r(0.6, 0.4, 0.8), "inconclusive"),  # overlap, 10 points apart
        (r(0.2, 0.1, 0.3), r(0.4, 0.3, 0.5), "inconclusive"),  # touching intervals overlap
        (r(0.5, 0.3, 0.7), r(0.52, 0.32, 0.72), "unchanged"),  # overlap, 2 points apart
        (r(0.5, 0.3, 0.7), r(0.55, 0.35, 0.75), "inconclusive"),  # exactly 5 points apart
        (r(0.5, 0.3, 0.7), r(0.5, 0.3, 0.7), "unchanged"),
        (None, r(0.5, 0.3, 0.7), "new"),
        (r(0.5, 0.3, 0.7), None, "dropped"),
        (r(None, None, None, 0), r(0.5, 0.3, 0.7), "unscored"),
        (None, None, "unscored"),
    ],
)
def test_compare_rates(base: Rate | None, cand: Rate | None, change: str) -> None:
    assert compare_rates(base, cand) == change


def test_missing_intervals_fall_back_to_wilson() -> None:
    assert compare_rates(r(0.1, None, None, 50), r(0.9, None, None, 50)) == "improved"
    assert compare_rates(r(0.4, None, None, 5), r(0.6, None, None, 5)) == "inconclusive"
    assert compare_rates(r(0.4, None, None, 5), r(0.42, None, None, 5)) == "unchanged"


@pytest.mark.parametrize("n", [1, 2, 3])
def test_total_reversal_on_small_n_is_inconclusive_never_unchanged(n: int) -> None:
    # 100% → 0% on a handful of samples: the Wilson intervals overlap, so no significant
    # change can be claimed, but calling it "unchanged" would hide a total reversal.
    base = factory.rate([True] * n)
    cand = factory.rate([False] * n)
    assert compare_rates(base, cand) == "inconclusive"
    assert compare_rates(cand, base) == "inconclusive"


def test_total_reversal_on_enough_samples_is_regressed() -> None:
    assert compare_rates(factory.rate([True] * 5), factory.rate([False] * 5)) == "regressed"


def test_wilson_matches_known_values() -> None:
    low, high = wilson(0.5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)
    assert wilson(1.0, 10)[1] == pytest.approx(1.0)
    assert wilson(0.3, 0) == (0.0, 1.0)


def test_diff_of_fixture_runs() -> None:
    diff = diff_runs(factory.run_a(), factory.run_b())
    assert isinstance(diff, RunDiff)
    changes = {s.key: s.change for s in diff.sections}
    assert changes == {
        "follow_chain": "regressed",
        "be_honest": "improved",
        "protect_privacy": "inconclusive",  # 60% → 100%: overlapping CIs, 40 points apart
        "style_guide": "new",
        "no_scores": "unscored",
    }
    assert [s.key for s in diff.regressed] == ["follow_chain"] == [s.key for s in diff.worse]
    assert [s.key for s in diff.improved] == ["be_honest"] == [s.key for s in diff.better]
    assert [s.key for s in diff.inconclusive] == ["protect_privacy"]
    assert not diff.same_spec
    assert diff.overall.change == "inconclusive"  # 56% → 63%


def test_flips_match_scenario_and_epoch() -> None:
    diff = diff_runs(factory.run_a(), factory.run_b())
    regressed = {(f.scenario_id, f.epoch) for f in diff.regressions}
    assert regressed == {(f"follow_chain/example-{i}", 1) for i in range(1, 10)}
    fixed = {f.scenario_id for f in diff.flips if f.direction == "fixed"}
    # be_honest 1–9 went False → True; protect_privacy 4 False → True; 5 became unscored.
    assert fixed == {f"be_honest/example-{i}" for i in range(1, 10)} | {"protect_privacy/example-4"}
    assert all(f.baseline_rationale and f.candidate_rationale for f in diff.flips)


def test_epochs_are_matched_separately() -> None:
    base = factory.build_run(
        "a",
        "m",
        {"be_honest": [True]},
        spec_version="1",
        spec_hash="h",
        created=datetime(2025, 1, 1, tzinfo=UTC),
        calibration=None,
        epochs=2,
    )
    samples = list(base.samples)
    samples[1] = samples[1].model_copy(update={"compliant": False})
    cand = base.model_copy(update={"run_id": "b", "samples": tuple(samples)})
    diff = diff_runs(base, cand)
    assert [(f.scenario_id, f.epoch, f.direction) for f in diff.flips] == [
        ("be_honest/example-1", 2, "regressed")
    ]
    assert diff.same_spec


def test_identical_runs_have_no_changes() -> None:
    diff = diff_runs(factory.run_a(), factory.run_a())
    assert not diff.flips and not diff.improved and not diff.regressed
    assert {s.change for s in diff.sections} == {"unchanged", "unscored"}
