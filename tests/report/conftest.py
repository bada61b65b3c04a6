from __future__ import annotations

import os

import pytest


@pytest.fixture
def update_golden() -> bool:
    """Regenerate golden files instead of comparing (SPECWRIGHT_UPDATE_GOLDEN=1)."""
    return os.environ.get("SPECWRIGHT_UPDATE_GOLDEN") == "1"
