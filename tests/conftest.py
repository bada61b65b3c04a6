"""Suite-wide fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_results_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the results store at a scratch SQLite file: no test writes into the checkout."""
    path = tmp_path_factory.mktemp("store") / "results.sqlite"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", f"sqlite:///{path}")
    return path
