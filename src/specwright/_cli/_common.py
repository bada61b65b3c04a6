"""Helpers shared by CLI commands: the shared options, loading specs, writing JSON, consoles.

Options that several commands take are built here once (``--spec``, ``--results-db``,
``--log-dir``, ``--profile``, ``--json``) so that their names, metavars and help read the same
everywhere; each comes with the ``TypedDict`` of what click passes for it (:class:`SpecOption`,
...), from which a command's own options type is composed.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict, TypeVar, cast, get_args

import click
from pydantic import BaseModel
from rich.console import Console

from specwright._cli import ERROR_PREFIX
from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._llm import ModelProfile

__all__ = [
    "ERROR_PREFIX",
    "SPEC_FORMATS",
    "DraftingOptions",
    "JsonOption",
    "LogDirOption",
    "ProfileName",
    "ProfileOption",
    "ResultsDbOption",
    "SpecFormat",
    "SpecOption",
    "chosen_spec_format",
    "echo_json",
    "emit_spec",
    "env_help",
    "err_console",
    "format_or_json",
    "json_flag",
    "load_spec_option",
    "log_dir_option",
    "model_profile",
    "out_console",
    "plural",
    "profile_option",
    "resolve_log_dir",
    "results_db_option",
    "spec_argument",
    "spec_format_option",
    "spec_input",
    "spec_option",
    "spec_option_for",
    "spec_path_or_setting",
    "warn_deprecated",
    "writing",
]


_F = TypeVar("_F", bound=Callable[..., Any])

SpecFormat: TypeAlias = Literal["json", "markdown"]
"""How a spec is written out: the typed model as JSON, or markdown in the dialect."""

SPEC_FORMATS: tuple[SpecFormat, ...] = get_args(SpecFormat)
"""Every :data:`SpecFormat`, in the order ``--format`` lists them."""

ProfileName: TypeAlias = Literal["openai", "llama-cpp", "vllm", "ollama", "generic"]
"""specwright._llm.PROFILES' names, spelled out so that --help loads nothing (a test checks)."""


class SpecOption(TypedDict):
    """``--spec SPEC`` (:func:`spec_option`)."""

    spec_path: Path | None
    """The spec given; ``None``: the ``SPECWRIGHT_SPEC`` setting."""


class ResultsDbOption(TypedDict):
    """``--results-db URL`` under its usual name (:func:`results_db_option`)."""

    results_db: str | None
    """The store given; ``None``: the ``SPECWRIGHT_RESULTS_DB`` setting."""


class LogDirOption(TypedDict):
    """``--log-dir DIR`` under its usual name (:func:`log_dir_option`)."""

    log_dir: Path | None
    """The directory given; ``None``: see :func:`resolve_log_dir`."""


class ProfileOption(TypedDict):
    """``--profile NAME`` (:func:`profile_option`)."""

    profile: ProfileName | None
    """The profile given; ``None``: the ``SPECWRIGHT_MODEL_PROFILE`` setting."""


class DraftingOptions(ProfileOption):
    """How a drafting model is asked: ``generate``'s generator and ``propose``'s model."""

    temperature: float
    """``--temperature``."""
    seed: int
    """``--seed`` of the first request."""
    timeout: float | None
    """``--timeout`` seconds per request; ``None``: the profile's."""
    max_tokens: int
    """``--max-tokens``: the longest reply."""


class JsonOption(TypedDict):
    """``--json``: machine output on stdout."""

    as_json: bool


def env_help(text: str, *names: str, default: str | None = None) -> str:
    """``text`` and the one notation for defaults from the environment.

    ``[env: A, else B; default: x]``: every option that falls back to a variable says so
    this way (a CLI test checks every command's help for it).
    """
    tail = f"; default: {default}" if default is not None else ""
    return f"{text} [env: {', else '.join(names)}{tail}]"


_SPEC_HELP = "The spec: model_spec.md, a directory holding one, or a JSON export."


def spec_option(func: _F) -> _F:
    """``--spec SPEC``, passed as ``spec_path`` (``None``: the ``SPECWRIGHT_SPEC`` setting)."""
    return spec_option_for(_SPEC_HELP)(func)


