"""``extends:`` a pinned URL: fetched once from a real server on 127.0.0.1, then offline.

Plain ``http`` is allowed to loopback hosts only, so that tests need no certificates; every
other host must be ``https`` (see docs/company.md).
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from specwright import SpecError, read_spec
from tests.company.conftest import BASE, write_spec_dir


class _Server:
    """A real HTTP server on 127.0.0.1 serving fixed bodies by path, counting requests."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requests: list[str] = []
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests.append(self.path)
                body = served.bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write(body if body is not None else b"not found")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SPECWRIGHT_CACHE_DIR", str(cache))
    return cache


def _pinned_overlay(tmp_path: Path, url: str, sha256: str) -> Path:
    front = f"---\ntitle: Acme\nextends: {url}\nsha256: {sha256}\noverrides: [tone]\n---\n\n"
    return write_spec_dir(tmp_path / "overlay", front + "# Tone {#tone}\n\nBe formal.\n")


def test_fetched_once_then_offline(server: _Server, tmp_path: Path, _cache: Path) -> None:
    body = BASE.encode()
    server.bodies["/base/model_spec.md"] = body
    url = server.url("/base/model_spec.md")
    overlay = _pinned_overlay(tmp_path, url, hashlib.sha256(body).hexdigest())
    first = read_spec(overlay)
    assert first.section("tone").body == "Be formal."
    assert first.layers[0].source == url and first.layers[0].sha256 is not None
    assert server.requests == ["/base/model_spec.md"]
    server.stop()  # offline from now on
    again = read_spec(overlay)
    assert again.content_hash() == first.content_hash()
    assert len(server.requests) == 1
    assert list(_cache.glob("bases/*/model_spec.md"))


def test_a_json_export_base_brings_its_eval_prompts(server: _Server, tmp_path: Path) -> None:
    from specwright import load_example_spec

    body = load_example_spec().model_dump_json().encode()
    server.bodies["/spec.json"] = body
    front = (
        f"---\nextends: {server.url('/spec.json')}\n"
        f"sha256: {hashlib.sha256(body).hexdigest()}\n---\n\n# Acme {{#acme}}\n\nX.\n"
    )
    spec = read_spec(write_spec_dir(tmp_path / "o", front))
    assert spec.eval_prompts and spec.get("confirm_before_booking") is not None


def _cli(overlay: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specwright", "show", str(overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_wrong_hash_is_one_line_exit_2(server: _Server, tmp_path: Path, _cache: Path) -> None:
    server.bodies["/m.md"] = BASE.encode()
    overlay = _pinned_overlay(tmp_path, server.url("/m.md"), "0" * 64)
    result = _cli(overlay)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{overlay / 'model_spec.md'}:3:" in result.stderr
    assert "but `sha256:` pins 000" in result.stderr
    assert not list(_cache.glob("bases/*/*"))  # nothing unverified is kept


def test_an_unreachable_host_is_one_line_exit_2(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    overlay = _pinned_overlay(tmp_path, f"http://127.0.0.1:{port}/m.md", "a" * 64)
    result = _cli(overlay)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot fetch base" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_file_on_the_server(server: _Server, tmp_path: Path) -> None:
    overlay = _pinned_overlay(tmp_path, server.url("/gone.md"), "a" * 64)
    with pytest.raises(SpecError, match="HTTP 404"):
        read_spec(overlay)


def test_a_tampered_cache_is_fetched_again(server: _Server, tmp_path: Path, _cache: Path) -> None:
    body = BASE.encode()
    server.bodies["/m.md"] = body
    overlay = _pinned_overlay(tmp_path, server.url("/m.md"), hashlib.sha256(body).hexdigest())
    read_spec(overlay)
    (cached,) = _cache.glob("bases/*/model_spec.md")
    cached.write_text(BASE.replace("Never move money", "Always move money"), encoding="utf-8")
    assert read_spec(overlay).section("r_root").body.startswith("Never move money")
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("extends: http://example.com/m.md\nsha256: " + "a" * 64, "is not https"),
        ("extends: ftp://127.0.0.1/m.md\nsha256: " + "a" * 64, "is not https"),
        ("extends: https://example.com/m.md", "needs `sha256:`"),
        ("extends: https://example.com/m.md\nsha256: abc", "needs `sha256:`"),
        ("extends: ../base\nsha256: " + "a" * 64, "pins a URL base only"),
    ],
)
def test_bad_pins_are_refused_before_any_network(tmp_path: Path, front: str, expected: str) -> None:
    overlay = write_spec_dir(tmp_path / "o", f"---\n{front}\n---\n\n# A {{#a}}\n\nX.\n")
    with pytest.raises(SpecError, match=expected) as caught:
        read_spec(overlay)
    assert caught.value.file == str(overlay / "model_spec.md")


def test_init_on_a_url_base(server: _Server, tmp_path: Path) -> None:
    from specwright._cli import main

    body = BASE.encode()
    server.bodies["/base.md"] = body
    digest = hashlib.sha256(body).hexdigest()
    target = tmp_path / "acme"
    argv = ["init", str(target), "--base", server.url("/base.md"), "--sha256", digest]
    assert main(argv) == 0
    front = (target / "model_spec.md").read_text(encoding="utf-8")
    assert f"extends: {server.url('/base.md')}\nsha256: {digest}\n" in front
    spec = read_spec(target)
    assert spec.layers[0].source == server.url("/base.md") and spec.get("acme_scope")
    assert len(server.requests) == 1  # init fetched it; reading it again used the cache


def test_two_readers_fetch_the_same_base_at_once(server: _Server, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from specwright._layers._fetch import fetch_base

    body = BASE.encode() * 50
    server.bodies["/big.md"] = body
    digest = hashlib.sha256(body).hexdigest()
    with ThreadPoolExecutor(4) as pool:
        paths = list(
            pool.map(lambda _: fetch_base(server.url("/big.md"), digest, "x", 1), range(4))
        )
    assert len(set(paths)) == 1 and paths[0].read_bytes() == body
    assert not [p for p in paths[0].parent.iterdir() if p.name.startswith(".fetch-")]
