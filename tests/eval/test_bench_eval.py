"""Smoke test: the eval benchmark runs (one repeat, a few samples, a short throughput run)."""

from __future__ import annotations

import json

import pytest

from tests._benchmarks import load_benchmark


@pytest.mark.timeout(600)  # several short evals, three of them as real `specwright` processes
def test_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_eval")
    args = ["--repeats", "1", "--samples", "3", "--grader-samples", "1", "--json"]
    small = ["--latency", "0.05", "--connections", "4", "--requests", "8", "--latencies", "0.05"]
    rss = ["--rss-samples", "20", "--rss-baseline", "20"]  # one run: its own baseline
    assert module.main([*args, *small, "--workers", "2", *rss]) == 0
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{") :])
    assert data["overhead"]["ours"] > 0 and data["throughput"]["requests"] == 8
    assert "beside the code before issue 11's seams (330996c)" in out
    assert 0 < data["tokens"]["max"] <= 1
    shares = data["shares"]
    assert set(shares) == {"bare", "one", "workers"} and all(v["0.05"] > 0 for v in shares.values())
    assert data["rss"]["peak_tree_mib"] > 0 and data["rss"]["samples"] == 20
    assert data["rss"]["baseline_samples"] == 20
