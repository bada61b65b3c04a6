"""Smoke test: the read benchmark runs (one repeat, on the shipped example spec)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from specwright import example_spec_path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_read.py"


def test_bench_read_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_read", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    code = module.main(["--repeats", "1", "--spec", str(example_spec_path())])
    out = capsys.readouterr().out
    assert code == 0
    for name in ("raw read", "markdown-it parse", "specwright read_spec", "target"):
        assert name in out
