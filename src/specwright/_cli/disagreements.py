"""``specwright disagreements``: where models, judges and epochs disagree, section by section."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import load_spec_option, spec_option_for
from specwright._cli._exit import ExitCode
from specwright._cli._report_common import infer_format, write_output
from specwright._settings import Settings

__all__ = ["disagreements"]


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="RUN...")  # fmt: skip
@spec_option_for("The spec: shows each section's text beside its scenarios.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Scenarios shown in full.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here (.html, .md, .json) instead of stdout.",
)
@click.pass_obj
def disagreements(settings: Settings, *, runs: tuple[Path, ...], spec_path: Path | None, top: int,
                  as_json: bool, output: Path | None) -> ExitCode:  # fmt: skip
    """Rank sections and scenarios of RUN... by disagreement across models, judges and epochs.

    A scenario that every model fails is flagged: the spec's text is the likelier problem.

    \b
    Examples:
      specwright disagreements logs/ --spec SPEC
      specwright disagreements logs/a.eval logs/b.eval -o disagreements.html
    """
    from specwright._cli._report_common import log_reader
    from specwright._report._load import load_runs
    from specwright._revise._disagreements import find_disagreements
    from specwright._revise._render import render_disagreements

    fmt = "json" if as_json else infer_format(None, output)
    spec = load_spec_option(spec_path, settings) if spec_path or settings.spec else None
    report = find_disagreements(load_runs(list(runs), log_reader()), spec)
    write_output(render_disagreements(report, fmt, top=top), output)
    return ExitCode.OK
