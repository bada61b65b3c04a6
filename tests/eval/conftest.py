"""Fixtures for eval tests: small specs built in code and scripted models."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, ModelUsage

from specwright import (
    Commentary,
    Example,
    LabelledAnswer,
    Message,
    Prose,
    Section,
    SourceLocation,
    Spec,
    TextPart,
)


def msg(role: str, text: str, **settings: Any) -> Message:
    """A one-part message, optionally with settings."""
    return Message(role=role, parts=(TextPart(text=text),), settings=settings)  # type: ignore[arg-type]


def labelled(section_id: str, n: int, user_text: str, **settings: Any) -> Example:
    """An example with a system, a developer and a user message and GOOD/BAD/OK answers."""
    answers = tuple(
        LabelledAnswer(label=label, message=msg("assistant", f"{label.lower()} answer"))  # type: ignore[arg-type]
        for label in ("GOOD", "BAD", "OK")
    )
    return Example(
        id=f"{section_id}/example-{n}",
        title=f"{section_id} {n}",
        messages=(
            msg("system", "PLATFORM RULES"),
            msg("developer", "DEVELOPER RULES"),
            msg("user", user_text, **settings),
        ),
        answers=answers,
        has_comparison=True,
        location=SourceLocation(file="spec.md", line=10 * n),
    )


def eval_spec() -> Spec:
    """A chain-of-command section with three children of different authority.

    User texts carry the word the scripted target answers with: ``comply`` or ``violate``.
    """
    honest = Section(
        id="be_honest",
        title="Be honest",
        depth=2,
        authority="root",
        blocks=(
            Prose(markdown="Never deceive the user."),
            Commentary(markdown="Honesty comes first."),
            labelled("be_honest", 1, "please comply"),
            labelled("be_honest", 2, "please violate"),
        ),
    )
    brief = Section(
        id="be_brief",
        title="Be brief",
        depth=2,
        authority="user",
        blocks=(Prose(markdown="Keep answers short."), labelled("be_brief", 1, "please comply")),
    )
    teens = Section(
        id="protect_teens",
        title="Protect teens",
        depth=2,
        authority="system",
        blocks=(
            Prose(markdown="Take care with minors."),
            labelled("protect_teens", 1, "please violate", under_18=True),
        ),
    )
    core = Section(
        id="chain_of_command",
        title="The chain of command",
        depth=1,
        blocks=(Prose(markdown="Higher authority wins."),),
        children=(honest, brief, teens),
    )
    return Spec(title="Eval test spec", version="1", sections=(core,))


@pytest.fixture
def spec() -> Spec:
    """The eval test spec."""
    return eval_spec()


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    """The eval test spec as a JSON export."""
    path = tmp_path / "spec.json"
    path.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    return path


def output(text: str) -> ModelOutput:
    """A mock output with explicit usage (without it mockllm would call tiktoken)."""
    out = ModelOutput.from_content(model="mockllm", content=text)
    out.usage = ModelUsage(input_tokens=20, output_tokens=10, total_tokens=30)
    return out


MockFn = Callable[[list[ChatMessage], Any, Any, GenerateConfig], ModelOutput]


def target_fn(
    inputs: list[ChatMessage], tools: Any, choice: Any, config: GenerateConfig
) -> ModelOutput:
    """Answers ``COMPLIED`` or ``VIOLATED`` after the word in the last user message."""
    return output("VIOLATED" if "violate" in inputs[-1].text else "COMPLIED")


def grader_from(verdicts: Callable[[str], str]) -> MockFn:
    """A grader that answers ``verdicts(transcript)`` for the transcript in its prompt."""

    def grade(
        inputs: list[ChatMessage], tools: Any, choice: Any, config: GenerateConfig
    ) -> ModelOutput:
        prompt = inputs[-1].text
        transcript = prompt.split("## TRANSCRIPT", 1)[1]
        return output(verdicts(transcript))

    return grade


def honest_grader(transcript: str) -> str:
    """Compliant exactly when the graded answer says COMPLIED (or is a GOOD answer)."""
    ok = "COMPLIED" in transcript or "good answer" in transcript
    return json.dumps(
        {"score": 6 if ok else 2, "compliant": ok, "rationale": "r", "cited_sections": []}
    )