def spec_option_for(text: str) -> Callable[[_F], _F]:
    """:func:`spec_option` with a command's own help text (the env note is added)."""
    return click.option(
        "--spec",
        "spec_path",
        metavar="SPEC",
        type=click.Path(path_type=Path),
        help=env_help(text, "SPECWRIGHT_SPEC"),
    )


def spec_input(func: _F) -> _F:
    """``--spec SPEC`` and the positional ``[SPEC]`` as its alias, merged into ``spec_path``.

    For ``show``, ``lint``, ``stats`` and ``export``, which took the spec as an argument
    before every command took ``--spec``. Both forms at once must agree.
    """

    @functools.wraps(func)
    def merged(*args: Any, **kwargs: Any) -> Any:
        positional = kwargs.pop("spec_positional")
        if positional is not None:
            given = kwargs.get("spec_path")
            if given is not None and given != positional:
                raise click.UsageError(f"two specs given: {positional} and --spec {given}")
            kwargs["spec_path"] = positional
        return func(*args, **kwargs)

    argument = click.argument(
        "spec_positional", metavar="[SPEC]", required=False, type=click.Path(path_type=Path)
    )
    return cast(_F, argument(spec_option(merged)))


spec_argument = spec_input
"""The former name of :func:`spec_input` (commands written before ``--spec`` everywhere)."""


def results_db_option(dest: str = "results_db") -> Callable[[_F], _F]:
    """``--results-db URL`` (``--db`` kept as an alias), passed as ``dest``."""
    return click.option(
        "--results-db",
        "--db",
        dest,
        metavar="URL",
        help=env_help(
            "Results store (SQLAlchemy URL: sqlite:///FILE or postgresql://...).",
            "SPECWRIGHT_RESULTS_DB",
            default="sqlite:///specwright-results.sqlite",
        ),
    )


_PROFILES: tuple[ProfileName, ...] = get_args(ProfileName)


def profile_option() -> Callable[[_F], _F]:
    """``--profile NAME``: what the model's server accepts (roles, shapes, structured output)."""
    return click.option(
        "--profile",
        "profile",
        type=click.Choice(_PROFILES),
        help=env_help(
            "What the model server accepts (developer role, content parts, structured output) "
            "and how hard to push it (connections, timeout); unset, the openai profile, "
            "narrowed by the server's first refusal.",
            "SPECWRIGHT_MODEL_PROFILE",
            default="openai",
        ),
    )


def model_profile(profile: ProfileName | None, settings: Settings | None) -> ModelProfile:
    """The :class:`specwright._llm.ModelProfile` that ``--profile`` or the setting names."""
    from specwright._llm import profile_named

    if profile:
        return profile_named(profile)
    name = settings.model_profile if settings is not None else None
    return profile_named(name, setting="SPECWRIGHT_MODEL_PROFILE")


def log_dir_option(dest: str, text: str) -> Callable[[_F], _F]:
    """``--log-dir DIR`` (click reads ``INSPECT_LOG_DIR``), passed as ``dest``."""
    return click.option(
        "--log-dir",
        dest,
        metavar="DIR",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="INSPECT_LOG_DIR",
        help=env_help(text, "INSPECT_LOG_DIR", "SPECWRIGHT_LOG_DIR", default="./logs"),
    )


def load_spec_option(path: Path | None, settings: Settings | None = None) -> Spec:
    """Read the spec at ``path`` (else ``SPECWRIGHT_SPEC``); bad input raises SpecError."""
    from specwright._layers._read import read_spec

    path = spec_path_or_setting(path, settings)
    if path is None:
        raise ConfigurationError("no spec given: pass --spec SPEC or set SPECWRIGHT_SPEC")
    return read_spec(path)


def spec_path_or_setting(path: Path | None, settings: Settings | None = None) -> Path | None:
    """``path``, else the ``SPECWRIGHT_SPEC`` setting; ``None`` when neither is given."""
    if settings is None:
        # Commands without settings still honour SPECWRIGHT_SPEC: they ride on ctx.obj.
        ctx = click.get_current_context(silent=True)
        settings = ctx.find_object(Settings) if ctx is not None else None
    if path is None and settings is not None:
        path = settings.spec
    return path


