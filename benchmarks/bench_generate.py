"""Benchmark: scenario generation throughput and near-duplicate detection quality.

1. Throughput: ``specwright generate``'s request loop (the OpenAI SDK, a semaphore, strict
   parsing, provenance, resolve() for authority conflicts, dedupe) against a scripted generator
   in its own process on 127.0.0.1 with a fixed latency (default 1 s). The ideal is
   ``ceil(requests / concurrency) × latency`` seconds; a bare SDK loop against the same server
   (no parsing, no records) is measured in the same run as the baseline. Target: ≥ 85% of ideal.
2. Dedupe: a synthetic set with known near-duplicate groups (case, punctuation, a typo, one or
   two words swapped, a phrase added); precision and recall of the MinHash/LSH deduper.
   Target: both ≥ 0.95.

    python benchmarks/bench_generate.py [--latency 1.0] [--concurrency 16] [--requests 160]
        [--groups 400] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from specwright import load_example_spec, read_spec  # noqa: E402
from specwright._cli.generate import freeze_heap  # noqa: E402
from specwright._generate._client import (  # noqa: E402
    Endpoint,
    GeneratorClient,
    GeneratorSettings,
)
from specwright._generate._dedupe import Deduper  # noqa: E402
from specwright._generate._generation import ALL_KINDS, generate, plan_requests  # noqa: E402
from specwright._generate._kinds import Request  # noqa: E402
from specwright._model import Spec  # noqa: E402

TARGET_SHARE = 0.85
TARGET_QUALITY = 0.95
REAL_SPEC = ROOT.parent / "shared" / "data" / "openai-model-spec" / "2025-12-18"


def machine() -> str:
    """The machine the figures were measured on, printed beside them."""
    cpus = os.cpu_count() or 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()} {platform.system()} Python {platform.python_version()}, "
        f"{cpus} CPUs, load average {load:.1f} (shared with other work: figures are under "
        "contention)"
    )


def _spec() -> Spec:
    return read_spec(REAL_SPEC) if (REAL_SPEC / "model_spec.md").is_file() else load_example_spec()


def _requests(spec: Spec, count: int) -> list[Request]:
    planned = plan_requests(spec, sections=None, kinds=ALL_KINDS, per_section=3, seed=0)
    # Cycle the plan to the wanted count, each copy with a seed of its own.
    return [planned[i % len(planned)].model_copy(update={"seed": i}) for i in range(count)]


def _server(latency: float) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.generate._scripted", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"},
    )
    base_url = (server.stdout.readline() if server.stdout else "").strip()
    if not base_url:
        raise SystemExit("scripted generator did not start")
    return server, base_url


async def _bare(base_url: str, requests: list[Request], concurrency: int) -> tuple[float, float]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0)
    gate = asyncio.Semaphore(concurrency)

    async def one(request: Request) -> None:
        async with gate:
            await client.chat.completions.create(
                model="g",
                messages=[{"role": "user", "content": request.prompt}],
                seed=request.seed,
            )

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(r) for r in requests))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    await client.close()
    return elapsed, cpu


async def _ours(base_url: str, spec: Spec, requests: list[Request], concurrency: int) -> Any:
    endpoint = Endpoint(name="openai-api/bench/g", model="g", base_url=base_url, api_key="b")
    settings = GeneratorSettings(max_concurrency=concurrency, max_retries=0, timeout=60)
    client = GeneratorClient(endpoint, settings)
    start, cpu = time.perf_counter(), time.process_time()
    result = await generate(spec, requests=requests, client=client)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    await client.close()
    return elapsed, cpu, result


def throughput(latency: float, concurrency: int, count: int) -> dict[str, Any]:
    """Ours and a bare SDK loop against the same scripted generator, beside the ideal."""
    spec = _spec()
    requests = _requests(spec, count)
    server, base_url = _server(latency)
    freeze_heap()  # as the command does before its first request
    try:
        bare, bare_cpu = asyncio.run(_bare(base_url, requests, concurrency))
        ours, ours_cpu, result = asyncio.run(_ours(base_url, spec, requests, concurrency))
    finally:
        server.terminate()
        server.wait(timeout=10)
    ideal = math.ceil(count / concurrency) * latency
    bad = sum(sum(s.bad.values()) for s in result.sections.values())
    return {
        "spec": spec.title,
        "requests": count,
        "records": len(result.records),
        "bad_output": bad,
        "ideal_s": ideal,
        "bare_s": bare,
        "ours_s": ours,
        "ideal_rate": count / ideal,
        "ours_rate": count / ours,
        "share_of_ideal": ideal / ours,
        "share_of_bare": bare / ours,
        # Client CPU per request: the figure contention does not inflate much; one idle core
        # sustains 1000 / ms_cpu requests per second (an estimate, not a measurement).
        "bare_cpu_ms": 1000 * bare_cpu / count,
        "ours_cpu_ms": 1000 * ours_cpu / count,
    }


# --------------------------------------------------------------------------- dedupe quality

_SYLLABLES = tuple("ka lo mi re su ta ne vo pi da ru sel mar tin gor bel fa zu qui wen".split(" "))  # noqa: SIM905
_PHRASES = ["please", "thanks a lot", "as soon as you can", "if possible", "for my team"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))


def _variant(text: str, rng: random.Random) -> str:
    """A near-duplicate: one of the edits people and generators make to the same request."""
    words = text.split()
    edit = rng.choice(["case", "punct", "typo", "swap1", "swap2", "phrase"])
    if edit == "case":
        return text.upper() if rng.random() < 0.5 else text.capitalize()
    if edit == "punct":
        return text.replace(" ", ", ", 1) + "?!"
    if edit == "typo":
        i = rng.randrange(len(text) - 1)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if edit == "phrase":
        return f"{text} {rng.choice(_PHRASES)}"
    for _ in range(1 if edit == "swap1" else 2):
        words[rng.randrange(len(words))] = _word(rng)
    return " ".join(words)


def synthetic_set(groups: int, seed: int = 7) -> list[tuple[int, str]]:
    """``(group, text)`` pairs: one original per group plus 0–3 near-duplicates, shuffled."""
    rng = random.Random(seed)
    items: list[tuple[int, str]] = []
    for group in range(groups):
        base = " ".join(_word(rng) for _ in range(rng.randint(14, 22)))
        items.append((group, base))
        items += [(group, _variant(base, rng)) for _ in range(rng.randint(0, 3))]
    rng.shuffle(items)
    return items


def dedupe_quality(groups: int) -> dict[str, float]:
    """Precision and recall of the deduper's "duplicate of" calls on the synthetic set."""
    items = synthetic_set(groups)
    deduper = Deduper()
    group_of: dict[str, int] = {}
    seen_groups: set[int] = set()
    true_pos = false_pos = false_neg = 0
    start = time.perf_counter()
    for index, (group, text) in enumerate(items):
        key = str(index)
        hit = deduper.seen(key, text)
        is_dup = group in seen_groups
        if hit is None:
            group_of[key] = group
            seen_groups.add(group)
            false_neg += is_dup
        elif group_of[hit] == group:
            true_pos += 1
        else:  # flagged as the copy of a scenario from another group
            false_pos += 1
            false_neg += is_dup
    elapsed = time.perf_counter() - start
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    return {
        "items": len(items),
        "duplicates": true_pos + false_neg,
        "precision": precision,
        "recall": recall,
        "ms_per_item": 1000 * elapsed / len(items),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=16)  # the command's default
    parser.add_argument("--requests", type=int, default=160)
    parser.add_argument("--groups", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"machine": machine()}
    results["throughput"] = throughput(args.latency, args.concurrency, args.requests)
    results["dedupe"] = dedupe_quality(args.groups)
    _report(results, args)
    if args.json:
        print(json.dumps(results, indent=2))
    t, d = results["throughput"], results["dedupe"]
    met = t["share_of_ideal"] >= TARGET_SHARE and min(d["precision"], d["recall"]) >= TARGET_QUALITY
    return 0 if met else 1


