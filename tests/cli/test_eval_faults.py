"""``specwright eval`` under faults: malformed replies, HTTP errors, hangs and a dying server.

A request that fails for good fails its own sample (counted, with a one-line reason naming
model, URL, status and body); the run goes on, says it is partial, and a re-run redoes only
the failed samples. Every server is a scripted one on 127.0.0.1 that counts requests.
"""

from __future__ import annotations

import json
import os
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
    completion_body,
    is_grader_request,
    last_user_text,
    scripted_server,
)

# Scenario "comply <i>" of the big spec → what the target's server answers for it.
BROKEN: dict[str, RawReply] = {
    "comply 1": RawReply("{not json"),
    "comply 2": RawReply(b""),
    "comply 3": RawReply('{"foo": 1}'),
    "comply 4": completion_body("an answer with a lone \ud800 surrogate"),
    "comply 5": RawReply('{"error": {"message": "upstream exploded"}}', status=500),
}
WHAT = {
    "comply 1": ("HTTP 200", "not JSON", "{not json"),
    "comply 2": ("HTTP 200", "empty body", "''"),
    "comply 3": ("HTTP 200", "not a chat completion", '{"foo": 1}'),
    "comply 4": ("HTTP 200", "lone surrogate", "\\ud800"),
    "comply 5": ("HTTP 500", "", "upstream exploded"),
}


def _targets_for(requests: list[dict[str, Any]], text: str) -> int:
    return sum(1 for r in requests if not is_grader_request(r) and last_user_text(r) == text)


def test_malformed_replies_fail_only_their_sample_and_resume_redoes_only_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_file = _big_spec_file(tmp_path, 6)
    broken = {"on": True}

    def responder(body: dict[str, Any]) -> str | RawReply:
        bad = BROKEN.get(last_user_text(body))
        if broken["on"] and bad is not None and not is_grader_request(body):
            return bad
        return respond(body)

    args = _eval_args(spec_file, tmp_path / "logs", "--grader-samples", "1", "--max-retries", "1")
    with scripted_server(responder) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        first = main([*args, "--no-index"])
        out, err = capsys.readouterr()
        first_requests = list(server.requests)
        broken["on"] = False
        second = main([*args, "--json", "--no-index"])
        data = json.loads(capsys.readouterr().out)
        redone = server.requests[len(first_requests) :]
    assert first == 1
    assert "partial: 1 of 6 samples" in out and "overall  " not in out and "%" not in out, out
    assert "Traceback" not in err and "RetryError" not in err, err
    reasons = [line for line in err.splitlines() if line.startswith("  1 failed: ")]
    assert len(reasons) == 5, err
    for text, (status, what, excerpt) in WHAT.items():
        # Bounded retries: one retry (--max-retries 1), then the sample fails.
        assert _targets_for(first_requests, text) == 2, text
        line = next(r for r in reasons if excerpt in r)
        assert f"model openai-api/local/target at {server.base_url}: {status}" in line
        assert what in line and line.endswith("(after 2 attempts)"), line
    # The re-run redoes the five failed samples only, and the run is then complete.
    assert second == 0
    assert sorted(last_user_text(r) for r in redone if not is_grader_request(r)) == sorted(BROKEN)
    assert data["complete"] is True and data["overall"] == 1.0 and data["n_scored"] == 6


def test_a_hung_server_fails_samples_after_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_file = _big_spec_file(tmp_path, 2)
    with scripted_server(respond, latency=30) as server:
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        monkeypatch.setenv("LOCAL_API_KEY", "k")
        args = _eval_args(spec_file, tmp_path / "logs", "--timeout", "1", "--max-retries", "0")
        started = time.monotonic()
        code = main([*args, "--json", "--no-index"])
        elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert "lower --max-connections or raise --timeout" in err  # requests queue on one slot
    assert code == 1 and elapsed < 25, elapsed
    assert data["complete"] is False and data["overall"] is None
    assert data["samples_done"] == 0 and data["samples_total"] == 2
    [(reason, count)] = data["failed"].items()
    assert count == 2 and "no reply in time (timeout)" in reason and server.base_url in reason


def _env(base_url: str, tmp_path: Path) -> dict[str, str]:
    return os.environ | {
        "LOCAL_BASE_URL": base_url,
        "LOCAL_API_KEY": "k",
        "PYTHONPATH": str(ROOT / "src"),
        "SPECWRIGHT_RESULTS_DB": f"sqlite:///{tmp_path / 'results.sqlite'}",
    }


def test_server_death_is_a_few_lines_and_resume_uses_the_new_base_urls(tmp_path: Path) -> None:
    n = 12
    spec_file = _big_spec_file(tmp_path, n)
    args = _eval_args(spec_file, tmp_path / "logs", "--max-connections", "2", "--grader-samples")
    command = [sys.executable, "-m", "specwright", *args, "1", "--max-retries", "1"]
    command[command.index("none")] = "plain"  # Inspect's own display, as users see it
    with scripted_server(respond, latency=0.25) as dying:
        proc = subprocess.Popen(
            command, env=_env(dying.base_url, tmp_path), cwd=ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while dying.count(is_grader_request) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        dying.stop()
        _, err = proc.communicate(timeout=150)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "Sample error" not in err, err
    partial = [line for line in err.splitlines() if line.startswith("partial: ")]
    assert len(partial) == 1, err
    done = int(partial[0].split()[1])
    assert 4 <= done < n
    assert "failed: model openai-api/local/target at " in err and "cannot connect" in err
    # The server comes back on another port: both the model and the grader go there.
    with scripted_server(respond) as revived:
        again = subprocess.run(
            [*command, "--json"], env=_env(revived.base_url, tmp_path), cwd=ROOT,
            capture_output=True, text=True, timeout=150, check=False,
        )  # fmt: skip
        targets = revived.count(lambda r: not is_grader_request(r))
        graders = revived.count(is_grader_request)
    assert again.returncode == 0, again.stderr[-3000:]
    assert targets == graders == n - done
    assert json.loads(again.stdout)["n_scored"] == n
