"""Benchmark: compose a company overlay on the real Model Spec, and diff two spec versions.

Prints medians of N repeats beside ``read_spec`` of the base measured in the same run, and
the ratios. Targets: composing and diffing each under 100 ms. Without the real spec (a fresh
clone has no ``../shared``) the real-spec part is skipped with a line, and the bundled example
spec is measured with the overlay ``specwright init`` writes.

    python benchmarks/bench_compose.py [--repeats 20] [--spec DIR]

- ``compose (in memory)``: the overlay composed on an already-read base (the rules, the
  tree rebuild, provenance, the layer hashes).
- ``read_spec(layered overlay)``: what every command pays for a layered spec: read the base
  and the overlay from disk, then compose.
- ``diff_specs``: the base against a copy with an authority change, a relabelled answer
  and changed text (both already read).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from specwright import diff_specs, example_spec_path, read_spec
from specwright._layers._compose import compose_layer
from specwright._layers._scaffold import scaffold_overlay
from specwright._reader._spec import read_layer

ROOT = Path(__file__).resolve().parents[1]
REAL_SPEC = ROOT.parent / "shared/data/openai-model-spec/2025-12-18"
OVERLAY = ROOT / "tests/company/data/northwind"
TARGET_MS = 100.0


def _median_ms(func: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds (CPU time is what a loaded machine distorts least)."""
    func()  # warm up: imports, regex compilation, file cache
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _overlay(spec_dir: Path, scratch: Path) -> Path:
    """The sample overlay when ``spec_dir`` has the sections it names, else ``init``'s."""
    _, header = read_layer(OVERLAY)
    base = read_spec(spec_dir)
    assert header is not None
    if all(base.get(named.id) is not None for named in (*header.overrides, *header.disables)):
        return OVERLAY
    scaffold = scaffold_overlay("Acme", base, str(spec_dir.resolve()))
    target = scratch / "scaffold"
    for relative, text in scaffold.files.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    return target


def _workspace(spec_dir: Path, scratch: Path, overlay: Path) -> tuple[Path, Path]:
    """A layered copy of ``overlay`` extending ``spec_dir``, and an edited base copy."""
    layered = scratch / "overlay"
    shutil.copytree(overlay, layered)
    text = (layered / "model_spec.md").read_text(encoding="utf-8")
    text = "".join(line for line in text.splitlines(keepends=True) if "extends:" not in line)
    pin = f"extends: {spec_dir.resolve()}\n"
    (layered / "model_spec.md").write_text(text.replace("ceiling:", pin + "ceiling:", 1), "utf-8")
    edited = scratch / "edited"
    shutil.copytree(spec_dir, edited)
    body = (edited / "model_spec.md").read_text(encoding="utf-8")
    body = body.replace("authority=guideline}", "authority=user}", 1)
    body = body.replace("<!-- GOOD -->", "<!-- BAD -->", 1)
    body = body.replace(" the ", " a ", 3)
    (edited / "model_spec.md").write_text(body, encoding="utf-8")
    return layered, edited


def run(spec_dir: Path, repeats: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) milliseconds per task, measured in this process."""
    with tempfile.TemporaryDirectory() as scratch:
        overlay = _overlay(spec_dir, Path(scratch))
        print(f"overlay: {'the sample overlay' if overlay == OVERLAY else 'init scaffold'}")
        layered, edited = _workspace(spec_dir, Path(scratch), overlay)
        base = read_spec(spec_dir)
        layer, header = read_layer(layered)
        assert header is not None
        new = read_spec(edited)
        return {
            "read_spec(base)": _median_ms(lambda: read_spec(spec_dir), repeats),
            "compose (in memory)": _median_ms(lambda: compose_layer(base, layer, header), repeats),
            "read_spec(layered overlay)": _median_ms(lambda: read_spec(layered), repeats),
            "diff_specs": _median_ms(lambda: diff_specs(base, new), repeats),
        }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table; exit 1 when compose or diff misses the target."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--repeats", type=int, default=20)
    options.add_argument("--spec", type=Path, default=None, help="base spec directory")
    args = options.parse_args(argv)
    real = (REAL_SPEC / "model_spec.md").is_file()
    if args.spec is None and not real:
        print(f"real spec: skipped ({REAL_SPEC} not found); measuring the bundled example spec")
    spec_dir = args.spec or (REAL_SPEC if real else example_spec_path())
    print(f"base: {spec_dir}")
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}; median of {args.repeats} repeats"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} (figures grow with it; the ratios less so)")
    results = run(spec_dir, args.repeats)
    baseline = results["read_spec(base)"][0]
    for name, (wall, cpu) in results.items():
        ratio = wall / baseline
        print(f"  {name:<28} {wall:8.2f} ms wall {cpu:8.2f} ms CPU   / read_spec = {ratio:5.2f}x")
    worst = max(results["compose (in memory)"][1], results["diff_specs"][1])
    verdict = "ok" if worst < TARGET_MS else "MISSED"
    print(f"target: compose and diff each under {TARGET_MS:.0f} ms of CPU time: {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
