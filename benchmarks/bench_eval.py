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
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scripted server lives with the tests

from inspect_ai import Task  # noqa: E402
from inspect_ai import eval as inspect_eval  # noqa: E402
from inspect_ai.dataset import MemoryDataset, Sample  # noqa: E402
from inspect_ai.model import GenerateConfig, ModelOutput, ModelUsage, get_model  # noqa: E402
from inspect_ai.scorer import match  # noqa: E402
from inspect_ai.solver import generate  # noqa: E402
from tests.eval._server import grade_json, is_grader_request, scripted_server  # noqa: E402
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
    """Median ms per sample: a bare task and ours, on the same mock model."""
    spec = bench_spec(samples)
    scenarios = [s for s in build_scenarios(spec) if s.section_id == "many"][:samples]
    bare = Task(
        dataset=MemoryDataset(
            [
                Sample(id=s.id, input=scenario_messages(s, spec), target="COMPLIED")
                for s in scenarios
            ]
        ),
        solver=generate(),
        scorer=match(),
    )
    grader = {"grader": get_model("mockllm/grader", custom_outputs=_grade)}
    settings = GraderSettings(samples=grader_samples)
    bare_ms, ours_ms = [], []
    _timed(bare, {}, samples)  # warm-up: first-eval imports and registry loading
    for _ in range(repeats):
        bare_ms.append(_timed(bare, {}, samples))
        ours = compliance_task(spec, scenarios, grader_settings=settings)
        ours_ms.append(_timed(ours, grader, samples))
    return {"bare": statistics.median(bare_ms), "ours": statistics.median(ours_ms)}


def throughput(latency: float, connections: int, requests: int) -> dict[str, float]:
    """Requests per second of our task against the scripted server, and the ideal."""
    samples = requests // 2  # one target request and one grader request per sample
    spec = bench_spec(samples)
    scenarios = [s for s in build_scenarios(spec) if s.section_id == "many"]

    def respond(body: dict[str, Any]) -> str:
        return grade_json(True) if is_grader_request(body) else "COMPLIED"

    with scripted_server(respond, latency=latency) as server, tempfile.TemporaryDirectory() as d:
        env_model = _server_models(server.base_url, connections)
        start = time.perf_counter()
        logs = inspect_eval(
            compliance_task(spec, scenarios, grader_settings=GraderSettings(samples=1)),
            model=env_model["target"],
            model_roles={"grader": env_model["grader"]},
            display="none",
            log_dir=d,
            max_samples=connections,
        )
        elapsed = time.perf_counter() - start
        sent = len(server.requests)
    assert logs[0].status == "success", logs[0].error
    # Samples run target then grader, so `connections` samples keep `connections` requests open.
    ideal = connections / latency
    return {"rate": sent / elapsed, "ideal": ideal, "elapsed": elapsed, "requests": sent}


def _server_models(base_url: str, connections: int) -> dict[str, Any]:
    import os

    os.environ["BENCH_BASE_URL"] = base_url  # read by Inspect's provider, as a user would set it
    os.environ["BENCH_API_KEY"] = "bench"
    config = GenerateConfig(max_connections=connections, max_retries=0, timeout=60)
    return {
        role: get_model(resolve_model_name(f"openai-api/bench/{role}"), config=config)
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
    print(
        f"per sample, median of {args.repeats} × {args.samples} samples on mockllm: "
        f"bare Inspect task {o['bare']:.2f} ms, specwright task ({args.grader_samples} grader "
        f"samples) {o['ours']:.2f} ms, ratio {o['ours'] / o['bare']:.2f}×, "
        f"overhead {o['ours'] - o['bare']:.2f} ms"
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
