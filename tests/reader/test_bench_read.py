"""Smoke test: the read benchmark runs (one repeat, on the shipped example spec)."""

from __future__ import annotations

import pytest

from specwright import example_spec_path
from tests._benchmarks import load_benchmark


def test_bench_read_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_read")
    code = module.main(["--repeats", "1", "--spec", str(example_spec_path())])
    out = capsys.readouterr().out
    assert code == 0
    for name in ("raw read", "markdown-it parse", "specwright read_spec", "target"):
        assert name in out
