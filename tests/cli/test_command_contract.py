"""What every command function promises: typed options in, an ``ExitCode`` out.

Options arrive as ``**options: Unpack[SomeOptions]`` (a ``TypedDict`` per command, shared
groups composed in, as inspect_ai's CLI does), never as ``**options: Any`` or a
``dict[str, Any]``; exit codes are made in ``_cli/_exit.py`` and nowhere else. Read from the
registry (what click calls) and from the source (what a helper does with them).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import typing
from pathlib import Path
from typing import get_args

import click
import pytest

from specwright._cli import _COMMANDS, main
from specwright._cli._common import ProfileName
from specwright._cli._exit import ExitCode, command_exit, error_exit, stage_exit, worst
from specwright._errors import ConfigurationError

CLI = Path(__file__).resolve().parents[2] / "src" / "specwright" / "_cli"


def _commands() -> list[tuple[str, click.Command]]:
    """Every command and subcommand click can call, by its registry name."""
    found = []
    for name, target in sorted(_COMMANDS.items()):
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        found.append((name, command))
        found += [(name, sub) for sub in getattr(command, "commands", {}).values()]
    return found


def _checked() -> list[tuple[str, click.Command]]:
    return [(n, c) for n, c in _commands()]


@pytest.mark.parametrize(("name", "command"), _checked(), ids=lambda v: getattr(v, "name", v))
def test_options_arrive_typed(name: str, command: click.Command) -> None:
    assert command.callback is not None
    callback = inspect.unwrap(command.callback)
    hints = typing.get_type_hints(callback, include_extras=True)
    for param in inspect.signature(callback).parameters.values():
        hint = hints.get(param.name)
        assert hint is not None and hint is not typing.Any, (name, param.name)
        if param.kind is param.VAR_KEYWORD:
            assert typing.get_origin(hint) is typing.Unpack, (name, param.name, hint)
            (options,) = typing.get_args(hint)
            assert typing.is_typeddict(options), (name, options)


@pytest.mark.parametrize(("name", "command"), _checked(), ids=lambda v: getattr(v, "name", v))
def test_commands_return_an_exit_code(name: str, command: click.Command) -> None:
    assert command.callback is not None
    returns = inspect.unwrap(command.callback).__annotations__.get("return")
    # A group that only holds subcommands returns nothing (main reads that as OK).
    allowed = {"ExitCode", "None"} if isinstance(command, click.Group) else {"ExitCode"}
    assert returns in allowed, (name, returns)


def _sources() -> list[tuple[str, ast.Module]]:
    return [
        (path.stem, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for path in sorted(CLI.glob("*.py"))
    ]


def _untyped_options(tree: ast.Module) -> list[str]:
    """Parameters named ``options`` (or ``**options``) typed ``Any`` or a ``dict``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.kwarg, args.vararg]
        for arg in params:
            if arg is None or arg.arg != "options":
                continue
            text = ast.unparse(arg.annotation) if arg.annotation else "Any"
            if "Any" in text or "dict[" in text.replace("Unpack[", "") or text == "dict":
                found.append(f"{node.name}:{node.lineno}: {arg.arg}: {text}")
            if arg is args.kwarg and not text.startswith("Unpack["):
                found.append(f"{node.name}:{node.lineno}: **{arg.arg}: {text}")
    return found


def test_no_options_are_untyped_in_the_source() -> None:
    found = {stem: bad for stem, tree in _sources() if (bad := _untyped_options(tree))}
    assert found == {}


def test_the_untyped_finder_finds_them() -> None:
    source = (
        "def a(settings, /, **options: Any) -> int: ...\n"
        "def b(options: dict[str, Any]) -> None: ...\n"
        "def c(settings, /, **options: Unpack[COptions]) -> ExitCode: ...\n"
        "def d(options: COptions) -> None: ...\n"
    )
    found = _untyped_options(ast.parse(source))
    assert [line.split(":")[0] for line in found] == ["a", "a", "b"]


