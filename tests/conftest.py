"""Suite-wide fixtures, and which tests must share one process when the suite runs in parallel."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``pytest -n`` (``--dist loadgroup``), one worker runs every test that uses the one
    scratch PostgreSQL database (``$SPECWRIGHT_TEST_POSTGRES_URL``; they have ``postgresql``
    in their names), one after another as in a serial run: one of them drops every table."""
    for item in items:
        if "postgresql" in item.name:
            item.add_marker(pytest.mark.xdist_group("postgresql"))


def pytest_configure(config: pytest.Config) -> None:
    """Restore Ctrl-C when the suite was started with SIGINT ignored (in the background of a
    non-interactive shell): the commands the interruption tests start would inherit it and
    finish instead of stopping."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _isolated_results_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the results store at a scratch SQLite file: no test writes into the checkout."""
    path = tmp_path_factory.mktemp("store") / "results.sqlite"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", f"sqlite:///{path}")
    return path


@pytest.fixture(autouse=True)
def _no_inherited_inspect_display() -> None:
    """Start each test without the progress display an earlier test left Inspect holding.

    Inspect keeps the display it built first for the whole process; a test calling Inspect
    directly with ``display="none"`` would print through an earlier test's ``plain`` one into
    its captured stdout (which tests then parse), depending on which tests ran before it in
    the same process (under xdist, on the same worker).
    """
    active = sys.modules.get("inspect_ai._display.core.active")
    if active is not None:
        active._active_display = None  # type: ignore[attr-defined]
