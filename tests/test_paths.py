"""Tests find the real spec through SPECWRIGHT_TEST_SPEC_DIR as well as ``../shared/...``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import _paths


def _fake_spec(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "model_spec.md").write_text("# spec\n", encoding="utf-8")
    return directory


def test_the_variable_names_the_version_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_paths, "REPO_ROOT", tmp_path / "nowhere" / "repo")
    spec = _fake_spec(tmp_path / "elsewhere")
    monkeypatch.setenv(_paths.SPEC_DIR_VARIABLE, str(spec))
    assert _paths.real_spec_dir() == spec
    assert _paths.require_real_spec() == spec


def test_the_variable_may_name_the_directory_of_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_paths, "REPO_ROOT", tmp_path / "nowhere" / "repo")
    spec = _fake_spec(tmp_path / "openai-model-spec" / _paths.REAL_SPEC_VERSION)
    monkeypatch.setenv(_paths.SPEC_DIR_VARIABLE, str(spec.parent))
    assert _paths.real_spec_dir() == spec


def test_beside_the_checkout_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_paths, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.delenv(_paths.SPEC_DIR_VARIABLE, raising=False)
    spec = _fake_spec(tmp_path / "shared" / "data" / "openai-model-spec" / "2025-12-18")
    assert _paths.real_spec_dir() == spec


def test_the_skip_reason_names_both_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_paths, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.setenv(_paths.SPEC_DIR_VARIABLE, str(tmp_path / "missing"))
    with pytest.raises(pytest.skip.Exception) as skipped:
        _paths.require_real_spec()
    reason = str(skipped.value)
    assert "SPECWRIGHT_TEST_SPEC_DIR=" + str(tmp_path / "missing") in reason
    assert "../shared/data/openai-model-spec/2025-12-18" in reason
