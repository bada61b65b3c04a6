"""The revision review benchmark runs (small sizes) and reports each size against its baseline."""

from __future__ import annotations

import pytest

from tests._benchmarks import load_benchmark


def test_revisions_benchmark_smoke(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_benchmark("bench_studio_revisions")
    monkeypatch.setattr(module, "_real", lambda repeats: None)  # the real spec: by hand only
    results = module.main(["--sections", "5,15", "--repeats", "1"])
    assert set(results) == {5, 15} and all(t["page"] > 0 for t in results.values())
    out = capsys.readouterr().out
    assert "machine:" in out and "page" in out and "(×1.00, per section ×1.00)" in out
