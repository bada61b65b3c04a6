"""Benchmark: adapting a Chat Completions body to a profile costs time linear in its size.

Bodies of 10, 100 and 1,000 messages (system, developer, user part lists, assistant tool
calls with ``content: null``, tool results) are adapted for the ``llama-cpp`` profile (every
adaptation applies) and, as the baseline measured in the same run, serialised with
``json.dumps``. Prints the CPU-time p50 of each, the ratio to the baseline, and µs per message:
linear cost keeps µs per message flat as the body grows.

    python benchmarks/bench_adapt.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from specwright._llm import PROFILES, adapt_body

CALL = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}


def body(n: int) -> dict[str, Any]:
    """A body of ``n`` messages in every shape the adaptation changes."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "Be brief."}]
    for i in range(n - 1):
        shape = i % 4
        if shape == 0:
            messages.append({"role": "developer", "content": f"Rule {i}."})
        elif shape == 1:
            parts = [{"type": "text", "text": f"part {i}"}, {"type": "text", "text": "more"}]
            messages.append({"role": "user", "content": parts})
        elif shape == 2:
            messages.append({"role": "assistant", "content": None, "tool_calls": [CALL]})
        else:
            messages.append({"role": "tool", "tool_call_id": "c1", "content": f"result {i}"})
    return {"model": "m", "messages": messages, "response_format": {"type": "json_schema",
            "json_schema": {"name": "a", "schema": {"type": "object"}}}}  # fmt: skip


def p50_us(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    profile = PROFILES["llama-cpp"]
    print(f"{'messages':>8} {'adapt µs':>10} {'json.dumps µs':>14} {'ratio':>6} {'µs/message':>11}")
    for n in (10, 100, 1000):
        data = body(n)
        adapt = p50_us(lambda data=data: adapt_body(data, profile), args.repeats)  # type: ignore[misc]
        dumps = p50_us(lambda data=data: json.dumps(data), args.repeats)  # type: ignore[misc]
        print(f"{n:>8} {adapt:>10.0f} {dumps:>14.0f} {adapt / dumps:>6.2f} {adapt / n:>11.2f}")


if __name__ == "__main__":
    main()
