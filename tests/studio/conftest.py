"""A studio over a real SQLite results store holding the report tests' hand-made runs."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("sqlalchemy")

from starlette.testclient import TestClient

from specwright._results._models import RunResult
from specwright._studio._app import Studio, create_app
from specwright._studio._index import StudioIndex
from tests.report import report_factory as factory

BASE = "http://127.0.0.1:8765"
_TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


@dataclass
class Env:
    studio: Studio
    url: str
    tmp: Path

    def client(self) -> TestClient:
        return TestClient(create_app(self.studio), base_url=BASE, follow_redirects=False)


def token_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def version_of(html: str) -> int:
    found = _VERSION.search(html)
    assert found
    return int(found.group(1))


def studio_env(tmp_path: Path, run: RunResult, text: str = "", *, url: str = "") -> Env:
    """A studio over ``run`` in the store at ``url`` (a new SQLite file by default)."""
    url = url or f"sqlite:///{tmp_path / 'results.sqlite'}"
    index = StudioIndex(url)
    index.store.add(run)
    index.index_run(run)
    drafts = tmp_path / "drafts.yaml"
    drafts.write_text(_drafts_yaml(text), encoding="utf-8")
    studio = Studio(index=index, spec=factory.spec(text), scenario_files=[drafts], reviewer="alice")
    return Env(studio=studio, url=url, tmp=tmp_path)


def _drafts_yaml(text: str) -> str:
    import yaml

    records = [
        {
            "id": f"draft-{i}",
            "section": "be_honest",
            "status": "draft",
            "messages": [{"role": "user", "content": f"Draft question {i}. {text}"}],
        }
        for i in range(1, 4)
    ]
    return yaml.safe_dump(records, allow_unicode=True)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    made = studio_env(tmp_path, factory.run_a())
    yield made
    made.studio.index.close()


@contextmanager
def served(env: Env, host: str = "127.0.0.1") -> Iterator[str]:
    """``env``'s studio served by a real uvicorn on ``host`` (a free port); its base URL."""
    import uvicorn

    config = uvicorn.Config(create_app(env.studio), host=host, port=0, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"http://{shown}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
