"""Benchmark: the share of one-character slips in headings that the reader or lint catches.

Every heading of the spec is mutated by one deletion, insertion or substitution of a
structural character (see ``tests/reader/typo_mutants.py`` for the definition), the mutated
spec is read and linted, and the mutant counts as caught when reading fails or lint reports a
finding the original did not have. Mutants that read exactly as the original are harmless and
left out of the share. Target: at least 95% caught.

    python benchmarks/bench_typos.py [--spec DIR] [--every N]

``--spec`` defaults to the real Model Spec at ``../shared/data/openai-model-spec/2025-12-18``
(the bundled example spec is measured too, and alone when the real spec is absent); ``--every
N`` keeps every N-th mutant of the real spec for a quicker estimate.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reader.typo_mutants import TypoTally, measure  # noqa: E402

from specwright import example_spec_path  # noqa: E402

REAL_SPEC = ROOT.parent / "shared/data/openai-model-spec/2025-12-18"
TARGET = 0.95


def _measure_dir(directory: Path, every: int) -> tuple[TypoTally, float]:
    spec_file = directory / "model_spec.md"
    evals = {p.stem: p.read_text("utf-8") for p in sorted((directory / "examples").glob("*.md"))}
    start = time.process_time()
    tally = measure(spec_file.read_text("utf-8"), evals, file=str(spec_file), every=every)
    return tally, time.process_time() - start


def _report(name: str, tally: TypoTally, cpu: float) -> bool:
    total = tally.caught + tally.missed
    print(
        f"{name}: {tally.caught} of {total} mutants caught ({tally.share:.1%}); "
        f"{tally.harmless} harmless; {cpu:.0f} s CPU"
    )
    print(f"  missed by kind: {dict(tally.by_kind) or 'none'}")
    for example in tally.missed_examples[:8]:
        print(f"  missed: line {example}")
    return tally.share >= TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REAL_SPEC)
    parser.add_argument("--every", type=int, default=1)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    ok = _report("example spec", *_measure_dir(example_spec_path(), 1))
    if not (args.spec / "model_spec.md").is_file():
        print(f"real spec: skipped ({args.spec} holds no model_spec.md)")
    else:
        ok = _report(f"real spec (every {args.every})", *_measure_dir(args.spec, args.every)) and ok
    print(f"target {TARGET:.0%}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
