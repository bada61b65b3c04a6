"""Helpers shared by ``specwright report`` and ``specwright history``."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from specwright._cli._common import writing
from specwright._errors import ConfigurationError
from specwright._registry import Registry
from specwright._report._formats import BUILTIN_FORMATS, FORMAT_BY_SUFFIX, ReportFormat
from specwright._report._load import MISSING_EVAL, LogReader
from specwright._results import RunResult

__all__ = ["RegistryChoice", "format_option", "infer_format", "log_reader", "write_output"]

_F = TypeVar("_F", bound=Callable[..., Any])


class RegistryChoice(click.Choice[str]):
    """A choice among a registry's names, plugins' included.

    The names are listed when click first needs them (help, parsing, completion), not when
    the command is defined, so that loading a command scans no entry points.
    """

    def __init__(self, registry: Registry[Any], first: Sequence[str] = ()) -> None:
        self.registry = registry
        self.first = tuple(first)
        """Listed first, in this order (the built-ins); the other names follow sorted."""
        super().__init__((), case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        names = self.registry.names()
        return (*(n for n in self.first if n in names), *(n for n in names if n not in self.first))

    @choices.setter
    def choices(self, _value: Sequence[str]) -> None:
        """Ignored: ``click.Choice.__init__`` sets it, the registry is the source."""


def format_option(registry: Registry[Any]) -> Callable[[_F], _F]:
    """``--format NAME``, one of ``registry``'s formats, passed as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=RegistryChoice(registry, first=BUILTIN_FORMATS),
        help="Output format (default: from -o's suffix, markdown on stdout).",
    )


def infer_format(explicit: str | None, output: Path | None) -> ReportFormat | str:
    """``--format`` if given; else from ``-o``'s suffix (HTML by default); stdout: markdown."""
    if explicit is not None:
        return explicit
    if output is None:
        return "markdown"
    return FORMAT_BY_SUFFIX.get(output.suffix.lower(), "html")


def write_output(text: str, output: Path | None) -> None:
    """Write to ``output`` (saying so on stderr) or to stdout."""
    if output is None:
        click.echo(text, nl=False)
        return
    with writing(output):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


def log_reader() -> LogReader | None:
    """The eval package as the reports' Inspect log reader, or ``None`` without the extra.

    The CLI is where the eval package and the reports meet: reports never import it. It is
    imported when a log is first read: seconds of Inspect start-up that a report or history
    of run JSON files never needs.
    """
    if not all(_importable(name) for name in _EVAL_MODULES):
        return None
    return _EvalLogReader()


def _importable(name: str) -> bool:
    if name in sys.modules:  # loaded already (or blocked: None)
        return sys.modules[name] is not None
    return importlib.util.find_spec(name) is not None


_EVAL_MODULES = ("specwright._eval", "inspect_ai", "openai", "httpx")
"""The eval package and the top-level modules of the ``eval`` extra it imports."""


class _EvalLogReader:
    """A :class:`LogReader` that imports the eval package on first use."""

    def load_run(self, path: Path) -> RunResult:
        return _eval_package().load_run(path)

    def find_logs(self, directory: Path, *, finished_only: bool = False) -> list[Path]:
        return _eval_package().find_logs(directory, finished_only=finished_only)


def _eval_package() -> LogReader:
    try:
        return cast(LogReader, importlib.import_module("specwright._eval"))
    except ImportError as exc:
        raise ConfigurationError(f"{MISSING_EVAL} ({exc})") from None
