from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str) -> None:
    """Compare with ``golden/<name>``; rewrite it instead when SPECWRIGHT_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("SPECWRIGHT_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run with SPECWRIGHT_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture
def golden() -> object:
    return check_golden
