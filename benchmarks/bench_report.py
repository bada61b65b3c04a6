"""Benchmark the report renderers, the diff and the results store on a large synthetic run.

Run: ``python benchmarks/bench_report.py [--repeats N]``. Prints the median time of each
operation beside a baseline measured in the same process (pydantic's ``model_dump_json`` of
the same run: the cost of merely serialising the data) and the ratio to it.
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

from specwright import ResultsStore, Section, Spec, diff_runs, render_report
from specwright._model import Prose
from specwright._results import Rate, RunResult, SampleResult, TranscriptMessage

SECTIONS = 50
SAMPLES_PER_SECTION = 40


def _run(run_id: str, flip: int) -> RunResult:
    samples = [
        SampleResult(
            scenario_id=f"s{s}/example-{i}", kind="example", section_id=f"s{s}",
            section_title=f"Section {s}", authority="user", compliant=(i + flip) % 3 != 0,
            score=5.0, rationale="The answer follows the section. " * 5,
            cited_sections=(f"s{s}",),
            transcript=(
                TranscriptMessage(role="user", content="A question <b>with</b> markup. " * 10),
                TranscriptMessage(role="assistant", content="An answer & more. " * 20),
            ),
        )
        for s in range(SECTIONS)
        for i in range(SAMPLES_PER_SECTION)
    ]  # fmt: skip
    rate = Rate(rate=0.66, ci_low=0.5, ci_high=0.8, n=SAMPLES_PER_SECTION)
    return RunResult(
        run_id=run_id, model=f"model-{run_id}", spec_hash="h" * 64,
        created=datetime(2025, 1, 1, tzinfo=UTC), samples=tuple(samples),
        overall=Rate(rate=0.66, ci_low=0.64, ci_high=0.68, n=len(samples)),
        by_section={f"s{s}": rate for s in range(SECTIONS)}, by_authority={"user": rate},
        n_scored=len(samples),
    )  # fmt: skip


def _spec() -> Spec:
    """A spec over the benchmark's sections: ten parts, markdown prose with cross references."""
    prose = (
        "A rule with **emphasis**, a [link](https://example.com) and [?](#s{ref}).\n\n"
        "- one --- item\n- another `code` item[^s{ref}]\n\n" + "More words here. " * 40
    )
    parts = [
        Section(
            id=f"part{p}",
            title=f"Part {p}",
            depth=1,
            children=tuple(
                Section(id=f"s{s}", title=f"Section {s}", depth=2,
                        blocks=(Prose(markdown=prose.format(ref=(s + 1) % SECTIONS)),))
                for s in range(SECTIONS) if s % 10 == p
            ),
        )
        for p in range(10)
    ]  # fmt: skip
    return Spec(title="Bench", sections=tuple(parts))


def _median(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeats: int = 5) -> None:
    """Time every operation and print a table."""
    a, b = _run("a", 0), _run("b", 1)
    spec = _spec()
    tmp = Path(tempfile.mkdtemp())
    counter = iter(range(10**9))
    with ResultsStore(f"sqlite:///{tmp / 'bench.sqlite'}") as store:
        store.add(a)
        cases: dict[str, Callable[[], object]] = {
            "baseline: model_dump_json (1 run)": a.model_dump_json,
            "render html (2 runs)": lambda: render_report([a, b], "html"),
            "render html with spec (2 runs)": lambda: render_report([a, b], "html", spec=spec),
            "render html diff with spec": lambda: render_report([b], "html", spec=spec, baseline=a),
            "render markdown (2 runs)": lambda: render_report([a, b], "markdown"),
            "render json (2 runs)": lambda: render_report([a, b], "json"),
            "diff_runs": lambda: diff_runs(a, b),
            "store.add (new run)": lambda: store.add(
                a.model_copy(update={"run_id": f"r{next(counter)}"})
            ),
            "store.section_history": lambda: store.section_history("s7"),
        }
        results = {name: _median(fn, repeats) for name, fn in cases.items()}
    base = results["baseline: model_dump_json (1 run)"]
    n = SECTIONS * SAMPLES_PER_SECTION
    print(f"{SECTIONS} sections x {SAMPLES_PER_SECTION} samples = {n} samples per run, "
          f"median of {repeats}; {platform.machine()} {platform.processor() or ''} "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")  # fmt: skip
    for name, seconds in results.items():
        print(f"{name:38} {seconds * 1000:9.2f} ms   x{seconds / base:6.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    main(parser.parse_args().repeats)
