"""``propose`` when the drafting model hangs, and when the user stops it: nothing is written.

The CLI runs in a process of its own, against a scripted model on 127.0.0.1 that answers
only after a long delay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from specwright import example_spec_path
from tests.eval._server import ScriptedServer, scripted_server
from tests.revise._example_runs import write_runs
from tests.revise._scripted_reviser import good_reply

ROOT = Path(__file__).resolve().parents[2]


def _start(server: ScriptedServer, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    env = os.environ | {
        "DRAFT_BASE_URL": server.base_url,
        "DRAFT_API_KEY": "k",
        "PYTHONPATH": str(ROOT / "src"),
        "SPECWRIGHT_RESULTS_DB": f"sqlite:///{tmp_path / 'store.sqlite'}",
    }
    sources = [a for p in write_runs(tmp_path) for a in ("--from", str(p))]
    argv = [sys.executable, "-m", "specwright", "propose", "local_currency", "--spec",
            str(example_spec_path()), *sources, "--model", "openai-api/draft/m",
            "-o", str(tmp_path / "proposal"), *extra]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def test_ctrl_c_while_drafting_writes_nothing(tmp_path: Path) -> None:
    # Long enough for the signal to land first, short enough not to hold the server's teardown.
    with scripted_server(good_reply, latency=8) as server:
        proc = _start(server, tmp_path)
        deadline = time.monotonic() + 60
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.requests, "the drafting model was never called"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip().splitlines() == ["Interrupted."]
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "proposal").exists()


def test_a_hanging_model_times_out_in_one_line_exit_1(tmp_path: Path) -> None:
    # Answered in 3 s, which a 0.5 s timeout never waits for.
    with scripted_server(good_reply, latency=3) as server:
        proc = _start(server, tmp_path, "--timeout", "0.5")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    [line] = err.strip().splitlines()
    assert line.startswith("specwright: error: propose: the request to openai-api/draft/m failed")
    # One attempt: a timed-out request may still be running upstream, so it is not repeated.
    assert "timeout" in line and "after 1 attempt(s)" in line and "--timeout" in line
    assert out == ""
    assert not (tmp_path / "proposal").exists()
    assert len(server.requests) == 1  # not the SDK's two retries on top of a running request
