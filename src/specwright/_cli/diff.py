"""``specwright diff``: what changed between two specs, in the spec's own terms."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from specwright._cli._common import load_spec_option, out_console, plural, writing
from specwright._errors import ConfigurationError
from specwright._spec_diff._model import SELECTORS

__all__ = ["diff"]


@click.command()
@click.argument("old_path", metavar="OLD", type=click.Path(path_type=Path))
@click.argument("new_path", metavar="NEW", type=click.Path(path_type=Path))
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
    old_path: Path, new_path: Path, fmt: str | None, output: Path | None, fail_on: tuple[str, ...]
) -> int:
    """Compare spec OLD with spec NEW: sections added, removed, moved or re-parented,
    authority raised or lowered, text changed word by word, examples added, removed or
    relabelled, eval prompts added or removed.

    OLD and NEW are spec directories, model_spec.md files, JSON exports or layered specs.
    Authority changes and GOOD↔BAD relabels are flagged.

    \b
    Examples:
      specwright diff spec-v1/ spec-v2/
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
        return 1
    return 0


def _emit(text: str, output: Path | None) -> None:
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    with writing(output):
        output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
