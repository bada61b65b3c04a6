"""An eval prints through the display it asks for, whatever display an earlier run used.

Inspect keeps the first display it builds for the whole process. Without care, a run asking
for ``none`` after one with ``plain`` prints plain progress into the caller's stdout (two tests
that parse ``--json`` from stdout failed that way whenever a worker process had run a plain eval
before them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval

from specwright._eval._run import EvalOptions, run_eval
from tests.eval.conftest import eval_spec


def test_a_quiet_run_after_a_plain_one_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    # An earlier plain run in this process (an empty task: only its display matters), then
    # Inspect called directly with display="none" (as a caller may): it prints through the
    # kept plain display, its own affair, and leaves that display kept and the type "none".
    for display in ("plain", "none"):
        inspect_eval(Task(), model="mockllm/model", display=display, log_dir=str(tmp_path))
    capsys.readouterr()
    options = EvalOptions(
        spec=str(spec_file),
        model="mockllm/model",
        grader="mockllm/model",
        log_dir=tmp_path / "logs",
        display="none",
        limit=1,
        grader_samples=1,
        max_retries=0,
    )
    run_eval(options)
    assert capsys.readouterr().out == ""
