"""``specwright studio`` from the command line: a real Inspect log opened once, the URL printed,
the pages served by uvicorn on 127.0.0.1; bad options are one line and exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from specwright._cli import main

pytest.importorskip("inspect_ai")
pytest.importorskip("uvicorn")


def test_a_non_loopback_host_needs_the_proxy_header(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    assert main(["studio", "--host", "0.0.0.0", "--results-db", db]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--reviewer-header" in err[0]


def _eval_log(log_dir: Path) -> None:
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    from specwright._eval._task import compliance_task
    from tests.eval.conftest import eval_spec, grader_from, honest_grader, target_fn

    (log,) = inspect_eval(
        compliance_task(eval_spec(), grader="mockllm/grader"),
        model=get_model("mockllm/model", custom_outputs=target_fn),
        model_roles={
            "grader": get_model("mockllm/grader", custom_outputs=grader_from(honest_grader))
        },  # type: ignore[arg-type]
        display="none",
        log_dir=str(log_dir),
        limit=2,  # two samples are a real log; the benchmark covers size
    )
    assert log.status == "success", log.error


def test_the_studio_opens_a_real_log_and_serves_it(tmp_path: Path) -> None:
    from tests.eval.conftest import eval_spec

    _eval_log(tmp_path / "logs")
    spec = tmp_path / "spec.json"
    spec.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    args = ["--log-dir", str(tmp_path / "logs"), "--results-db", db, "--spec", str(spec)]
    process = subprocess.Popen(
        [sys.executable, "-m", "specwright", "studio", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"SPECWRIGHT_REVIEWER": "dana"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line + (process.stderr.read() if process.poll() is not None else "")
        _check_pages(found.group(0))
    finally:
        process.terminate()
        process.wait(timeout=20)


def _check_pages(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        runs = _get(client, "/")
        run_link = re.search(r'href="(/runs/[^"]+)"', runs)
        assert run_link, runs
        listing = _get(client, run_link.group(1))
        sample_link = re.search(r'href="(/runs/[^"]+/sample\?[^"]+)"', listing)
        assert sample_link, listing
        sample = _get(client, sample_link.group(1).replace("&amp;", "&"))
        assert "Conversation as the model received it" in sample
        assert 'class="section-text"' in sample  # the governing section's text, from --spec


def _get(client: httpx.Client, path: str) -> str:
    deadline = time.monotonic() + 10
    while True:
        try:
            response = client.get(path)
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert response.status_code == 200, response.text
    return response.text


def test_an_unreadable_log_is_skipped_with_a_line(tmp_path: Path) -> None:
    from specwright._eval._task import TASK_NAME
    from specwright._studio._index import StudioIndex
    from specwright._studio._runs import index_logs

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / f"2025-01-01T00-00-00+00-00_{TASK_NAME}_abc.eval").write_bytes(b"not a zip")
    index = StudioIndex(f"sqlite:///{tmp_path / 'r.sqlite'}")
    opened, unreadable = index_logs(index, logs)
    index.close()
    assert opened == 0
    assert len(unreadable) == 1 and TASK_NAME in unreadable[0]
