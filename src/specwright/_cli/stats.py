"""``specwright stats``: counts of sections, examples, answers, eval prompts and references."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from specwright._cli._common import echo_json, load_spec_option, out_console, spec_argument
from specwright._stats import spec_stats

__all__ = ["stats"]


@click.command()
@spec_argument
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def stats(spec_path: Path, as_json: bool) -> int:
    """Count what SPEC holds.

    \b
    Examples:
      specwright stats path/to/spec-dir
      specwright stats model_spec.md --json | jq .labelled_answers
    """
    result = spec_stats(load_spec_option(spec_path))
    if as_json:
        echo_json(result)
        return 0
    table = Table(title=f"Spec statistics: {escape(str(spec_path))}", show_header=True)
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
    return 0
