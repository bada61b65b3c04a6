"""Where tests find data outside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_SPEC_VERSION = "2025-12-18"
SPEC_DIR_VARIABLE = "SPECWRIGHT_TEST_SPEC_DIR"
"""Environment variable naming the real spec's directory (the version directory holding
``model_spec.md``, or the ``openai-model-spec`` directory above it)."""


def _candidates() -> list[Path]:
    paths = []
    given = os.environ.get(SPEC_DIR_VARIABLE)
    if given:
        paths += [Path(given), Path(given) / REAL_SPEC_VERSION]
    paths.append(REPO_ROOT.parent / "shared" / "data" / "openai-model-spec" / REAL_SPEC_VERSION)
    return paths


def real_spec_dir() -> Path | None:
    """The real OpenAI Model Spec: ``$SPECWRIGHT_TEST_SPEC_DIR``, else ``../shared/...``."""
    return next((p for p in _candidates() if (p / "model_spec.md").is_file()), None)


def require_real_spec() -> Path:
    """The real spec's directory, or skip the test with the reason."""
    path = real_spec_dir()
    if path is None:
        given = os.environ.get(SPEC_DIR_VARIABLE)
        tried = f"{SPEC_DIR_VARIABLE}={given}" if given else f"{SPEC_DIR_VARIABLE} (unset)"
        pytest.skip(
            f"real OpenAI Model Spec not found: set {tried} to its directory, or put it at "
            f"../shared/data/openai-model-spec/{REAL_SPEC_VERSION} beside the checkout"
        )
    return path
