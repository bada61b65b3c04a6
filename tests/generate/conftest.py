"""Fixtures for generation tests: a scripted generator on 127.0.0.1 and its environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.eval._server import ScriptedServer, env_server
from tests.generate._scripted import generator_reply


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    """A scripted generator reachable as ``openai-api/gen/scripted``."""
    with env_server(monkeypatch, generator_reply, providers=("GEN",)) as server:
        yield server
