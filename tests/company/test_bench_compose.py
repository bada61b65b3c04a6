"""Smoke test: the compose/diff benchmark runs (one repeat), with and without the real spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._benchmarks import load_benchmark
from tests._paths import require_real_spec

_NAMES = ("read_spec(base)", "compose (in memory)", "diff_specs", "target")


def test_bench_compose_runs_on_a_fresh_clone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Issue 24.1: without ../shared it exited 1 with a traceback (the sample overlay names
    # sections only the real spec has).
    module = load_benchmark("bench_compose")
    monkeypatch.setattr(module, "REAL_SPEC", tmp_path / "absent")
    code = module.main(["--repeats", "1"])
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1 only when a loaded machine misses the target
    assert "real spec: skipped" in out and "overlay: init scaffold" in out
    assert all(name in out for name in _NAMES)


def test_bench_compose_runs_on_the_real_spec(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_compose")
    code = module.main(["--repeats", "1", "--spec", str(require_real_spec())])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "overlay: the sample overlay" in out
    assert all(name in out for name in _NAMES)