def echo_json(data: Any) -> None:
    """Print ``data`` (a pydantic model, or JSON-able data) as indented JSON on stdout."""
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=2)
    else:
        text = json.dumps(_plain(data), indent=2, ensure_ascii=False)
    click.echo(text)


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    return data


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 block``, ``2 blocks``: a count and its noun, agreeing (``many`` when not ``+s``)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def warn_deprecated(old: str, new: str) -> None:
    """One stderr line for a deprecated spelling that still works: what to type instead."""
    click.echo(f"warning: {old} is deprecated here: use {new}", err=True)


def out_console() -> Console:
    """A console on stdout for human output (no colour when not a terminal, or when off)."""
    # Piped output is read by tools and people alike: never crop trees or tables at 80 columns.
    width = None if sys.stdout.isatty() else 160
    return Console(
        file=sys.stdout, highlight=False, soft_wrap=True, no_color=not _colour(), width=width
    )


def err_console() -> Console:
    """A console on stderr for diagnostics."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True, no_color=not _colour())


def _colour() -> bool:
    # The settings ride on the click context (``ctx.obj``); outside a command, colour is on.
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_object(Settings) if ctx is not None else None
    return settings.color if settings is not None else True


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing output to ``path`` into a one-line input error."""
    try:
        yield
    except OSError as exc:
        target = exc.filename or path
        # mkdir over a file says "File exists"; what the user needs to hear is the reverse.
        reason = "not a directory" if isinstance(exc, FileExistsError) else exc.strerror
        raise ConfigurationError(f"{target}: cannot write ({reason or exc})") from None


def resolve_log_dir(option: Path | None, settings: Settings) -> Path:
    """Where Inspect logs live: ``--log-dir`` (or ``INSPECT_LOG_DIR``, which click reads for
    the option), else ``SPECWRIGHT_LOG_DIR``, else ``./logs``. The one rule every command uses.
    """
    return option or settings.log_dir or Path("logs")


json_flag = click.option("--json", "as_json", is_flag=True, help="Short for --format json.")
"""``--json`` where ``--format`` chooses the output: the same flag as every other command's."""


def format_or_json(fmt: str | None, as_json: bool) -> str | None:
    """``--format``, or ``json`` for ``--json``; the two may not disagree."""
    if as_json and fmt not in (None, "json"):
        raise ConfigurationError(f"--json contradicts --format {fmt}")
    return "json" if as_json else fmt


def spec_format_option(help: str, *, required: bool = False) -> Callable[[_F], _F]:
    """``--format json|markdown`` (and ``--json``) for the commands that write a spec, passed
    as ``fmt`` and ``as_json``; ``required``: one of them must be given (checked by
    :func:`chosen_spec_format`)."""
    note = " Required, unless --json." if required else ""
    option = click.option("--format", "fmt", type=click.Choice(SPEC_FORMATS), help=help + note)

    def decorate(func: _F) -> _F:
        return option(json_flag(func))

    return decorate


def chosen_spec_format(fmt: SpecFormat | None, as_json: bool) -> SpecFormat | None:
    """The spec format ``--format``/``--json`` chose (``None``: neither was given)."""
    chosen = format_or_json(fmt, as_json)
    return None if chosen is None else cast(SpecFormat, chosen)


def emit_spec(
    spec: Spec,
    fmt: SpecFormat,
    output: Path | None,
    *,
    dir_note: str = "",
    file_note: str = "",
) -> None:
    """Write ``spec`` as JSON or dialect markdown: to stdout, to a file, or (markdown) to a
    directory holding ``model_spec.md`` and ``examples/``; the notes end the "wrote" line."""
    from specwright._writer import save_spec, write_spec

    if fmt == "markdown" and output is not None and (output.is_dir() or not output.suffix):
        with writing(output):
            save_spec(spec, output)
        click.echo(f"wrote {output}/model_spec.md{dir_note}", err=True)
        return
    text = spec.model_dump_json(indent=2) if fmt == "json" else write_spec(spec)
    if fmt == "markdown" and spec.eval_files:
        # One markdown file holds no examples/*.md: say so rather than drop them silently.
        click.echo(
            f"warning: {len(spec.eval_files)} eval prompt files not written; "
            "give -o a directory to keep examples/",
            err=True,
        )
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    with writing(output):
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    click.echo(f"wrote {output}{file_note}", err=True)
