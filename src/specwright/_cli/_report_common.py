"""Helpers shared by ``specwright report`` and ``specwright history``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import cast

import click

from specwright._cli._common import writing
from specwright._report._formats import FORMAT_BY_SUFFIX, ReportFormat
from specwright._report._load import LogReader

__all__ = ["infer_format", "log_reader", "write_output"]


def infer_format(explicit: str | None, output: Path | None) -> ReportFormat:
    """``--format`` if given; else from ``-o``'s suffix (HTML by default); stdout: markdown."""
    if explicit is not None:
        return explicit  # type: ignore[return-value]  # click.Choice checked it
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

    The CLI is where the eval package and the reports meet: reports never import it.
    """
    try:
        module = importlib.import_module("specwright._eval")
    except ImportError:
        return None
    if not (hasattr(module, "load_run") and hasattr(module, "find_logs")):
        return None
    return cast(LogReader, module)