def _report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"machine: {results['machine']}")
    t = results["throughput"]
    print(
        f"generation on {t['spec']!r}: {t['requests']} requests at {args.latency:g} s latency, "
        f"{args.concurrency} in flight → {t['records']} records, {t['bad_output']} bad"
    )
    print(
        f"  ours {t['ours_s']:.2f} s ({t['ours_rate']:.1f} req/s) vs ideal {t['ideal_s']:.2f} s "
        f"({t['ideal_rate']:.1f} req/s) = {t['share_of_ideal']:.1%} of ideal "
        f"(target ≥ {TARGET_SHARE:.0%}); bare SDK loop {t['bare_s']:.2f} s "
        f"= ours at {t['share_of_bare']:.1%} of bare"
    )
    print(
        f"  client CPU per request: ours {t['ours_cpu_ms']:.1f} ms, "
        f"bare SDK {t['bare_cpu_ms']:.1f} ms (estimate: one idle core sustains "
        f"~{1000 / t['ours_cpu_ms']:.0f} req/s of ours)"
    )
    d = results["dedupe"]
    print(
        f"dedupe on {d['items']} synthetic scenarios ({d['duplicates']} known near-duplicates): "
        f"precision {d['precision']:.3f}, recall {d['recall']:.3f} (targets ≥ {TARGET_QUALITY}), "
        f"{d['ms_per_item']:.2f} ms per scenario"
    )


if __name__ == "__main__":
    sys.exit(main())
