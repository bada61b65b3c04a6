"""Smoke test: the chain benchmark runs (one repeat, small conversation, example spec)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from specwright import example_spec_path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_chain.py"


def test_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_chain", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    code = module.main(["--repeats", "1", "--messages", "12", "--spec", str(example_spec_path())])
    out = capsys.readouterr().out
    assert code in (0, 1)  # timing on a shared test machine is not the test's business
    assert "resolve + compile" in out and "preamble / whole spec tokens" in out
    assert len(module.conversation(50).turns) == 50