def _exits(tree: ast.Module) -> list[str]:
    """Exit codes made outside ``_exit``: ``ExitCode(n)``, ``sys.exit``/``ctx.exit``/
    ``SystemExit`` with anything but an ``ExitCode`` member or ``main()``, ``os._exit``, a
    number returned where an ``ExitCode`` is promised (mypy refuses that too)."""
    found = _numbers_returned(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        where = f"{node.lineno}: {ast.unparse(node)}"
        if name == "ExitCode" or name.endswith("._exit"):
            found.append(where)
        elif name == "SystemExit" or name.endswith((".exit", "sys.exit")) or name == "exit":
            args = [ast.unparse(a) for a in node.args]
            if not (len(args) == 1 and (args[0].startswith("ExitCode.") or args[0] == "main()")):
                found.append(where)
    return found


_CODE_WORDS = ("exit", "status", "gate")


def _numbers_returned(tree: ast.Module) -> list[str]:
    """``return 1`` where an exit code is meant: in a function that promises an ``ExitCode``,
    or in one returning ``int`` named for an exit code, a status or a gate (a count may be a
    number)."""
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef) or func.returns is None:
            continue
        returns, name = ast.unparse(func.returns), func.name
        if returns == "ExitCode" or (returns == "int" and any(w in name for w in _CODE_WORDS)):
            found += [
                f"{node.lineno}: {ast.unparse(node)}"
                for node in ast.walk(func)
                if isinstance(node, ast.Return) and _is_number(node.value)
            ]
    return found


def _is_number(node: ast.expr | None) -> bool:
    if isinstance(node, ast.IfExp):
        return _is_number(node.body) or _is_number(node.orelse)
    return isinstance(node, ast.Constant) and type(node.value) is int


def test_exit_codes_are_made_in_one_place() -> None:
    found = {stem: bad for stem, tree in _sources() if stem != "_exit" and (bad := _exits(tree))}
    assert found == {}


def test_the_exit_finder_finds_them() -> None:
    source = (
        "sys.exit(3)\nctx.exit(1)\nraise SystemExit(0)\nos._exit(1)\nExitCode(n)\n"
        "sys.exit(main())\nraise SystemExit(ExitCode.OK)\nctx.exit(ExitCode.USAGE)\n"
        "def gate() -> ExitCode:\n    return 1\n"
        "def exit_code() -> int:\n    return 1 if failed else 0\n"
        "def count() -> int:\n    return 0\n"  # a count, not a code
        "def fine() -> ExitCode:\n    return ExitCode.OK\n"
    )
    found = sorted(int(line.split(":")[0]) for line in _exits(ast.parse(source)))
    assert found == [1, 2, 3, 4, 5, 10, 12]


def test_exit_code_mapping() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 130, 143]
    assert error_exit(click.UsageError("bad")) is ExitCode.USAGE
    assert error_exit(click.ClickException("bad")) is ExitCode.USAGE
    assert error_exit(ConfigurationError("bad")) is ExitCode.USAGE
    assert error_exit(KeyboardInterrupt()) is ExitCode.INTERRUPTED
    assert error_exit(click.Abort()) is ExitCode.INTERRUPTED
    assert error_exit(click.exceptions.Exit(0)) is ExitCode.OK
    assert stage_exit(143) is ExitCode.TERMINATED and stage_exit(1) is ExitCode.FINDINGS
    assert worst() is ExitCode.OK
    assert worst(ExitCode.OK, ExitCode.FINDINGS, ExitCode.OK) is ExitCode.FINDINGS
    assert command_exit(None) is ExitCode.OK and command_exit(ExitCode.FINDINGS) == 1
    with pytest.raises(ValueError):
        command_exit(7)  # a code nobody declared is a bug, not an exit status
    with pytest.raises(ValueError):
        command_exit("0")  # type: ignore[arg-type]


def test_main_returns_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) is ExitCode.OK
    assert main(["lint", "--no-such-option"]) is ExitCode.USAGE
    assert main(["lint", "no/such/spec.md"]) is ExitCode.USAGE
    capsys.readouterr()


def test_profile_names_are_the_llm_profiles() -> None:
    # Spelled out in the CLI so that --help loads nothing; they must stay the real ones.
    from specwright._llm import PROFILES

    assert set(get_args(ProfileName)) == set(PROFILES)
