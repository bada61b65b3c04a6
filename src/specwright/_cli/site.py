"""``specwright site``: a static, offline website of a spec."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import load_spec_option, results_db_option, spec_input, writing
from specwright._cli._exit import ExitCode
from specwright._settings import Settings

__all__ = ["site"]


@click.command()
@spec_input
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True, file_okay=False),
    help="Directory to write (its entry page is index.html).",
)
@click.option("--results", is_flag=True, help="Show each section's latest compliance.")
@results_db_option("db_url")
@click.pass_obj
def site(
    settings: Settings, spec_path: Path | None, output: Path, results: bool, db_url: str | None
) -> ExitCode:
    """Write a static website of SPEC into a directory: table of contents, authority
    badges, resolved cross references and footnotes, examples as conversations with their
    labels, provenance of composed specs, and search. One offline file: no CDN, a strict CSP.

    \b
    Examples:
      specwright site path/to/spec-dir -o spec-site/
      specwright site acme-spec -o acme-site/ --results --db sqlite:///r.sqlite
    """
    from specwright._site import write_site

    spec = load_spec_option(spec_path, settings)
    latest = {}
    if results:
        from specwright._site._results import latest_results

        latest = latest_results(db_url or settings.results_db, spec)
    with writing(output):
        page = write_site(spec, output, latest)
    click.echo(f"wrote {page} ({sum(1 for _ in spec.walk())} sections)", err=True)
    return ExitCode.OK
