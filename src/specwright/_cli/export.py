"""``specwright export``: the spec as JSON or as markdown in the Model Spec dialect."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import (
    SPEC_FORMATS,
    SpecFormat,
    chosen_spec_format,
    emit_spec,
    load_spec_option,
    spec_format_option,
    spec_input,
)
from specwright._cli._exit import ExitCode

__all__ = ["export"]


@click.command()
@spec_input
@spec_format_option(
    "json: the typed model; markdown: model_spec.md in the same dialect.", required=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here instead of stdout (markdown: a directory gets model_spec.md + examples/).",
)
def export(
    *, spec_path: Path | None, fmt: SpecFormat | None, as_json: bool, output: Path | None
) -> ExitCode:
    """Export SPEC as JSON or markdown.

    SPEC may also be given as the argument (an alias of --spec).

    \b
    Examples:
      specwright export --spec path/to/spec-dir --format json > spec.json
      specwright export path/to/spec-dir --format markdown -o copy-of-spec/
    """
    chosen = chosen_spec_format(fmt, as_json)
    if chosen is None:
        choices = ", ".join(map(repr, SPEC_FORMATS))
        raise click.UsageError(f"Missing option '--format'. Choose from: {choices} (or --json).")
    spec = load_spec_option(spec_path)
    emit_spec(spec, chosen, output, dir_note=f" and {len(spec.eval_files)} eval files")
    return ExitCode.OK
