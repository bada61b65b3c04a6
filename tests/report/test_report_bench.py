from __future__ import annotations

import pytest
from tests._benchmarks import load_benchmark


def test_benchmark_smoke(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = load_benchmark("bench_report")
    monkeypatch.setattr(module, "SECTIONS", 3)
    monkeypatch.setattr(module, "SAMPLES_PER_SECTION", 4)
    module.main(repeats=1)
    out = capsys.readouterr().out
    assert "render html (2 runs)" in out and "x  1.00" in out
