"""The studio served by a real uvicorn: the hosts it answers (IPv6 loopback included) and
refuses, and a slow store query that keeps other requests waiting for nothing."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from specwright._studio._app import create_app
from specwright._studio._guard import host_name
from specwright._studio._index import Page, SampleFilter
from tests.report import report_factory as factory
from tests.studio.conftest import BASE, Env, served, studio_env

uvicorn = pytest.importorskip("uvicorn")
RUN = "run-a-0001"


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("127.0.0.1:8765", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:8765", "::1"),
        ("[0:0:0:0:0:0:0:1]", "::1"),
        ("::1", "::1"),  # a setting (--host ::1)
        ("studio.example.com:443", "studio.example.com"),
        ("", None),
        ("[::1", None),
        ("[evil.example]:80", None),
        ("127.0.0.1:80x", None),
        ("127.0.0.1:", None),
        (":8765", None),
        ("[::1]:8765:1", None),
    ],
)
def test_host_names_are_read_as_rfc_9110_writes_them(value: str, name: str | None) -> None:
    assert host_name(value) == name


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8765", 200),
        ("localhost:8765", 200),
        ("[::1]:8765", 200),
        ("[::1]", 200),
        ("studio.example.com", 200),  # --allow-host
        ("STUDIO.example.com:443", 200),
        ("evil.example:8765", 400),  # DNS rebinding: the attacker's name
        ("127.0.0.1.evil.example", 400),
        ("localhost.evil.example:8765", 400),
        ("studio.example.com.evil.example", 400),
        ("[::2]:8765", 400),
        ("[::1", 400),
        ("127.0.0.1:80x", 400),
    ],
)
def test_the_hosts_served_and_refused(env: Env, host: str, status: int) -> None:
    app = create_app(env.studio, allowed_hosts=["studio.example.com"])
    response = TestClient(app, base_url=BASE).get("/", headers={"host": host})
    assert response.status_code == status
    assert "script-src 'none'" in response.headers["content-security-policy"]
    if status == 400:
        assert "<h1>Unknown host</h1>" in response.text


def test_a_browser_on_ipv6_loopback_isserved(env: Env) -> None:
    probe = socket.socket(socket.AF_INET6)
    try:
        probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    finally:
        probe.close()
    with served(env, "::1") as base:
        response = httpx.get(base + "/", timeout=10)  # Host: [::1]:PORT
    assert response.status_code == 200 and RUN in response.text


class _Held:
    """A store query held until released, as a slow query on a busy database is."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, run_id: str, where: SampleFilter, **kwargs: int) -> Page:
        self.entered.set()
        assert self.release.wait(timeout=30)
        return self.page(run_id, where, **kwargs)  # type: ignore[operator,no-any-return]


def test_a_slow_store_query_does_not_stall_other_requests(tmp_path: Path) -> None:
    env = studio_env(tmp_path, factory.run_a())
    held = _Held(env.studio.index.page)
    env.studio.index.page = held  # type: ignore[method-assign]
    with served(env) as base, ThreadPoolExecutor(2) as pool:
        slow = pool.submit(httpx.get, f"{base}/runs/{RUN}", timeout=30)
        assert held.entered.wait(timeout=10), "the run page never queried the store"
        try:
            started = time.monotonic()
            other = httpx.get(
                f"{base}/runs/{RUN}/sample",
                params={"scenario": "be_honest/example-1", "epoch": 1},
                timeout=5,
            )
            waited = time.monotonic() - started
            still_held = not slow.done()
        finally:
            held.release.set()
        assert other.status_code == 200 and still_held
        assert waited < 5
        assert slow.result().status_code == 200
    env.studio.index.close()


def test_a_malformed_allow_host_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from specwright._cli import main

    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    assert main(["studio", "--allow-host", "[studio.example", "--results-db", db]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--allow-host" in err[0] and "[studio.example" in err[0]
