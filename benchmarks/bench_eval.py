"""Benchmark: ``specwright eval`` overhead and throughput on Inspect AI.

1. Overhead per sample: our task (scenario messages, spec-grounded grader prompt, N grader
   samples, score metadata) against a bare Inspect task (``generate()`` + ``match()``) on the
   same mock model, both with logs written the same way. Median of repeats, ms per sample.
2. Throughput: our task against a scripted OpenAI-compatible server on 127.0.0.1 with a fixed
   latency (default 1 s) and ``--connections`` concurrent connections (default 50); the ideal
   request rate is connections ÷ latency. Target: ≥ 85% of the ideal.
3. Grader prompt tokens beside a whole-spec grader prompt (real spec when present).

    python benchmarks/bench_eval.py [--repeats 3] [--samples 200] [--latency 1.0]
        [--connections 50] [--requests 1000] [--skip-throughput]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scripted server lives with the tests

from inspect_ai import Task  # noqa: E402
from inspect_ai import eval as inspect_eval  # noqa: E402
from inspect_ai.dataset import MemoryDataset, Sample  # noqa: E402
from inspect_ai.model import GenerateConfig, ModelOutput, ModelUsage, get_model  # noqa: E402
from inspect_ai.scorer import match, model_graded_fact  # noqa: E402
from inspect_ai.solver import generate  # noqa: E402
from tests.eval._server import grade_json  # noqa: E402
from tests.eval.conftest import eval_spec, labelled  # noqa: E402

from specwright import Section, Spec  # noqa: E402
from specwright._eval._judge import GraderSettings  # noqa: E402
from specwright._eval._messages import scenario_messages  # noqa: E402
from specwright._eval._prompt import (  # noqa: E402
    estimate_tokens,
    grader_prompt,
    grader_system_prompt,
    transcript_tokens,
    whole_spec_prompt_tokens,
)
from specwright._eval._provider import resolve_model_name  # noqa: E402
from specwright._eval._scenarios import build_scenarios  # noqa: E402
from specwright._eval._task import compliance_task  # noqa: E402

REAL_SPEC = ROOT.parent / "shared/data/openai-model-spec/2025-12-18"
TARGET_SHARE = 0.85


def bench_spec(n: int) -> Spec:
    """The test spec's chain of command plus a section with ``n`` labelled examples."""
    base = eval_spec()
    many = Section(
        id="many",
        title="Many",
        depth=1,
        authority="user",
        blocks=tuple(labelled("many", i, f"comply {i}") for i in range(1, n + 1)),
    )
    return base.model_copy(update={"sections": (*base.sections, many)})


def _output(text: str) -> ModelOutput:
    out = ModelOutput.from_content(model="mockllm", content=text)
    out.usage = ModelUsage(input_tokens=20, output_tokens=10, total_tokens=30)
    return out


def _answer(*_: Any) -> ModelOutput:
    return _output("COMPLIED")


def _grade(*_: Any) -> ModelOutput:
    return _output(grade_json(True))


def _timed(task: Task, roles: dict[str, Any], samples: int) -> float:
    with tempfile.TemporaryDirectory() as log_dir:
        start = time.perf_counter()
        logs = inspect_eval(
            task,
            model=get_model("mockllm/model", custom_outputs=_answer),
            model_roles=roles,
            display="none",
            log_dir=log_dir,
        )
        elapsed = time.perf_counter() - start
    assert logs[0].status == "success", logs[0].error
    return elapsed / samples * 1000


def overhead(repeats: int, samples: int, grader_samples: int) -> dict[str, float]:
    """Median ms per sample: bare tasks and ours, on the same mock models.

    ``bare``: ``generate()`` + ``match()`` (one model call). ``graded``: ``generate()`` +
    Inspect's ``model_graded_fact`` (two calls). ``ours_1``: our task with one grader sample
    (two calls, comparable to ``graded``); ``ours``: with ``grader_samples``.
    """
    spec = bench_spec(samples)
    scenarios = [s for s in build_scenarios(spec) if s.section_id == "many"][:samples]
    dataset = MemoryDataset(
        [Sample(id=s.id, input=scenario_messages(s, spec), target="COMPLIED") for s in scenarios]
    )
    grader = get_model("mockllm/grader", custom_outputs=_grade)
    tasks = {
        "bare": (Task(dataset=dataset, solver=generate(), scorer=match()), {}),
        "graded": (
            Task(dataset=dataset, solver=generate(), scorer=model_graded_fact(model=grader)),
            {},
        ),
        "ours_1": (
            compliance_task(spec, scenarios, grader_settings=GraderSettings(samples=1)),
            {"grader": grader},
        ),
        "ours": (
            compliance_task(
                spec, scenarios, grader_settings=GraderSettings(samples=grader_samples)
            ),
            {"grader": grader},
        ),
    }
    _timed(tasks["bare"][0], {}, samples)  # warm-up: first-eval imports and registry loading
    times: dict[str, list[float]] = {name: [] for name in tasks}
    for _ in range(repeats):
        for name, (task, roles) in tasks.items():
            times[name].append(_timed(task, roles, samples))
    return {name: statistics.median(values) for name, values in times.items()}


