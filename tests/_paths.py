"""Where tests find data outside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_SPEC_VERSION = "2025-12-18"


def real_spec_dir() -> Path | None:
    """The real OpenAI Model Spec: ``SPECWRIGHT_TEST_SPEC_DIR``, else beside the project
    (``../shared/...``), else ``None``."""
    given = os.environ.get("SPECWRIGHT_TEST_SPEC_DIR")
    default = REPO_ROOT.parent / "shared" / "data" / "openai-model-spec" / REAL_SPEC_VERSION
    path = Path(given) if given else default
    return path if (path / "model_spec.md").is_file() else None


def require_real_spec() -> Path:
    """The real spec's directory, or skip the test with the reason."""
    path = real_spec_dir()
    if path is None:
        pytest.skip(
            "real OpenAI Model Spec not found (set SPECWRIGHT_TEST_SPEC_DIR, or put it at "
            f"../shared/data/openai-model-spec/{REAL_SPEC_VERSION} beside the checkout)"
        )
    return path
