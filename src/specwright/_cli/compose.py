"""``specwright compose``: a base spec with overlay specs on it, written as one spec."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import SpecFormat, emit_spec, spec_format_option

__all__ = ["compose"]


@click.command()
@click.argument("base", metavar="BASE", type=click.Path(path_type=Path))
@click.argument(
    "overlays", metavar="OVERLAY...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here: FILE.json (keeps provenance), FILE.md, or a directory "
    "(model_spec.md + examples/). Default: JSON on stdout.",
)
@spec_format_option("Output format (default: from the -o suffix, else json).")
def compose(
    base: Path,
    overlays: tuple[Path, ...],
    output: Path | None,
    fmt: SpecFormat | None,
) -> int:
    """Compose OVERLAY specs, in order, on BASE by the chain of command.

    Each overlay may add sections, and override (`overrides:`) or disable (`disables:`) base
    sections below its ceiling (`ceiling:`, default developer). BASE stands in for an
    overlay's own `extends:`. Every section keeps its provenance (layer, file:line, what it
    replaced) in the JSON output.

    \b
    Examples:
      specwright compose openai-model-spec/2025-12-18 acme-spec -o acme.json
      specwright compose base-spec team-a team-b -o composed-spec/
    """
    from specwright._layers._read import compose_spec

    spec = compose_spec(base, *overlays)
    fmt = fmt or ("markdown" if output is not None and output.suffix != ".json" else "json")
    layers = f" ({len(spec.layers)} layers)"
    emit_spec(spec, fmt, output, dir_note=layers, file_note=layers)
    return 0
