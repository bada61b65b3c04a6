"""Fixtures: a scripted upstream and the gateway in front of it, both on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

import uvicorn
from starlette.applications import Starlette

from specwright import example_spec_path, read_spec
from specwright._serve._app import create_app
from specwright._serve._config import ClientKey, GatewayConfig, hash_key
from specwright._serve._decision_store import DecisionFilter, DecisionStore
from specwright._serve._http import uvicorn_options
from specwright._serve._records import DecisionRecord
from tests.serve.scripted_upstream import Upstream, scripted_upstream

CLIENT_KEY = "sk-client-alpha-0123456789"
OBSERVER_KEY = "sk-client-observer-9876543210"
UPSTREAM_KEY = "sk-upstream-secret-5555"


@contextmanager
def running_gateway(config: GatewayConfig, app: Starlette | None = None) -> Iterator[str]:
    """Serve ``config`` (or ``app``, built for it) with uvicorn on a thread; yield the base
    URL (``…/v1``)."""
    DecisionStore(config.store_url).close()  # the parent process migrates, as `serve` does
    if app is None:
        app = create_app(config, read_spec(Path(config.spec_path)))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        thread.join(0.01)
    assert server.started, "the gateway did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with scripted_upstream() as state:
        yield state


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'decisions.sqlite'}"


def gateway_config(upstream_url: str, store_url: str, **overrides: object) -> GatewayConfig:
    keys = (
        ClientKey(name="alpha", sha256=hash_key(CLIENT_KEY)),
        ClientKey(name="observer", sha256=hash_key(OBSERVER_KEY), mode="observe"),
    )
    fields: dict[str, object] = {
        "spec_path": str(example_spec_path()),
        "upstream": upstream_url,
        "keys": keys,
        "store_url": store_url,
        "timeout": 5.0,
        "retries": 2,
    }
    fields.update(overrides)
    return GatewayConfig.model_validate(fields)


@pytest.fixture
def gateway(upstream: Upstream, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SPECWRIGHT_UPSTREAM_API_KEY", UPSTREAM_KEY)
    with running_gateway(gateway_config(upstream.url, store_url)) as url:
        yield url


def only_record(store_url: str) -> DecisionRecord:
    """The store's one decision record, once the gateway's batched writer has written it."""
    store = DecisionStore(store_url)
    deadline = time.monotonic() + 10
    while not store.count() and time.monotonic() < deadline:
        time.sleep(0.05)
    (record,) = store.find(DecisionFilter())
    store.close()
    return record
