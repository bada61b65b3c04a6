"""Smoke test: the generation benchmark runs (small numbers, short latency)."""

from __future__ import annotations

import json

import pytest

from tests._benchmarks import load_benchmark


def test_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_generate")
    args = ["--latency", "0.05", "--concurrency", "4", "--requests", "8", "--groups", "60"]
    module.main([*args, "--json"])  # the exit code reflects targets a loaded CI box may miss
    out = capsys.readouterr().out
    assert "machine:" in out and "contention" in out
    data = json.loads(out[out.index("{\n") :])
    assert data["throughput"]["requests"] == 8 and data["throughput"]["bad_output"] == 0
    assert data["dedupe"]["precision"] >= 0.95 and data["dedupe"]["recall"] >= 0.95
