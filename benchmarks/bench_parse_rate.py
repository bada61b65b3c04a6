"""Benchmark: how often a real small model's structured replies parse, free text vs constrained.

Runs a GGUF model in process (default: the bundled SmolLM2-135M-Instruct of the ``local``
extra; one thread, OpenMP's passive wait) on the prompts specwright really sends, built from
the bundled example spec, and reads each reply with specwright's own parser:

- verdicts: the judge's prompt for every labelled answer of the spec (``parse_grade``);
- drafts: the generator's prompt for one kind per section (``envelope`` + ``parse_item``: a
  reply counts when at least one scenario in it is usable);
- revisions: ``propose``'s prompt per section, with the section's labelled answers as evidence
  (``read_answer``).

Each prompt is sent twice with the same seed: as free text (the shape described in the prompt
only) and constrained (the JSON Schema the stage asks for, as the ``gguf/`` provider sends it:
free strings and arrays bounded, then a grammar; the reply re-encoded as strict JSON).
"usable" is what the stage's own parser accepts (a draft must also end with a user message, a
verdict's score lie in 1-7); "JSON" counts replies that are one JSON object at all. A reply cut
at ``max_tokens`` is unusable either way. Target: >= 95% of verdicts usable when constrained.

    python benchmarks/bench_parse_rate.py [--model FILE.gguf] [--verdicts 14] [--drafts 7]
        [--revisions 3] [--max-tokens 600] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from inspect_ai.util import json_schema  # noqa: E402

from specwright import load_example_spec  # noqa: E402
from specwright._chat import message_text  # noqa: E402
from specwright._eval._calibrate import labelled_cases  # noqa: E402
from specwright._eval._gguf import (  # noqa: E402
    LoadedModel,
    bounded,
    bundled_model_path,
    load_model,
    strict_json,
)
from specwright._eval._judge import GraderVerdict, parse_grade  # noqa: E402
from specwright._eval._prompt import grader_prompt, grader_system_prompt  # noqa: E402
from specwright._generate._client import Reply  # noqa: E402
from specwright._generate._generation import plan_requests, request_schema  # noqa: E402
from specwright._generate._kinds import ITEM_MODELS  # noqa: E402
from specwright._generate._parse import envelope, parse_item  # noqa: E402
from specwright._generate._prompts import SYSTEM_PROMPT as GENERATOR_SYSTEM  # noqa: E402
from specwright._model import Spec  # noqa: E402
from specwright._results import TranscriptMessage  # noqa: E402
from specwright._revise._answer import ProposalAnswer, read_answer  # noqa: E402
from specwright._revise._evidence import Evidence  # noqa: E402
from specwright._revise._propose import SYSTEM_PROMPT as PROPOSE_SYSTEM  # noqa: E402
from specwright._revise._propose import build_prompt  # noqa: E402


@dataclass(frozen=True)
class Ask:
    """One prompt of one stage, its schema and how to tell whether a reply parses."""

    system: str
    prompt: str
    schema: dict[str, Any]
    parses: Callable[[str], bool]


@dataclass
class Tally:
    """Parseable replies of one stage and mode, and what they cost."""

    parsed: int = 0
    json_ok: int = 0  # the reply is one JSON object, usable or not
    total: int = 0
    cut: int = 0  # replies stopped by max_tokens
    seconds: float = 0.0
    tokens: int = 0
    failures: list[str] = field(default_factory=list)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"load {load:.1f}, Python {platform.python_version()}"
    )


def verdict_asks(spec: Spec, limit: int) -> Iterator[Ask]:
    schema = json_schema(GraderVerdict).model_dump(exclude_none=True)
    system = grader_system_prompt()
    for case in labelled_cases(spec)[:limit]:
        anchors = [a for a in case.example.answers if a is not case.answer]
        transcript = [(m.role, message_text(m)) for m in case.example.messages]
        transcript.append(("assistant", message_text(case.answer.message)))
        prompt = grader_prompt(spec, case.section.id, anchors, transcript)
        yield Ask(system, prompt, schema, lambda text: parse_grade(text).error is None)


def draft_asks(spec: Spec, limit: int) -> Iterator[Ask]:
    requests = plan_requests(spec, sections=None, kinds=["direct"], per_section=2, seed=0)
    for request in requests[:limit]:

        def parses(text: str, kind: Any = request.kind) -> bool:
            items = envelope(Reply(text=text))
            return not isinstance(items, str) and any(
                parse_item(ITEM_MODELS[kind], raw) is not None for raw in items
            )

        yield Ask(GENERATOR_SYSTEM, request.prompt, dict(request_schema(request)), parses)


def _evidence(spec: Spec, section_id: str) -> list[Evidence]:
    cases = [c for c in labelled_cases(spec) if c.section.id == section_id]
    return [
        Evidence(
            id=f"E{n}", run_id="bench", model="bench", scenario_id=case.example.id, epoch=1,
            why="feedback",
            conversation=tuple(
                TranscriptMessage(role=m.role, content=message_text(m))
                for m in case.example.messages
            ),
            answer=message_text(case.answer.message), judge=case.answer.label != "BAD",
        )
        for n, case in enumerate(cases[:3], start=1)
    ]  # fmt: skip


def revision_asks(spec: Spec, limit: int) -> Iterator[Ask]:
    schema = ProposalAnswer.model_json_schema()
    sections = [s for s in spec.walk() if s.examples][:limit]
    for section in sections:
        prompt = build_prompt(spec, section, _evidence(spec, section.id))
        yield Ask(
            PROPOSE_SYSTEM,
            prompt,
            schema,
            lambda text: isinstance(read_answer(Reply(text=text)), ProposalAnswer),
        )


def ask(model: LoadedModel, one: Ask, constrained: bool, max_tokens: int) -> dict[str, Any]:
    request: dict[str, Any] = {
        "messages": [
            {"role": "system", "content": one.system},
            {"role": "user", "content": one.prompt},
        ],
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "seed": 0,
    }
    if constrained:  # as the gguf provider sends it: bounded strings and arrays
        request["response_format"] = {"type": "json_object", "schema": bounded(one.schema)}
    reply: dict[str, Any] = model.llama.create_chat_completion(**request)
    return reply


def measure(model: LoadedModel, asks: list[Ask], max_tokens: int) -> dict[str, Tally]:
    tallies = {"free text": Tally(), "constrained": Tally()}
    for one in asks:
        for mode, tally in tallies.items():
            started = time.perf_counter()
            reply = ask(model, one, mode == "constrained", max_tokens)
            tally.seconds += time.perf_counter() - started
            choice = reply["choices"][0]
            text = choice["message"].get("content") or ""
            text = strict_json(text) if mode == "constrained" else text
            tally.total += 1
            tally.tokens += reply["usage"]["completion_tokens"]
            tally.cut += choice.get("finish_reason") == "length"
            tally.json_ok += _is_json_object(text)
            if one.parses(text):
                tally.parsed += 1
            else:
                tally.failures.append(text[:160])
    return tallies


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the bundled SmolLM2)")
    parser.add_argument("--verdicts", type=int, default=14)
    parser.add_argument("--drafts", type=int, default=7)
    parser.add_argument("--revisions", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=600)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = args.model or bundled_model_path()
    model = load_model(path)
    spec = load_example_spec()
    stages = {
        "verdicts": list(verdict_asks(spec, args.verdicts)),
        "drafts": list(draft_asks(spec, args.drafts)),
        "revisions": list(revision_asks(spec, args.revisions)),
    }
    print(f"machine: {machine()}")
    print(f"model: {path.name} in process, 1 thread; max_tokens {args.max_tokens}, seed 0, T=0")
    results: dict[str, dict[str, Tally]] = {}
    print_header()
    for name, asks in stages.items():
        results[name] = measure(model, asks, args.max_tokens)
        print_rows(name, results[name])
    if args.json:
        print(json.dumps({s: {m: vars(t) for m, t in r.items()} for s, r in results.items()}))


def print_header() -> None:
    print(f"{'stage':<10} {'mode':<12} {'usable':>9} {'share':>7} {'JSON':>5} {'cut':>4} "
          f"{'s/reply':>8}", flush=True)  # fmt: skip


def print_rows(stage: str, tallies: dict[str, Tally]) -> None:
    for mode, t in tallies.items():
        share = t.parsed / t.total if t.total else float("nan")
        per = t.seconds / t.total if t.total else float("nan")
        print(f"{stage:<10} {mode:<12} {t.parsed:>4}/{t.total:<4} {share:>7.0%} "
              f"{t.json_ok:>5} {t.cut:>4} {per:>8.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
