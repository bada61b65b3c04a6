"""``--help`` of every command: examples, and lines that fit a terminal."""

from __future__ import annotations

import importlib

import click
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


@pytest.mark.parametrize("command", sorted(_COMMANDS))
def test_every_option_says_what_it_does(command: str) -> None:
    module, attr = _COMMANDS[command].split(":")
    cmd = getattr(importlib.import_module(module), attr)
    silent = [p.name for p in cmd.params if isinstance(p, click.Option) and not p.help]
    assert silent == [], f"{command}: options without help: {silent}"
