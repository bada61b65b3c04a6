"""Fixtures for generation tests: a scripted generator installed as ``scripted/gen``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from specwright._llm import ScriptedModel
from tests.generate._scripted import generator_reply

GEN = "scripted/gen"
"""The scripted generator's model name (``--generator``)."""


@pytest.fixture
def generator() -> Iterator[ScriptedModel]:
    """A scripted generator (no HTTP) reachable as ``scripted/gen`` by every command."""
    with ScriptedModel(generator_reply, name=GEN).installed() as model:
        yield model
