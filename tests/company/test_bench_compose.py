"""Smoke test: the compose/diff benchmark runs (one repeat, on the shipped example spec)."""

from __future__ import annotations

import pytest

from tests._benchmarks import load_benchmark


def test_bench_compose_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_benchmark("bench_compose")
    # The sample overlay overrides and disables sections of the real spec: on the example
    # spec it is refused, so the smoke test composes on the real spec when it is present.
    real = module.REAL_SPEC
    if not real.is_dir():
        pytest.skip("the sample overlay needs the real OpenAI Model Spec as its base")
    code = module.main(["--repeats", "1", "--spec", str(real)])
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1 only when a loaded machine misses the target
    for name in ("read_spec(base)", "compose (in memory)", "diff_specs", "target"):
        assert name in out
