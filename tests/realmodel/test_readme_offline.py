"""The README's offline loop, run exactly as written: eval -> report on the bundled model."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from specwright._eval._logs import find_logs, load_run
from tests._paths import REPO_ROOT

HEADING = "## The main job offline: no server, no key"
LIMIT_S = 600  # ~2 minutes of CPU; a machine shared with other jobs is slower

pytestmark = pytest.mark.timeout(LIMIT_S + 60)


def readme_block(heading: str) -> str:
    """The first ``console`` block under ``heading`` in the README."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    match = re.search(r"^```console\n(.*?)^```", section, re.S | re.M)
    assert match is not None, f"no console block under {heading!r}"
    return match.group(1)


def test_the_offline_command_runs_the_loop_without_a_server_or_a_key(
    bundled_gguf: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.pop("INSPECT_LOG_DIR", None)
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_block(HEADING)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "gguf/smollm2" in page
    run = load_run(find_logs(tmp_path / "logs")[0])
    assert run.n_scored + run.n_unscored == 5 and run.n_scored > 0  # every sample, judged
    assert "no calibration of grader gguf/smollm2" in done.stderr  # the judge shown unverified
    assert seconds < LIMIT_S
