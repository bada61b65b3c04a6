"""``specwright diff``: what changed between two specs, in the spec's own terms."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from specwright._cli._common import (
    load_spec_option,
    out_console,
    plural,
    spec_option_for,
    spec_path_or_setting,
    writing,
)
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._spec_diff._model import SELECTORS

__all__ = ["diff"]


@click.command()
@click.argument("old_new", metavar="[OLD] NEW", nargs=-1, type=click.Path(path_type=Path))
@spec_option_for("The old spec (OLD), when the arguments name only NEW.")
@click.option("--json", "fmt", flag_value="json", help="Print the diff as JSON.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Print markdown (PR comments).")
@click.option("--html", "fmt", flag_value="html", help="Write a self-contained HTML page.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, not stdout.")
@click.option(
    "--fail-on",
    multiple=True,
    metavar="KIND",
    help="Exit 1 when a change of this kind occurs (e.g. authority, good-to-bad, "
    "section-removed, flagged, any); repeatable.",
)
def diff(
    *,
    old_new: tuple[Path, ...],
    spec_path: Path | None,
    fmt: str | None,
    output: Path | None,
    fail_on: tuple[str, ...],
) -> ExitCode:
    """Compare spec OLD with spec NEW: sections added, removed, moved or re-parented,
    authority raised or lowered, text changed word by word, examples added, removed or
    relabelled, eval prompts added or removed.

    OLD and NEW are spec directories, model_spec.md files, JSON exports or layered specs.
    OLD may be given as --spec (or SPECWRIGHT_SPEC) instead, like every command's spec.
    Authority changes and GOOD↔BAD relabels are flagged.

    \b
    Examples:
      specwright diff spec-v1/ spec-v2/
      specwright diff --spec main-spec/ pr-spec/
      specwright diff main-spec/ pr-spec/ --markdown --fail-on authority
      specwright diff old.json new/ --html -o spec-diff.html
    """
    from specwright._spec_diff import diff_specs
    from specwright._spec_diff._render import diff_html, diff_lines, diff_markdown

    unknown = [kind for kind in fail_on if kind not in SELECTORS]
    if unknown:
        raise ConfigurationError(
            f"unknown --fail-on kind {unknown[0]!r} (known: {', '.join(SELECTORS)})"
        )
    old_path, new_path = _old_and_new(old_new, spec_path)
    result = diff_specs(load_spec_option(old_path), load_spec_option(new_path))
    if fmt is None and output is None:
        console = out_console()
        for line, flagged in diff_lines(result):
            console.print(f"[bold red]{escape(line)}[/]" if flagged else escape(line))
    else:
        renderers = {
            "json": lambda: result.model_dump_json(indent=2),
            "markdown": lambda: diff_markdown(result),
            "html": lambda: diff_html(result),
        }
        text = renderers.get(fmt or "", lambda: "\n".join(line for line, _ in diff_lines(result)))()
        _emit(text, output)
    failing = result.matching(fail_on)
    if failing:
        verb = "matches" if len(failing) == 1 else "match"
        kinds = " ".join(fail_on)
        click.echo(f"{plural(len(failing), 'change')} {verb} --fail-on {kinds}", err=True)
        return ExitCode.FINDINGS
    return ExitCode.OK


def _old_and_new(paths: tuple[Path, ...], spec_path: Path | None) -> tuple[Path, Path]:
    """OLD and NEW from the arguments, OLD from --spec (or the setting) when one is given."""
    if len(paths) == 2 and spec_path is None:
        return paths[0], paths[1]
    if len(paths) == 2:
        raise click.UsageError(f"two old specs given: {paths[0]} and --spec {spec_path}")
    old = spec_path_or_setting(spec_path) if len(paths) == 1 else None
    if old is None:
        raise click.UsageError("diff needs two specs: OLD NEW, or --spec OLD and NEW")
    return old, paths[0]


def _emit(text: str, output: Path | None) -> None:
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    with writing(output):
        output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
