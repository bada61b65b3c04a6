"""Benchmark the studio on runs of growing size: index once, then page with SQL.

Run: ``python benchmarks/bench_studio.py [--sizes 1000,10000,100000] [--repeats 5]``. For each
size it indexes a synthetic run into a fresh SQLite results store, then times real requests
to the app (Starlette's TestClient, rendering included): the first page, a filtered page
(non-compliant), the last page (keyset paging: ``position > ?``) and one sample's page. The
baseline is the same request on the smallest run, measured in the same process; a ratio near
1 means the page cost does not grow with the run (the target: first page under 1 s at
100,000 samples).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from starlette.testclient import TestClient

from specwright._results import Rate, RunResult, SampleResult, TranscriptMessage
from specwright._studio._app import Studio, create_app
from specwright._studio._index import StudioIndex

_OPS = ("first page", "non-compliant", "last page", "one sample")


def synthetic_run(size: int) -> RunResult:
    """A run of ``size`` samples over 50 sections, a third of them non-compliant."""
    samples = tuple(
        SampleResult(
            scenario_id=f"s{i % 50}/example-{i}", kind="example", section_id=f"s{i % 50}",
            section_title=f"Section {i % 50}", compliant=None if i % 97 == 0 else i % 3 != 0,
            score=5.0, rationale="The answer follows the section.",
            transcript=(
                TranscriptMessage(role="user", content="A question <b>with</b> markup."),
                TranscriptMessage(role="assistant", content="An answer & more."),
            ),
        )
        for i in range(size)
    )  # fmt: skip
    rate = Rate(rate=0.66, ci_low=0.64, ci_high=0.68, n=size)
    return RunResult(
        run_id=f"run-{size}", model="bench/model", spec_hash="h" * 64,
        created=datetime(2025, 1, 1, tzinfo=UTC), samples=samples, overall=rate, n_scored=size,
    )  # fmt: skip


def _median(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: int, repeats: int, directory: Path) -> tuple[float, dict[str, float]]:
    """Seconds to index a run of ``size`` samples, and each page's median seconds."""
    run = synthetic_run(size)
    index = StudioIndex(f"sqlite:///{directory / f'studio-{size}.sqlite'}")
    start = time.perf_counter()
    index.index_run(run)
    indexed = time.perf_counter() - start
    client = TestClient(create_app(Studio(index=index)), base_url="http://127.0.0.1:8765")
    last = index.page(run.run_id, "all", after=size - 30).rows[0].position - 1
    middle = size // 2
    paths = {
        "first page": f"/runs/{run.run_id}",
        "non-compliant": f"/runs/{run.run_id}?filter=non-compliant",
        "last page": f"/runs/{run.run_id}?after={last}",
        "one sample": f"/runs/{run.run_id}/sample?scenario=s{middle % 50}/example-{middle}&epoch=1",
    }
    timings = {}
    for name, path in paths.items():
        assert client.get(path).status_code == 200, path  # warm once, and check it answers
        timings[name] = _median(lambda p=path: client.get(p), repeats)  # type: ignore[misc]
    index.close()
    return indexed, timings


def main(argv: list[str] | None = None) -> dict[int, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {platform.machine()} {platform.processor() or ''}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            indexed, timings = measure(size, args.repeats, Path(tmp))
            results[size] = timings
            per_sample = indexed / size * 1e6
            print(f"{size:>7} samples: indexed in {indexed:.2f} s ({per_sample:.0f} µs/sample)")
    base = results[sizes[0]]
    for size in sizes:
        cells = "  ".join(
            f"{op} {results[size][op] * 1000:7.1f} ms (×{results[size][op] / base[op]:.2f})"
            for op in _OPS
        )
        print(f"{size:>7}: {cells}")
    print(f"ratios against the same request on the {sizes[0]}-sample run, measured in this run")
    return results


if __name__ == "__main__":
    main()
