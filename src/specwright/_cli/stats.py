"""``specwright stats``: counts of sections, examples, answers, eval prompts and references."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from specwright._cli._common import echo_json, load_spec_option, out_console, spec_input
from specwright._cli._exit import ExitCode
from specwright._stats import spec_stats

__all__ = ["stats"]


@click.command()
@spec_input
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def stats(spec_path: Path | None, as_json: bool) -> ExitCode:
    """Count what SPEC holds.

    SPEC may also be given as the argument (an alias of --spec).

    \b
    Examples:
      specwright stats --spec path/to/spec-dir
      specwright stats model_spec.md --json | jq .labelled_answers
    """
    spec = load_spec_option(spec_path)
    result = spec_stats(spec)
    if as_json:
        echo_json(result)
        return ExitCode.OK
    table = Table(
        title=f"Spec statistics: {escape(spec.source or str(spec_path or spec.title))}",
        show_header=True,
    )
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in result.model_dump().items():
        if value == {}:  # sections by layer, in a single spec
            continue
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items())
            table.add_row(key.replace("_", " "), shown)
        else:
            table.add_row(key.replace("_", " "), str(value))
    out_console().print(table)
    return ExitCode.OK
