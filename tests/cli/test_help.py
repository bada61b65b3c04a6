"""``--help`` of every command: examples, and lines that fit a terminal."""

from __future__ import annotations

import pytest

from specwright._cli import _COMMANDS, main
from specwright._lint import lint_rules


@pytest.mark.parametrize("command", sorted(_COMMANDS))
def test_help_has_examples_and_fits_80_columns(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert f"specwright {command} " in text.split("Options:")[0].split("Usage:")[1]
    assert "Examples:" in text
    assert max(len(line) for line in text.splitlines()) <= 80, text


def test_lint_help_lists_one_rule_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for rule in lint_rules():
        assert any(line.startswith(f"    {rule.code} {rule.name} (") for line in lines), rule.code
    assert not any("``" in line for line in lines)
