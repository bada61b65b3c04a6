"""Benchmark: read the real Model Spec plus its eval prompt files with ``read_spec``.

Prints the median of N repeats beside baselines measured in the same run — raw reading of all
files, and a plain ``markdown_it.MarkdownIt().parse`` of all files — and the ratios.
Target: the full read under 50 ms.

    python benchmarks/bench_read.py [--repeats 20] [--spec DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

from specwright import example_spec_path, read_spec

REAL_SPEC = Path(__file__).resolve().parents[1].parent / (
    "shared/data/openai-model-spec/2025-12-18"
)
TARGET_MS = 50.0


def _files(root: Path) -> list[Path]:
    return [root / "model_spec.md", *sorted((root / "examples").glob("*.md"))]


def _median_ms(func: Callable[[], object], repeats: int) -> float:
    func()  # warm up: imports, regex compilation, file cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(spec_dir: Path, repeats: int) -> dict[str, float]:
    """Median milliseconds per task, measured in this process."""
    files = _files(spec_dir)
    parser = MarkdownIt()

    def raw() -> object:
        return [path.read_text(encoding="utf-8") for path in files]

    def markdown_it() -> object:
        return [parser.parse(path.read_text(encoding="utf-8")) for path in files]

    def specwright() -> object:
        return read_spec(spec_dir)

    return {
        "raw read": _median_ms(raw, repeats),
        "markdown-it parse": _median_ms(markdown_it, repeats),
        "specwright read_spec": _median_ms(specwright, repeats),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table; exit 1 when the read misses the target."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--repeats", type=int, default=20)
    options.add_argument("--spec", type=Path, default=None, help="spec directory")
    args = options.parse_args(argv)
    spec_dir = args.spec or (REAL_SPEC if REAL_SPEC.is_dir() else example_spec_path())
    spec = read_spec(spec_dir)
    files = _files(spec_dir)
    print(f"spec: {spec_dir} ({len(files)} files, {len(spec.eval_prompts)} eval prompts)")
    print(f"median of {args.repeats} repeats")
    results = run(spec_dir, args.repeats)
    ours = results["specwright read_spec"]
    for name, ms in results.items():
        print(f"  {name:<22} {ms:8.2f} ms   read_spec / this = {ours / ms:6.2f}x")
    verdict = "ok" if ours < TARGET_MS else "MISSED"
    print(f"target: read_spec under {TARGET_MS:.0f} ms: {verdict}")
    return 0 if ours < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
