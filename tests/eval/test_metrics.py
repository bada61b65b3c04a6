"""Rates and 95% intervals: Wilson for single epochs, cluster-robust across epochs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specwright._results import SampleResult
from specwright._results._rates import clustered_rate, group_rates, rate, wilson


def sample(
    scenario: str, compliant: bool | None, section: str = "s", epoch: int = 1
) -> SampleResult:
    return SampleResult(
        scenario_id=scenario, kind="example", section_id=section, compliant=compliant, epoch=epoch
    )


def test_wilson_known_values() -> None:
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_clustered_interval_hand_computed() -> None:
    # p = 5/8; residuals .75, -1.25, -.25, .75; var = 4/3 * 2.75 / 64; half = 1.96 * sqrt(var).
    r = clustered_rate([(2, 2), (0, 2), (1, 2), (2, 2)])
    assert r.rate == pytest.approx(0.625) and r.n == 8
    assert r.ci_low == pytest.approx(0.625 - 1.959964 * (4 / 3 * 2.75 / 64) ** 0.5, abs=1e-6)
    assert r.ci_high == 1.0


def test_single_epoch_uses_wilson_and_unscored_is_left_out() -> None:
    samples = [sample(f"x{i}", i < 8) for i in range(10)] + [sample("u", None)]
    r = rate(samples)
    assert (r.rate, r.n) == (0.8, 10)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson(8, 10))
    assert rate([sample("u", None)]).rate is None


def test_epochs_cluster_by_scenario_and_widen_the_interval() -> None:
    # Two scenarios, always the same verdict across 5 epochs: 2 independent units, not 10.
    clustered = [sample(s, s == "a", epoch=e) for s in "ab" for e in range(1, 6)]
    independent = [sample(f"{s}{e}", s == "a") for s in "ab" for e in range(1, 6)]
    wide, narrow = rate(clustered), rate(independent)
    assert wide.rate == narrow.rate == 0.5
    assert (wide.ci_high or 0) - (wide.ci_low or 0) > (narrow.ci_high or 0) - (narrow.ci_low or 0)


def test_group_rates_count_a_sample_in_each_of_its_groups() -> None:
    samples = [sample("a", True, "s1"), sample("b", False, "s1"), sample("c", True, "s2")]
    by_section = group_rates(samples, lambda s: [s.section_id])
    assert {k: v.rate for k, v in by_section.items()} == {"s1": 0.5, "s2": 1.0}
    assert group_rates(samples, lambda s: []) == {}


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 5)), min_size=1, max_size=20))
def test_interval_contains_the_rate(clusters: list[tuple[int, int]]) -> None:
    clusters = [(min(k, n), n) for k, n in clusters]
    r = clustered_rate(clusters)
    assert r.rate is not None and r.ci_low is not None and r.ci_high is not None
    assert 0.0 <= r.ci_low <= r.rate + 1e-12 and r.rate - 1e-12 <= r.ci_high <= 1.0


def test_one_scenario_over_many_epochs_counts_as_one_trial() -> None:
    r = clustered_rate([(0, 5)])
    assert (r.rate, r.n) == (0.0, 5)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson(0, 1))


@pytest.mark.parametrize("verdict", [True, False])
def test_all_alike_over_epochs_is_not_a_zero_width_interval(verdict: bool) -> None:
    # Ten scenarios, three epochs, always the same verdict: as sure as ten trials, not certain.
    r = rate([sample(f"x{i}", verdict, epoch=e) for i in range(10) for e in range(1, 4)])
    assert (r.rate, r.n) == (float(verdict), 30)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson(10 * verdict, 10))
    assert (r.ci_high or 0) - (r.ci_low or 0) > 0.2
