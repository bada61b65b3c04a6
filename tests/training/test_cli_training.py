"""``export-data`` and ``pack`` from the command line: files, exit codes, the eval warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specwright import example_spec_path, read_spec
from specwright._cli import main
from specwright._training._contamination import contamination_warning


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_data_writes_train_test_and_manifest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "pairs.jsonl"
    code, stdout, err = run(
        capsys, "export-data", "--spec", str(example_spec_path()), "--format", "dpo",
        "--test-share", "0.5", "--seed", "1", "-o", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    manifest = json.loads(stdout)
    assert manifest["format"] == "dpo"
    train = out.read_text(encoding="utf-8").splitlines()
    test = (tmp_path / "pairs.test.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(train) == manifest["counts"]["train"] and len(test) == manifest["counts"]["test"]
    assert (tmp_path / "pairs.manifest.json").is_file()
    assert "train and" in err and "held out" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--format", "dpo", "--from-runs", "nowhere.json"], "no such file"),
        (["--format", "sft", "--from-runs", "."], "preference pairs"),
        (["--format", "yaml"], "'yaml' is not one of"),
        (["--format", "sft", "--test-share", "1.5"], "test-share"),
    ],
)
def test_export_data_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], needle: str
) -> None:
    code, _, err = run(
        capsys, "export-data", "--spec", str(example_spec_path()), *argv,
        "-o", str(tmp_path / "x.jsonl"),
    )  # fmt: skip
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_unwritable_output_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(
        capsys, "export-data", "--spec", str(example_spec_path()), "--format", "sft",
        "-o", str(blocker / "sub" / "x.jsonl"),
    )  # fmt: skip
    assert code == 2 and "cannot write" in err


def test_exported_train_scenarios_make_eval_warn_for_that_model_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, stdout, err = run(
        capsys, "export-data", "--spec", str(example_spec_path()), "--format", "sft",
        "--test-share", "0.5", "--for-model", "my-ft", "--results-db", db,
        "-o", str(tmp_path / "sft.jsonl"), "--json",
    )  # fmt: skip
    assert code == 0, err
    manifest = json.loads(stdout)
    train, test = manifest["train_scenarios"], manifest["test_scenarios"]
    assert train and test
    warning = contamination_warning(db, "openai-roles/local/my-ft", [*train, *test])
    assert warning is not None and f"{len(train)} of {len(train) + len(test)}" in warning
    assert contamination_warning(db, "openai-roles/local/other-model", train) is None
    assert contamination_warning(db, "my-ft", test) is None  # held-out scenarios are fine


def test_pack_cli_writes_file_and_reports_tokens(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "AGENTS.md"
    code, _, err = run(capsys, "pack", "--spec", str(example_spec_path()), "--budget", "600",
                       "-o", str(out))  # fmt: skip
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    spec = read_spec(example_spec_path())
    assert "§" in text and all(spec.get(i) for i in _ids(text))
    assert "of 600 tokens (estimate)" in err
    code, _, err = run(capsys, "pack", "--spec", str(example_spec_path()), "--budget", "20")
    assert code == 2 and "too small" in err


def _ids(text: str) -> list[str]:
    import re

    return re.findall(r"§([\w-]+)", text)
