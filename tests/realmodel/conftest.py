"""Fixtures of the ``realmodel`` tests: the bundled model, in process and behind a server.

Every test here is marked ``realmodel`` and skips with a reason when the ``local`` extra is
absent. They assert mechanics (no sample lost to a role or a shape, verdicts parsed, records
complete, bounded time), never the quality of a 135M model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.realmodel._llama import LlamaServer, llama_server, need_local_extra

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            # Not grouped under `pytest -n`: each model runs on one thread (minutes of work in
            # all), so spread over the workers they balance the suite; a worker that runs a
            # served test starts its own llama server (seconds).
            item.add_marker(pytest.mark.realmodel)


@pytest.fixture(scope="session")
def bundled_gguf() -> Path:
    """The bundled SmolLM2 GGUF file (skips without the ``local`` extra)."""
    return need_local_extra()


@pytest.fixture(scope="session")
def llama(bundled_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """llama.cpp's OpenAI-compatible server on the bundled model, once per session."""
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with llama_server(bundled_gguf, log) as server:
        yield server
