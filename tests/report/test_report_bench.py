from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_report.py"


def test_benchmark_smoke(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location("bench_report", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "SECTIONS", 3)
    monkeypatch.setattr(module, "SAMPLES_PER_SECTION", 4)
    module.main(repeats=1)
    out = capsys.readouterr().out
    assert "render html (2 runs)" in out and "x  1.00" in out
