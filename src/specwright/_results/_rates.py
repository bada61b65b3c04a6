"""Compliance rates with 95% confidence intervals, overall and grouped.

With one epoch every scenario is one Bernoulli trial and the interval is Wilson's. With several
epochs the samples of one scenario are correlated, so the rate is a ratio estimator over
scenario clusters and its interval uses the cluster-robust (sandwich) variance; with fewer than
two clusters, or clusters that all share one rate (where the sandwich variance is zero), it
falls back to Wilson with one trial per scenario. Unscored samples never enter a rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from specwright._results._models import Rate, SampleResult

__all__ = ["Z95", "clustered_rate", "group_rates", "interval", "rate", "wilson"]

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of ``successes`` in ``n`` trials (``(0, 1)`` when ``n`` is 0).

    Fractional counts are allowed, for an effective sample size.
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def clustered_rate(clusters: Sequence[tuple[int, int]], z: float = Z95) -> Rate:
    """Rate over ``(successes, trials)`` clusters with a cluster-robust 95% interval."""
    clusters = [(k, n) for k, n in clusters if n > 0]
    total = sum(n for _, n in clusters)
    if total == 0:
        return Rate(rate=None, ci_low=None, ci_high=None, n=0)
    hits = sum(k for k, _ in clusters)
    p = hits / total
    if all(n == 1 for _, n in clusters):
        low, high = wilson(hits, total, z)
        return Rate(rate=p, ci_low=low, ci_high=high, n=total)
    if len(clusters) < 2:
        # One scenario repeated: its epochs are not independent trials, so the effective
        # sample size is one, not the number of epochs.
        low, high = wilson(p, 1, z)
        return Rate(rate=p, ci_low=low, ci_high=high, n=total)
    g = len(clusters)
    variance = g / (g - 1) * sum((k - p * n) ** 2 for k, n in clusters) / total**2
    if variance == 0:
        # Every scenario at the same rate (always at 0% or 100% included): the sandwich
        # would claim a zero-width interval. Count each scenario as one trial instead.
        low, high = wilson(p * g, g, z)
        return Rate(rate=p, ci_low=low, ci_high=high, n=total)
    half = z * math.sqrt(variance)
    return Rate(rate=p, ci_low=max(0.0, p - half), ci_high=min(1.0, p + half), n=total)


def rate(samples: Iterable[SampleResult]) -> Rate:
    """Compliance rate of ``samples``, clustered by scenario id."""
    clusters: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for sample in samples:
        if sample.compliant is None:
            continue
        cluster = clusters[sample.scenario_id]
        cluster[0] += int(sample.compliant)
        cluster[1] += 1
    return clustered_rate([(k, n) for k, n in clusters.values()])


def group_rates(
    samples: Sequence[SampleResult], keys: Callable[[SampleResult], Iterable[str]]
) -> dict[str, Rate]:
    """Rates per group; a sample counts in every group that ``keys`` names for it."""
    groups: dict[str, list[SampleResult]] = defaultdict(list)
    for sample in samples:
        for key in keys(sample):
            groups[key].append(sample)
    return {key: rate(members) for key, members in sorted(groups.items())}


def interval(rate: Rate) -> tuple[float, float]:
    """The 95% interval ``rate`` recorded, or Wilson's over ``rate.n`` trials when it has none.

    An unscored rate knows nothing: its interval is ``(0, 1)``, as Wilson's is for no trials.
    """
    if rate.ci_low is not None and rate.ci_high is not None:
        return rate.ci_low, rate.ci_high
    if rate.rate is None:
        return 0.0, 1.0
    return wilson(rate.rate * rate.n, rate.n)
