"""``specwright serve`` as a child process: start it, wait until it answers, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``specwright serve ARGS`` with its output in ``log``."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "specwright", "serve", *args],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_healthy(port: int, proc: subprocess.Popen[bytes], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("serve did not become healthy")


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    """Send ``sig`` and wait for the exit code."""
    proc.send_signal(sig)
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


@contextmanager
def serving(
    args: list[str], env: dict[str, str], log: Path
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    proc = start_serve([*args, "--port", str(port)], env, log)
    try:
        wait_healthy(port, proc)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
