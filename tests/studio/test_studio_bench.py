"""The studio benchmark runs (small sizes) and reports every operation against its baseline."""

from __future__ import annotations

import pytest

from tests._benchmarks import load_benchmark


def test_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_studio")
    results = module.main(["--sizes", "40,120", "--repeats", "1"])
    assert set(results) == {40, 120}
    out = capsys.readouterr().out
    assert "machine:" in out and "first page" in out and "(×1.00)" in out
