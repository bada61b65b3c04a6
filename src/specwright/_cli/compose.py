"""``specwright compose``: a base spec with overlay specs on it, written as one spec."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import (
    SpecFormat,
    chosen_spec_format,
    emit_spec,
    spec_format_option,
    spec_option_for,
    spec_path_or_setting,
)
from specwright._cli._exit import ExitCode

__all__ = ["compose"]


@click.command()
@click.argument("layers", metavar="[BASE] OVERLAY...", nargs=-1, type=click.Path(path_type=Path))
@spec_option_for("The base spec (BASE), when the arguments name only overlays.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write here: FILE.json (keeps provenance), FILE.md, or a directory "
    "(model_spec.md + examples/). Default: JSON on stdout.",
)
@spec_format_option("Output format (default: from the -o suffix, else json).")
def compose(
    *,
    layers: tuple[Path, ...],
    spec_path: Path | None,
    output: Path | None,
    fmt: SpecFormat | None,
    as_json: bool,
) -> ExitCode:
    """Compose OVERLAY specs, in order, on BASE by the chain of command.

    Each overlay may add sections, and override (`overrides:`) or disable (`disables:`) base
    sections below its ceiling (`ceiling:`, default developer). BASE stands in for an
    overlay's own `extends:`. Every section keeps its provenance (layer, file:line, what it
    replaced) in the JSON output. BASE may be given as --spec (or SPECWRIGHT_SPEC) instead.

    \b
    Examples:
      specwright compose openai-model-spec/2025-12-18 acme-spec -o acme.json
      specwright compose base-spec team-a team-b -o composed-spec/
      specwright compose --spec base-spec team-a --format json
    """
    from specwright._layers._read import compose_spec

    base, overlays = _base_and_overlays(layers, spec_path)
    spec = compose_spec(base, *overlays)
    fmt = chosen_spec_format(fmt, as_json)
    fmt = fmt or ("markdown" if output is not None and output.suffix != ".json" else "json")
    note = f" ({len(spec.layers)} layers)"
    emit_spec(spec, fmt, output, dir_note=note, file_note=note)
    return ExitCode.OK


def _base_and_overlays(
    layers: tuple[Path, ...], spec_path: Path | None
) -> tuple[Path, tuple[Path, ...]]:
    """BASE from --spec when given, else the first argument (else the setting, for one)."""
    if spec_path is not None and layers:
        return spec_path, layers
    if len(layers) >= 2:
        return layers[0], layers[1:]
    base = spec_path_or_setting(None) if layers else None
    if base is None:
        raise click.UsageError("compose needs BASE and an OVERLAY: BASE OVERLAY..., or --spec BASE")
    return base, layers
