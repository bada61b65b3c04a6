"""Interrupted runs resume without redoing finished samples (real processes, real signals).

SIGTERM, then Ctrl-C (SIGINT) on the resumed run, then a final run: each interruption prints
one line and exits 143 / 130, keeps every finished sample, and the next run resumes the
*newest* unfinished log, redoing exactly the samples the interruption did not save.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from specwright._cli import main
from tests.cli.test_eval_cli import ROOT, _big_spec_file, _eval_args, respond
from tests.eval._server import (
    RawReply,
    ScriptedServer,
    is_grader_request,
    last_user_text,
    scripted_server,
)

SAVED = re.compile(r"^interrupted \((SIGTERM|Ctrl-C)\): (\d+) of (\d+) samples saved in (\S+); ")


def _targets(server: ScriptedServer) -> int:
    return server.count(lambda r: not is_grader_request(r))


def _interrupt(
    command: list[str], env: dict[str, str], server: ScriptedServer, sig: int, graded: int
) -> tuple[int, str, int]:
    """Run ``command`` until ``graded`` more answers were graded, then send ``sig``."""
    start = server.count(is_grader_request)
    proc = subprocess.Popen(command, env=env, cwd=ROOT, text=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while server.count(is_grader_request) < start + graded and time.monotonic() < deadline:
        time.sleep(0.02)
    finished = server.count(is_grader_request) - start
    time.sleep(0.4)  # the samples graded so far finish well within this
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=90)
    return proc.returncode, err, finished


def _saved(err: str) -> int:
    lines = [line for line in err.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, err  # one line, no traceback
    match = SAVED.match(lines[0])
    assert match is not None, lines[0]
    return int(match.group(2))


def test_sigterm_then_ctrl_c_then_finish_redoes_only_unsaved_samples(tmp_path: Path) -> None:
    n = 16
    spec_file = _big_spec_file(tmp_path, n)
    args = _eval_args(spec_file, tmp_path / "logs", "--max-connections", "2", "--grader-samples")
    command = [sys.executable, "-m", "specwright", *args, "1", "--no-index"]
    with scripted_server(respond, latency=0.25) as server:
        env = os.environ | {
            "LOCAL_BASE_URL": server.base_url,
            "LOCAL_API_KEY": "k",
            "PYTHONPATH": str(ROOT / "src"),
        }
        code, err, graded = _interrupt(command, env, server, signal.SIGTERM, 3)
        assert code == 143 and "interrupted (SIGTERM)" in err, err
        first_saved = _saved(err)
        assert graded <= first_saved < n
        sent = _targets(server)

        code, err, graded = _interrupt(command, env, server, signal.SIGINT, 3)
        assert code == 130 and "interrupted (Ctrl-C)" in err, err
        second_saved = _saved(err)
        # The second run resumed the first: it asked only for unsaved samples.
        assert _targets(server) - sent <= n - first_saved
        assert first_saved + graded <= second_saved < n
        sent = _targets(server)

        done = subprocess.run(
            [*command, "--json"], env=env, cwd=ROOT, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        # The newest unfinished log (the second) was resumed, with every saved sample kept.
        assert _targets(server) - sent == n - second_saved
    result = json.loads(done.stdout)
    assert result["complete"] is True and result["n_scored"] == n


def test_a_run_that_ended_in_error_resumes_without_redoing_finished_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_ai import eval as inspect_eval
    from inspect_ai.log import read_eval_log

    from specwright._eval._inspect_entry import caller_binds_grader, compliance
    from specwright._eval._run import EvalOptions, make_model, task_args

    n, logs = 6, tmp_path / "logs"
    spec_file = _big_spec_file(tmp_path, n)
    failing = {"on": True}

    def responder(body: dict[str, Any]) -> str | RawReply:
        if failing["on"] and not is_grader_request(body) and last_user_text(body) == "comply 6":
            return RawReply('{"error": {"message": "no"}}', status=400)
        return respond(body)

    with scripted_server(responder) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        # A run that Inspect stopped with status "error" (as fail_on_error does).
        options = EvalOptions(
            spec=str(spec_file), model="openai-roles/local/target",
            grader="openai-roles/local/judge", log_dir=logs, grader_samples=1, max_connections=1,
        )  # fmt: skip
        with caller_binds_grader():
            task = compliance(**task_args(options))
        grader = make_model(options.grader, options, role="grader")
        [log] = inspect_eval(
            task, model=make_model(options.model, options), model_roles={"grader": grader},
            log_dir=str(logs), display="none", fail_on_error=True, max_connections=1,
        )  # fmt: skip
        assert log.status == "error"
        kept = sum(1 for s in read_eval_log(log.location).samples or [] if s.error is None)
        assert 0 < kept < n
        failing["on"] = False
        # What the direct Inspect run above printed is not the command's: after some other
        # test (in one process) Inspect's display writes its progress to stdout.
        capsys.readouterr()
        sent = _targets(server)
        args = _eval_args(spec_file, logs, "--grader-samples", "1", "--json", "--no-index")
        code = main([*args, "--max-connections", "1"])
        redone = _targets(server) - sent
    assert code == 0, capsys.readouterr().err
    assert redone == n - kept
    assert json.loads(capsys.readouterr().out)["n_scored"] == n
