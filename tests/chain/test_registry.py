"""The generic registry, and plugins adding an interpreter (with its own CLI option), a token
counter and a lint rule through Python entry points — end to end, in a fresh process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specwright import ConfigurationError
from specwright._registry import Registry
from tests._plugins import ROOT, install_plugin, run_cli
from tests.cli.chain_inputs import CHAT, write_conversation, write_spec

PLUGIN = """
from specwright._chain._interpreter import InterpreterOption
from specwright._lint import LintRule


class EchoInterpreter:
    name = "echo"
    options = (InterpreterOption("--echo-answer", "answer", "What to answer.", required=True),)

    def __init__(self, answer):
        self.answer = answer

    @classmethod
    def from_options(cls, values):
        return cls(values["answer"])

    def classify(self, spans, conversation):
        return [self.answer] * len(spans)

    def relate(self, subject, others, conversation):
        return ["none"] * len(others)

    def delegates(self, grantor, targets, conversation):
        return ["no"] * len(targets)

    def capability(self, candidates, conversation):
        return ["within"] * len(candidates)


class CharCounter:
    name = "chars"

    def count(self, text):
        return len(text)


RULE = LintRule("SW901", "plugin-rule", "warning", "A plugin's rule.",
                lambda spec, rule: [rule.finding("hello from a plugin")])
"""

ENTRY_POINTS = """
[specwright.interpreters]
echo = plugin_mod:EchoInterpreter

broken = no_such_module_anywhere:Thing

[specwright.token_counters]
chars = plugin_mod:CharCounter

[specwright.lint_rules]
SW901 = plugin_mod:RULE
"""


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    return install_plugin(tmp_path / "site", "plugin_mod", PLUGIN, ENTRY_POINTS)


def test_registry_registers_gets_and_refuses() -> None:
    registry: Registry[int] = Registry("number", "specwright.test_numbers_none")
    registry.register("one")(1)
    assert registry.get("one") == 1 and registry.names() == ["one"] and "one" in registry
    with pytest.raises(ConfigurationError, match=r"unknown number 'two' \(known: one\)"):
        registry.get("two")
    with pytest.raises(ConfigurationError, match="registered twice"):
        registry.add("one", 2)


def test_registry_loads_builtins_lazily_and_checks_entries() -> None:
    registry: Registry[object] = Registry(
        "thing", "specwright.test_things_none", builtins={"json": "json:dumps", "bad": "nope:x"}
    )
    assert registry.loaded() == {}
    assert registry.get("json") is json.dumps
    with pytest.raises(ConfigurationError, match="cannot load thing 'nope:x'"):
        registry.get("bad")

    def only_ints(entry: object) -> int:
        if not isinstance(entry, int):
            raise TypeError("not an int")
        return entry

    strict: Registry[int] = Registry("int", "specwright.test_ints_none", check=only_ints)
    with pytest.raises(ConfigurationError, match="int 'x': not an int"):
        strict.add("x", "1")


def test_plugin_interpreter_with_its_own_cli_option(plugin_path: Path, tmp_path: Path) -> None:
    chat, spec = write_conversation(tmp_path, CHAT), write_spec(tmp_path)
    args = ["check", str(chat), "--spec", str(spec), "--json", "--interpreter", "echo"]
    done = run_cli(plugin_path, *args, "--echo-answer", "information")
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout)
    assert trace["interpreter"] == "echo"
    classes = {s["classification"] for p in trace["parts"] for s in p["spans"]}
    assert "information" in classes
    missing = run_cli(plugin_path, *args)
    assert missing.returncode == 2 and "--interpreter echo needs --echo-answer" in missing.stderr
    wrong = run_cli(plugin_path, "check", str(chat), "--spec", str(spec), "--echo-answer", "x")
    assert wrong.returncode == 2 and "--echo-answer applies to --interpreter echo" in wrong.stderr


def test_plugin_token_counter_and_lint_rule(plugin_path: Path, tmp_path: Path) -> None:
    chat, spec = write_conversation(tmp_path, CHAT), write_spec(tmp_path)
    done = run_cli(
        plugin_path, "compile", str(chat), "--spec", str(spec), "--json", "--tokens", "chars"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["token_counter"] == "chars"
    linted = run_cli(plugin_path, "lint", str(spec), "--select", "SW901")
    assert "hello from a plugin" in linted.stdout + linted.stderr


def test_the_cli_branches_on_no_interpreter_name() -> None:
    cli = ROOT / "src" / "specwright" / "_cli"
    for path in cli.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("llm", "deterministic"):
            assert f'== "{name}"' not in text and f'!= "{name}"' not in text, path.name


def test_a_broken_plugin_leaves_the_cli_working(plugin_path: Path, tmp_path: Path) -> None:
    chat, spec = write_conversation(tmp_path, CHAT), write_spec(tmp_path)
    fine = run_cli(plugin_path, "check", str(chat), "--spec", str(spec), "--json")
    assert fine.returncode == 0, fine.stderr
    broken = run_cli(
        plugin_path, "check", str(chat), "--spec", str(spec), "--interpreter", "broken"
    )
    assert broken.returncode == 2 and "cannot load interpreter" in broken.stderr
    assert "Traceback" not in broken.stderr