def throughput(latency: float, connections: int, requests: int) -> dict[str, float]:
    """Requests per second of our task against the scripted server, and the ideal.

    The server runs in a process of its own so that it does not compete with the code under
    test for the interpreter lock.
    """
    samples = requests // 2  # one target request and one grader request per sample
    spec = bench_spec(samples)
    scenarios = [s for s in build_scenarios(spec) if s.section_id == "many"]
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/eval/_server.py"), str(latency)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    try:
        base_url = (server.stdout.readline() if server.stdout else "").strip()
        models = _server_models(base_url, connections)
        task = compliance_task(spec, scenarios, grader_settings=GraderSettings(samples=1))
        with tempfile.TemporaryDirectory() as log_dir:
            start = time.perf_counter()
            logs = inspect_eval(
                task,
                model=models["target"],
                model_roles={"grader": models["grader"]},
                display="none",
                log_dir=log_dir,
                max_samples=connections,
            )
            elapsed = time.perf_counter() - start
        counts = httpx.get(base_url.removesuffix("/v1") + "/count").json()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if logs[0].status != "success":
        raise SystemExit(f"throughput run failed: {logs[0].error.message if logs[0].error else ''}")
    # Samples run target then grader, so `connections` samples keep `connections` requests open.
    sent, window = counts["requests"], counts["window"]
    return {
        "rate": sent / elapsed,
        "window_rate": sent / window,
        "ideal": connections / latency,
        "elapsed": elapsed,
        "requests": sent,
    }


def _server_models(base_url: str, connections: int) -> dict[str, Any]:
    os.environ["BENCH_BASE_URL"] = base_url  # read by Inspect's provider, as a user would set it
    os.environ["BENCH_API_KEY"] = "bench"
    config = GenerateConfig(max_connections=connections, max_retries=0, timeout=60)
    return {
        role: get_model(
            resolve_model_name(f"openai-api/bench/{role}"), config=config, memoize=False
        )
        for role in ("target", "grader")
    }


def token_ratio() -> dict[str, float]:
    """Median and max grader prompt ÷ whole-spec prompt over the real (or test) spec."""
    if (REAL_SPEC / "model_spec.md").is_file():
        from specwright import read_spec

        spec, name = read_spec(REAL_SPEC), "OpenAI Model Spec 2025-12-18"
    else:
        spec, name = bench_spec(5), "test spec"
    whole = whole_spec_prompt_tokens(spec)
    ratios = []
    for s in build_scenarios(spec):
        transcript = [(m.role, m.text) for m in s.messages] + [("assistant", "An answer.")]
        prompt = grader_system_prompt() + grader_prompt(spec, s.section_id, s.anchors, transcript)
        ratios.append(estimate_tokens(prompt) / (whole + transcript_tokens(transcript)))
    print(f"spec: {name}, whole-spec grader prompt ≈ {whole} tokens + transcript")
    return {"median": statistics.median(ratios), "max": max(ratios), "n": len(ratios)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print results (JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--grader-samples", type=int, default=3)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"tokens": token_ratio()}
    results["overhead"] = overhead(args.repeats, args.samples, args.grader_samples)
    if not args.skip_throughput:
        results["throughput"] = throughput(args.latency, args.connections, args.requests)
    _report(results, args)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def _report(results: dict[str, Any], args: argparse.Namespace) -> None:
    t = results["tokens"]
    print(
        f"grader prompt / whole-spec prompt: median {t['median']:.1%}, max {t['max']:.1%} "
        f"over {t['n']} scenarios (target ≤ 10%)"
    )
    o = results["overhead"]
    print(f"per sample, median of {args.repeats} × {args.samples} samples on mockllm:")
    print(f"  bare Inspect task (generate + match, 1 call)       {o['bare']:7.2f} ms")
    print(f"  Inspect model_graded_fact (2 calls)                {o['graded']:7.2f} ms")
    print(
        f"  specwright, 1 grader sample (2 calls)              {o['ours_1']:7.2f} ms "
        f"({o['ours_1'] / o['graded']:.2f}× model_graded_fact)"
    )
    print(
        f"  specwright, {args.grader_samples} grader samples ({args.grader_samples + 1} calls)"
        f"             {o['ours']:7.2f} ms ({o['ours'] / o['bare']:.2f}× bare, "
        f"+{o['ours'] - o['bare']:.2f} ms)"
    )
    if "throughput" in results:
        r = results["throughput"]
        print(
            f"throughput at {args.latency:g} s latency, {args.connections} connections: "
            f"{r['rate']:.1f} req/s vs ideal {r['ideal']:.1f} req/s = {r['rate'] / r['ideal']:.1%} "
            f"({r['requests']} requests in {r['elapsed']:.1f} s; target ≥ {TARGET_SHARE:.0%})"
        )


if __name__ == "__main__":
    sys.exit(main())
