"""Smoke test: the chain benchmark runs (one repeat, small conversation, example spec)."""

from __future__ import annotations

import pytest

from specwright import example_spec_path
from tests._benchmarks import load_benchmark


def test_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_chain")
    code = module.main(["--repeats", "1", "--messages", "12", "--spec", str(example_spec_path())])
    out = capsys.readouterr().out
    assert code in (0, 1)  # timing on a shared test machine is not the test's business
    assert "resolve + compile" in out and "preamble / whole spec tokens" in out
    assert len(module.conversation(50).turns) == 50
