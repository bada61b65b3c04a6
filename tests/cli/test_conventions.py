"""One command line: every command's ``--help`` and errors follow the shared conventions.

Walks the registry, so a command added later is checked too: the spec is ``--spec SPEC``, the
results store ``--results-db URL`` (``--db`` an alias), defaults from the environment read
``[env: NAME]``, every error is one line starting ``specwright: error:``.
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from pathlib import Path

import click
import pytest

from specwright._cli import _COMMANDS, _SUMMARIES, main
from specwright._reader import example_spec_path

_ENV_NAME_RE = re.compile(r"\b(?:SPECWRIGHT|INSPECT|OPENAI|ANTHROPIC|LOCAL)_[A-Z0-9_]+\b")
_ENV_NOTE_RE = re.compile(r"\[env: [^\]]+\]$")
_OLD_NOTATIONS = ("default: SPECWRIGHT", "default SPECWRIGHT", "[env INSPECT", "from OPENAI_")


def _command(name: str) -> click.Command:
    module, attr = _COMMANDS[name].split(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command)
    return command


def _params(name: str) -> list[click.Parameter]:
    """The command's parameters and, for a group, its subcommands' too."""
    command = _command(name)
    params = list(command.params)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            params.extend(sub.params)
    return params


def _options(name: str) -> list[click.Option]:
    return [p for p in _params(name) if isinstance(p, click.Option)]


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_the_spec_is_spec_option_everywhere(name: str) -> None:
    params = _params(name)
    spec = [p for p in params if p.name == "spec_path"]
    for option in spec:
        assert isinstance(option, click.Option)
        assert (option.opts, option.metavar) == (["--spec"], "SPEC")
        assert (option.help or "").endswith("[env: SPECWRIGHT_SPEC]")
    assert all(p.name == "spec_path" for p in params if "--spec" in p.opts), name
    # The only other way to pass it: the optional positional alias of the four spec commands.
    arguments = [p for p in params if isinstance(p, click.Argument) and "spec" in (p.name or "")]
    assert all(not a.required and a.metavar == "[SPEC]" for a in arguments), name
    assert bool(arguments) == (name in _SPEC_COMMANDS), name


_SPEC_COMMANDS = {"show", "lint", "stats", "export", "site", "pack"}
"""The commands about one spec: they also take it as their argument (``[SPEC]``)."""

# Every command reads a spec with --spec, except these, which read none.
_NO_SPEC = {
    "history": "reads the results store",
    "init": "writes a new spec on --base",
    "scenarios": "reviews a scenario file",
}
# Every command that prints something takes --json, except these, which write files or serve.
_NO_JSON = {
    "init": "writes a spec",
    "site": "writes a website",
    "serve": "runs a server",
    "studio": "runs a server",
}


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_every_command_that_reads_a_spec_takes_spec(name: str) -> None:
    takes = any("--spec" in p.opts for p in _params(name))
    assert takes is (name not in _NO_SPEC), name


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_every_command_with_output_takes_json(name: str) -> None:
    flags = [o for o in _options(name) if "--json" in o.opts]
    assert bool(flags) is (name not in _NO_JSON), name
    assert all(o.is_flag and o.opts == ["--json"] for o in flags), name


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_format_is_always_an_output_and_inputs_say_so(name: str) -> None:
    # --format chooses what a command writes; what it reads is --input-format. Old spellings
    # survive only as hidden aliases.
    for option in _options(name):
        text = (option.help or "").lower()
        reads = text.startswith(("conversation format", "input format", "format of the input"))
        if "--format" in option.opts and not option.hidden:
            assert not reads, (name, option.help)
        if reads:
            assert option.opts == ["--input-format"], (name, option.opts)
    inputs = {n for n in _COMMANDS if any("--input-format" in o.opts for o in _options(n))}
    assert inputs == {"check", "compile"}


@pytest.mark.parametrize(
    ("argv", "old"),
    [
        (["diff", "{spec}", "{spec}", "--json"], ["--spec", "{spec}", "{spec}", "--json"]),
        (["compose", "{spec}", "{layer}", "--json"], ["--spec", "{spec}", "{layer}"]),
        (["pack", "{spec}", "--json"], ["--spec", "{spec}", "--json"]),
        (["export", "{spec}", "--json"], ["{spec}", "--format", "json"]),
    ],
)
def test_specs_and_json_read_the_same_every_way(
    argv: list[str],
    old: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    spec = str(example_spec_path())
    layer = tmp_path / "layer" / "model_spec.md"
    layer.parent.mkdir()
    layer.write_text("---\ntitle: Layer\n---\n\n# Our tone {#our_tone}\n\nBe brief.\n")
    outputs = []
    for args in (argv, [argv[0], *old]):
        assert main([a.format(spec=spec, layer=layer.parent) for a in args]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] and outputs[0] == outputs[1]


def test_diff_and_compose_need_their_specs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPECWRIGHT_SPEC", raising=False)
    spec = str(example_spec_path())
    for argv, needle in (
        (["diff", spec], "diff needs two specs: OLD NEW, or --spec OLD and NEW"),
        (["diff", spec, spec, "--spec", spec], "two old specs given"),
        (["compose", spec], "compose needs BASE and an OVERLAY"),
        (["export", spec, "--json", "--format", "markdown"], "--json contradicts --format"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and needle in err, err


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_the_results_store_is_results_db_everywhere(name: str) -> None:
    for option in _options(name):
        if {"--db", "--results-db"} & set(option.opts):
            assert option.opts == ["--results-db", "--db"], name
            assert option.metavar == "URL"
            assert (option.help or "").endswith(
                "[env: SPECWRIGHT_RESULTS_DB; default: sqlite:///specwright-results.sqlite]"
            )


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_environment_defaults_have_one_notation(name: str) -> None:
    for option in _options(name):
        text = option.help or ""
        for old in _OLD_NOTATIONS:
            assert old not in text, (name, option.opts, text)
        names = _ENV_NAME_RE.findall(text)
        if option.envvar or names:
            note = _ENV_NOTE_RE.search(text)
            assert note is not None, (name, option.opts, text)
            assert set(names) <= set(_ENV_NAME_RE.findall(note.group())), (name, text)
        if option.envvar:
            assert f"[env: {option.envvar}" in text, (name, option.opts)


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_help_shows_the_conventions(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # click wraps help over lines
    assert text.startswith(f"Usage: specwright {name} ")
    assert "-h, --help" in text
    own = _command(name).params  # a group's subcommands have their own --help
    if any(p.name == "spec_path" for p in own):
        assert "--spec SPEC" in text and "[env: SPECWRIGHT_SPEC]" in text
    if any("--results-db" in p.opts for p in own):
        assert "--results-db, --db URL" in text


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_every_error_has_one_prefix(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--no-such-option"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("specwright: error: No such option '--no-such-option'")
    assert err.rstrip().endswith(f"(try 'specwright {name} --help')")


def test_bare_specwright_prints_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("Usage: specwright [OPTIONS] COMMAND [ARGS]...")
    for name, summary in _SUMMARIES.items():
        assert name in out and summary.split()[0] in out


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_command_typos_get_suggestions(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    typo = name[1] + name[0] + name[2:]  # the first two letters swapped
    assert main([typo]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"specwright: error: No such command '{typo}'; did you mean ")
    assert f"'{name}'" in err and err.count("\n") == 1


def test_no_suggestion_for_a_word_like_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["zzzz"]) == 2
    assert capsys.readouterr().err == (
        "specwright: error: No such command 'zzzz'. (try 'specwright --help')\n"
    )


@pytest.mark.parametrize(
    "command", [["show"], ["lint", "--json"], ["stats"], ["export", "--format", "json"]]
)
def test_spec_by_option_argument_or_environment_reads_the_same(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = str(example_spec_path())
    outputs = []
    for argv in ([*command, spec], [*command, "--spec", spec], [*command, spec, "--spec", spec]):
        assert main(argv) in (0, 1)
        outputs.append(capsys.readouterr().out)
    monkeypatch.setenv("SPECWRIGHT_SPEC", spec)
    assert main(command) in (0, 1)
    outputs.append(capsys.readouterr().out)
    assert outputs[0] != "" and outputs.count(outputs[0]) == len(outputs)


def test_db_stays_an_alias_of_results_db(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for option, name in (("--db", "a.db"), ("--results-db", "b.db")):
        url = f"sqlite:///{tmp_path / name}"
        assert main(["history", "--no-index", "--json", option, url]) == 0
        assert (tmp_path / name).is_file()
    capsys.readouterr()


def _typed_options(command: click.Command) -> set[str] | None:
    """The keys of the ``**options: Unpack[TypedDict]`` a command's callback takes, if any."""
    callback = inspect.unwrap(command.callback) if command.callback else None
    if callback is None:
        return None
    hints = typing.get_type_hints(callback, include_extras=True)
    kwargs = [p for p in inspect.signature(callback).parameters.values() if p.kind is p.VAR_KEYWORD]
    if not kwargs or typing.get_origin(hints.get(kwargs[0].name)) is not typing.Unpack:
        return None
    (options,) = typing.get_args(hints[kwargs[0].name])
    return set(options.__required_keys__ | options.__optional_keys__)


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_typed_options_match_the_command_line(name: str) -> None:
    # A command typed with TypedDict + Unpack receives exactly the options its type declares.
    command = _command(name)
    for cmd in [command, *getattr(command, "commands", {}).values()]:
        declared = _typed_options(cmd)
        if declared is None:
            continue
        named = {p.name for p in cmd.params if p.name} - set(
            inspect.signature(inspect.unwrap(cmd.callback)).parameters  # type: ignore[arg-type]
        )
        assert declared == named, (cmd.name, declared ^ named)


def test_the_typed_commands() -> None:
    typed = {
        sub.name
        for name in _COMMANDS
        for sub in [_command(name), *getattr(_command(name), "commands", {}).values()]
        if _typed_options(sub) is not None
    }
    assert {
        "export-data", "review", "decisions", "eval", "calibrate", "generate", "propose", "serve"
    } <= typed  # fmt: skip
