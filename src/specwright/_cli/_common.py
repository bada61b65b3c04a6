"""Helpers shared by CLI commands: loading specs, writing JSON, consoles."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel
from rich.console import Console

from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._settings import Settings

__all__ = [
    "echo_json",
    "err_console",
    "load_spec_option",
    "out_console",
    "resolve_log_dir",
    "spec_argument",
    "writing",
]

spec_argument = click.argument(
    "spec_path", metavar="SPEC", type=click.Path(path_type=Path, exists=False)
)
"""The SPEC argument: a ``model_spec.md`` file, a directory holding one, or a JSON export."""


def load_spec_option(path: Path | None, settings: Settings | None = None) -> Spec:
    """Read the spec at ``path`` (else ``SPECWRIGHT_SPEC``); bad input raises SpecError."""
    from specwright._reader import read_spec  # the reader is the heaviest core module

    if path is None and settings is not None:
        path = settings.spec
    if path is None:
        raise ConfigurationError("no spec given: pass --spec PATH or set SPECWRIGHT_SPEC")
    return read_spec(path)


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
