"""Every model-facing stage against the real model: in process (``gguf/smollm2``) and through
llama.cpp's OpenAI-compatible server (``openai-api/llama/smollm2``).

Small on purpose (one section, one grader sample, short answers): reading a prompt runs at only
50-150 tokens/s on 2 cores. They assert mechanics — no sample lost to a role or a shape,
verdicts parsed, records complete, bounded time — never the quality of a 135M model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from specwright import example_spec_path
from specwright._cli import main
from specwright._eval._logs import find_logs
from tests.realmodel._llama import LlamaServer

IN_PROCESS = "gguf/smollm2"
SERVED = "openai-api/llama/smollm2"
SECTION = "confirm_before_booking"  # four scenarios: two labelled examples, two eval prompts
# The evals run its first two: the labelled examples, whose shapes (an assistant tool call with
# null content and a tool result; three turns) are the ones a server may refuse. Each sample
# is two calls of seconds to a minute each on 2 cores, so two samples, not four.
SAMPLES = 2
SPEC = str(example_spec_path())
LIMIT_S = 600  # CPU time is ~1 minute a test; a machine shared with other jobs is slower

pytestmark = pytest.mark.timeout(LIMIT_S + 60)


@pytest.fixture
def served(llama: LlamaServer, monkeypatch: pytest.MonkeyPatch) -> LlamaServer:
    """``openai-api/llama/...`` names reach the llama server."""
    monkeypatch.setenv("LLAMA_BASE_URL", llama.base_url)
    monkeypatch.setenv("LLAMA_API_KEY", "none")
    return llama


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    started = time.monotonic()
    code = main(list(argv))
    assert time.monotonic() - started < LIMIT_S
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith("{") else {}, err


def _eval(logs: Path, model: str, grader: str, *extra: str) -> list[str]:
    return ["eval", "--spec", SPEC, "--model", model, "--grader", grader, "--sections", SECTION,
            "--limit", str(SAMPLES), "--grader-samples", "1", "--log-dir", str(logs),
            "--display", "none", "--no-index", "--json", *extra]  # fmt: skip


def _assert_every_sample_judged(code: int, summary: dict[str, Any], err: str) -> None:
    assert summary.get("complete") is True, err[-2000:]
    assert summary["samples_done"] == summary["samples_total"] == SAMPLES, err[-2000:]
    assert summary["failed"] == {}
    assert summary["n_scored"] == SAMPLES, summary["unscored_reasons"]  # every verdict parsed
    assert code == 0, err[-2000:]


def _in_child(*argv: str) -> tuple[int, dict[str, Any], str]:
    # A process of its own: the model loaded in process lives and dies with its run (a
    # llama.cpp abort would otherwise end the whole test session).
    done = subprocess.run(
        [sys.executable, "-m", "specwright", *argv],
        capture_output=True, text=True, timeout=LIMIT_S, check=False,
    )  # fmt: skip
    out = done.stdout.strip()
    return done.returncode, json.loads(out) if out.startswith("{") else {}, done.stderr


@pytest.mark.parametrize("enforce", [False, True], ids=["plain", "enforce"])
def test_eval_in_process_target_and_judge(
    bundled_gguf: Path, tmp_path: Path, enforce: bool
) -> None:
    extra = ("--enforce",) if enforce else ()
    _assert_every_sample_judged(
        *_in_child(*_eval(tmp_path / "logs", IN_PROCESS, IN_PROCESS, *extra))
    )


@pytest.mark.parametrize("enforce", [False, True], ids=["plain", "enforce"])
def test_eval_through_the_server_learns_what_it_refuses(
    served: LlamaServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], enforce: bool
) -> None:
    # No --profile: the developer role and json_schema are refused once, then adapted. One
    # connection: the server answers one request at a time, the rest would time out queueing.
    extra = ("--max-connections", "1", *(("--enforce",) if enforce else ()))
    _assert_every_sample_judged(*_cli(capsys, *_eval(tmp_path / "logs", SERVED, SERVED, *extra)))


def test_calibrate_scores_the_labelled_answers(
    bundled_gguf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result, err = _cli(
        capsys, "calibrate", "--spec", SPEC, "--grader", IN_PROCESS, "--sections", SECTION,
        "--grader-samples", "1", "--log-dir", str(tmp_path / "logs"), "--json",
    )  # fmt: skip
    assert code == 0, err[-2000:]
    assert result["n_scored"] > 0 and result["n_unscored"] == 0, result


def test_generate_writes_drafts_or_keeps_what_it_could_not_read(
    served: LlamaServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drafts = tmp_path / "drafts.yaml"
    code, _, err = _cli(
        capsys, "generate", "--spec", SPEC, "--generator", SERVED, "--profile", "llama-cpp",
        "--sections", SECTION, "--kinds", "direct", "--per-section", "1", "--max-tokens", "300",
        "-o", str(drafts), "--json",
    )  # fmt: skip
    assert code in {0, 1}, err[-2000:]
    assert "HTTP 4" not in err and "HTTP 5" not in err  # the request itself was accepted
    kept = list(tmp_path.glob("*.unparsed.jsonl"))
    assert drafts.is_file() or kept, err[-2000:]  # drafts, or the raw reply beside them


def test_propose_drafts_a_revision_or_keeps_the_reply(
    bundled_gguf: Path, served: LlamaServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    code, _, err = _cli(capsys, *_eval(logs, IN_PROCESS, IN_PROCESS, "--limit", "1"))  # last wins
    log = find_logs(logs)[0]
    sample = f"{SECTION}/example-1"
    assert main(["feedback", "add", str(log), sample, "--verdict", "compliant"]) == 0
    capsys.readouterr()
    out = tmp_path / "proposal"
    code, _, err = _cli(
        capsys, "propose", SECTION, "--spec", SPEC, "--from", str(log), "--model", SERVED,
        "--profile", "llama-cpp", "--attempts", "1", "--max-tokens", "300", "-o", str(out),
    )  # fmt: skip
    assert code in {0, 1}, err[-2000:]
    assert "HTTP 4" not in err and "HTTP 5" not in err
    kept = list(tmp_path.glob("*.unparsed.jsonl"))
    assert out.exists() if code == 0 else bool(kept), err[-2000:]
