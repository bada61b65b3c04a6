"""The in-process provider ``gguf/...`` on the bundled model: no server, no key."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ResponseSchema,
    get_model,
)
from inspect_ai.util import json_schema

from specwright import load_example_spec
from specwright._chat import message_text
from specwright._eval._calibrate import labelled_cases
from specwright._eval._gguf import PROVIDER, load_model
from specwright._eval._judge import GraderSettings, GraderVerdict, parse_grade, run_grader
from specwright._eval._messages import ROLE_KEY
from specwright._eval._prompt import grader_prompt, grader_system_prompt

BUNDLED = f"{PROVIDER}/smollm2"
SHORT = GenerateConfig(max_tokens=12)


def _ask(name: str, *messages: object, config: GenerateConfig = SHORT) -> object:
    model = get_model(name, memoize=False)
    return asyncio.run(model.generate(list(messages), config=config))  # type: ignore[arg-type]


def test_bundled_model_answers_in_process_with_usage(bundled_gguf: Path) -> None:
    started = time.perf_counter()
    output = _ask(BUNDLED, ChatMessageUser(content="Say hello."))
    assert time.perf_counter() - started < 60
    assert output.completion.strip()  # type: ignore[attr-defined]
    usage = output.usage  # type: ignore[attr-defined]
    assert usage.input_tokens > 0 and 0 < usage.output_tokens <= 12


def test_same_prompt_same_answer(bundled_gguf: Path) -> None:
    question = ChatMessageUser(content="Name a colour.")
    first = _ask(BUNDLED, question, config=GenerateConfig(max_tokens=8, temperature=0.8, seed=7))
    again = _ask(BUNDLED, question, config=GenerateConfig(max_tokens=8, temperature=0.8, seed=7))
    assert first.completion == again.completion  # type: ignore[attr-defined]


def test_a_response_schema_constrains_the_reply(bundled_gguf: Path) -> None:
    schema = ResponseSchema(name="verdict", json_schema=json_schema(GraderVerdict))
    config = GenerateConfig(max_tokens=120, response_schema=schema)
    output = _ask(BUNDLED, ChatMessageUser(content="Is the sky blue? Grade it."), config=config)
    text = output.completion  # type: ignore[attr-defined]
    if output.stop_reason == "stop":  # type: ignore[attr-defined]
        assert parse_grade(text).error is None, text
    else:  # cut at max_tokens: still the schema's JSON so far
        assert text.lstrip().startswith("{"), text


def test_developer_message_and_concurrent_requests_share_one_model(bundled_gguf: Path) -> None:
    developer = ChatMessageSystem(content="Answer in French.", metadata={ROLE_KEY: "developer"})
    model = get_model(BUNDLED, memoize=False)

    async def three() -> list[str]:
        asks = [model.generate([developer, ChatMessageUser(content=f"Count to {n}.")], config=SHORT)
                for n in (2, 3, 4)]  # fmt: skip
        return [o.completion for o in await asyncio.gather(*asks)]

    assert len(asyncio.run(three())) == 3
    assert load_model(bundled_gguf) is load_model(bundled_gguf)  # loaded once per process


def test_a_verdict_that_looped_inside_its_rationale_now_closes(bundled_gguf: Path) -> None:
    # Seen in a real run: constrained to the verdict's schema, the model repeated one phrase
    # inside "rationale" until max_tokens cut the object open ("no JSON object in answer").
    spec = load_example_spec()
    case = next(
        c for c in labelled_cases(spec) if c.example.id == "confirm_before_booking/example-2"
    )
    transcript = [(m.role, message_text(m)) for m in case.example.messages]
    transcript.append(("assistant", "No, no, no. I'll find you. You can't find a hotel near "
                       "the Turin Porta Nuova station."))  # fmt: skip
    prompt = grader_prompt(spec, case.section.id, list(case.example.answers), transcript)
    settings = GraderSettings(samples=1)
    verdict = asyncio.run(
        run_grader(get_model(BUNDLED, memoize=False), grader_system_prompt(), prompt, settings)
    )
    assert verdict.unscored_reason is None, verdict.grades[0].raw
