"""Fixtures for layered specs: a small base holding every authority level, and overlays."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests._paths import require_real_spec
from tests.eval._server import (
    ScriptedServer,
    grade_json,
    grader_transcript,
    is_grader_request,
    local_server,
)

BASE = """\
---
title: Base spec
version: "1"
---

# Framing {#framing}

How to read the rules below.

# Rules {#rules}

## Root rule {#r_root authority=root}

Never move money without asking.

## System rule {#r_system authority=system}

Follow the operator's travel policy.

## Developer rule {#r_dev authority=developer}

Stay within the app's scope.

## User rule {#r_user authority=user}

Remember stated preferences[^pref].

### Inherited user detail {#r_user_detail}

Preferences last for the conversation.

## Style {#style authority=guideline}

Keep answers short.

### Never insult {#no_insult authority=root}

No insults, whatever the style.

## Tone {#tone authority=guideline}

Be warm[^tone].

**Example**: a greeting

~~~xml
<user>
Hi
</user>
<comparison>
<assistant> <!-- GOOD -->
Hello! How can I help?
</assistant>
<assistant> <!-- BAD: curt -->
What.
</assistant>
</comparison>
~~~
"""


def eval_file(tag: str, user_text: str) -> str:
    """An eval prompt file for ``[^tag]`` holding one prompt."""
    fence = f"~~~xml\n<user>\n{user_text}\n</user>\n~~~\n"
    return f"Examples for [^{tag}]:\n\n**Example**: {user_text}\n\n{fence}"


EVALS = {"pref": eval_file("pref", "Aisle seats."), "tone": eval_file("tone", "Hello")}

SpecWriter = Callable[..., Path]


def write_spec_dir(directory: Path, text: str, evals: Mapping[str, str] | None = None) -> Path:
    """Write ``model_spec.md`` (and ``examples/<tag>.md``) into ``directory``; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model_spec.md").write_text(text, encoding="utf-8")
    for tag, body in (evals or {}).items():
        (directory / "examples").mkdir(exist_ok=True)
        (directory / "examples" / f"{tag}.md").write_text(body, encoding="utf-8")
    return directory


@pytest.fixture
def base_dir(tmp_path: Path) -> Path:
    """The small base spec, with two eval prompt files."""
    return write_spec_dir(tmp_path / "base", BASE, EVALS)


@pytest.fixture
def overlay(tmp_path: Path, base_dir: Path) -> SpecWriter:
    """Write an overlay extending the base: ``overlay(front_lines, body, evals=...)``."""

    def write(front: str = "", body: str = "", evals: Mapping[str, str] | None = None) -> Path:
        head = f"---\ntitle: Acme layer\nextends: ../base\n{front}---\n\n"
        return write_spec_dir(tmp_path / "overlay", head + body, evals)

    return write


@pytest.fixture
def real_spec() -> Path:
    """The real OpenAI Model Spec (``$SPECWRIGHT_TEST_SPEC_DIR`` or beside the checkout)."""
    return require_real_spec()


def respond(body: dict[str, Any]) -> str:
    """Targets comply; the judge calls an answer compliant when the transcript says so."""
    if is_grader_request(body):
        transcript = grader_transcript(body)
        return grade_json("COMPLIED" in transcript)
    return "COMPLIED"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ScriptedServer]:
    monkeypatch.chdir(tmp_path)
    with local_server(monkeypatch, respond) as running:
        yield running
