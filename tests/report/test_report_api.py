from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import specwright

SRC = Path(__file__).resolve().parents[2] / "src"
REPORT_NAMES = [
    "ResultsStore", "RunDiff", "SectionPoint", "StoredRun", "diff_runs", "index_run",
    "render_report",
]  # fmt: skip


def test_import_specwright_stays_light() -> None:
    code = (
        "import sys, specwright\n"
        "heavy = [m for m in ('sqlalchemy', 'specwright._results._store', 'playwright')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "specwright.render_report\n"
        "assert 'sqlalchemy' not in sys.modules\n"
        "specwright.ResultsStore\n"
        "assert 'sqlalchemy' in sys.modules\n"
    )
    env = {"PYTHONPATH": str(SRC)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_report_names_are_exported_lazily() -> None:
    for name in REPORT_NAMES:
        assert name in specwright.__all__
        assert getattr(specwright, name).__name__ == name
        assert name in dir(specwright)


def test_unknown_attribute_still_raises() -> None:
    try:
        getattr(specwright, "no_such_name")  # noqa: B009
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_commands_are_registered(capsys: pytest.CaptureFixture[str]) -> None:
    from specwright._cli import main

    for command in ("report", "history"):
        assert main([command, "--help"]) == 0
        assert f"Usage: specwright {command}" in capsys.readouterr().out
