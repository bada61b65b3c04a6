"""Fixtures for generation tests: a scripted generator on 127.0.0.1 and its environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.eval._server import ScriptedServer, scripted_server
from tests.generate._scripted import generator_reply


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    """A scripted generator reachable as ``openai-api/gen/scripted``."""
    with scripted_server(generator_reply) as server:
        monkeypatch.setenv("GEN_BASE_URL", server.base_url)
        monkeypatch.setenv("GEN_API_KEY", "test-key")
        yield server
