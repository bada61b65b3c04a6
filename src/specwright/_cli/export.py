"""``specwright export``: the spec as JSON or as markdown in the Model Spec dialect."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from specwright._cli._common import load_spec_option, spec_input, writing

__all__ = ["export"]


@click.command()
@spec_input
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    required=True,
    help="json: the typed model; markdown: model_spec.md in the same dialect.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here instead of stdout (markdown: a directory gets model_spec.md + examples/).",
)
def export(spec_path: Path | None, fmt: Literal["json", "markdown"], output: Path | None) -> int:
    """Export SPEC as JSON or markdown.

    SPEC may also be given as the argument (an alias of --spec).

    \b
    Examples:
      specwright export --spec path/to/spec-dir --format json > spec.json
      specwright export path/to/spec-dir --format markdown -o copy-of-spec/
    """
    from specwright._writer import save_spec, write_spec

    spec = load_spec_option(spec_path)
    if fmt == "markdown" and output is not None and (output.is_dir() or not output.suffix):
        with writing(output):
            save_spec(spec, output)
        click.echo(f"wrote {output}/model_spec.md and {len(spec.eval_files)} eval files", err=True)
        return 0
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
    else:
        with writing(output):
            output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    return 0
