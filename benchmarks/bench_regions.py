"""Benchmark: the quoted-material scanner (``_regions.data_regions``) costs time linear in the
text, for every form it reads.

For each form, a text of 1, 2, 4 … MB made of one repeated line is split into regions; the
benchmark prints CPU seconds per MB and the ratio of each size's per-MB cost to the 1 MB
baseline measured in the same run (flat within 2x means linear). The machine is printed
beside the absolute figures. Before issue 23 the block-quote scanner (markdown-it) cost
3.4 s per MB of ``> x`` lines on the shared 2-core development machine.

    python benchmarks/bench_regions.py [--max-mb 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from specwright._chain._regions import data_regions

LINES = {
    "block quote": "> x\n",
    "fence lines": "```\n",
    "yaml": 'key: "value"\n',
    "json lines": '{"a": "b"}\n',
    "xml": "<b>x</b>\n",
    "quotation marks": '"q" ',
    "untrusted tags": "<untrusted>x</untrusted>\n",
    "plain prose": "Never refund without a manager.\n",
}


def _cpu(text: str) -> float:
    start = time.process_time()
    data_regions(text)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=int, default=8)
    args = parser.parse_args()
    sizes = [1 << k for k in range(args.max_mb.bit_length()) if 1 << k <= args.max_mb]
    print(f"machine: {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()}")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(f"{'form':<16}" + "".join(f"{f'{mb} MB s/MB':>14}" for mb in sizes) + "   worst ratio")
    for name, line in LINES.items():
        per_mb = []
        for mb in sizes:
            text = line * (mb * 1_000_000 // len(line))
            per_mb.append(min(_cpu(text) for _ in range(2)) / mb)
        base = max(per_mb[0], 1e-4)
        worst = max(cost / base for cost in per_mb)
        print(f"{name:<16}" + "".join(f"{cost:>14.3f}" for cost in per_mb) + f"   {worst:.2f}x")


if __name__ == "__main__":
    main()
