"""``inspect eval specwright/compliance`` works through the package's entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from specwright._eval._logs import find_logs, load_run
from tests.eval._server import is_grader_request, scripted_server
from tests.eval.test_wire import respond

ROOT = Path(__file__).resolve().parents[2]


def test_inspect_cli_runs_the_registered_task(spec_file: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    with scripted_server(respond) as server:
        env = os.environ | {
            "LOCAL_BASE_URL": server.base_url,
            "LOCAL_API_KEY": "k",
            "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        command = [
            sys.executable, "-m", "inspect_ai", "eval", "specwright/compliance",
            "-T", f"spec={spec_file}", "-T", "grader_samples=1",
            "--model", "openai-roles/local/target",
            "--model-role", "grader=openai-roles/local/judge",
            "--log-dir", str(logs), "--display", "none",
        ]  # fmt: skip
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        roles = [
            [m["role"] for m in r["messages"]] for r in server.requests if not is_grader_request(r)
        ]
    assert roles == [["system", "developer", "user"]] * 4
    run = load_run(find_logs(logs)[0])
    assert run.n_scored == 4 and run.by_section["be_brief"].rate == 1.0


def test_pyproject_names_the_inspect_entry_module() -> None:
    import importlib
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    module = project["project"]["entry-points"]["inspect_ai"]["specwright"]
    assert module == "specwright._eval._inspect_entry"
    assert callable(importlib.import_module(module).compliance)


def test_inspect_cli_without_a_grader_role_fails_fast_in_one_line(
    spec_file: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    env = os.environ | {
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    }
    command = [
        sys.executable, "-m", "inspect_ai", "eval", "specwright/compliance",
        "-T", f"spec={spec_file}", "--model", "mockllm/model", "--log-dir", str(logs),
    ]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0
    assert "Traceback" not in said, said
    assert "specwright/compliance needs a grader: add --model-role grader=MODEL" in said
    assert not logs.exists() or not any(logs.iterdir())
