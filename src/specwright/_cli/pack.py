"""``specwright pack``: the spec as a compact context file within a token budget."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import echo_json, load_spec_option, spec_input, writing
from specwright._cli._exit import ExitCode
from specwright._settings import Settings

__all__ = ["pack"]


@click.command()
@spec_input
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Most tokens the pack may hold (an estimate with the default counter).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the markdown here instead of stdout.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what the pack holds as JSON.")
@click.pass_obj
def pack(
    settings: Settings, spec_path: Path | None, budget: int, output: Path | None, as_json: bool
) -> ExitCode:
    """Write the spec as a context file: the chain of command, each section's rule, examples.

    Sections are chosen by authority (root first) while the budget lasts; every line names
    its section (§id).

    SPEC may also be given as the argument (an alias of --spec).

    \b
    Examples:
      specwright pack --spec SPEC --budget 2000 -o AGENTS.md
      specwright pack path/to/spec-dir --budget 4000
      specwright pack --spec SPEC --budget 8000 --json
    """
    from specwright._training import pack_spec

    spec = load_spec_option(spec_path, settings)
    packed = pack_spec(spec, budget)
    if as_json:
        echo_json(packed)
    elif output is None:
        click.echo(packed.text, nl=False)
    if output is not None:
        with writing(output):
            output.write_text(packed.text, encoding="utf-8")
    click.echo(
        f"{packed.tokens} of {budget} tokens (estimate): {len(packed.summarised)} sections "
        f"summarised, {len(packed.with_example)} with an example, {len(packed.omitted)} left out"
        + (f" → {output}" if output else ""),
        err=True,
    )
    return ExitCode.OK
