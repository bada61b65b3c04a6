"""``specwright history``: compliance per section over runs, from the results store."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._report_common import infer_format, log_dir, write_output
from specwright._errors import SpecwrightError
from specwright._report._history import load_history, render_history
from specwright._report._load import eval_api, load_runs
from specwright._report._store import ResultsStore
from specwright._settings import Settings

__all__ = ["history"]


def _index_new_logs(store: ResultsStore, directory: Path) -> int:
    """Index the logs in ``directory`` that the store lacks; skip quietly without eval."""
    api = eval_api()
    if api is None or not directory.is_dir():
        return 0
    stored = store.indexed_logs()
    known = stored | {str(Path(p).resolve()) for p in stored}
    added = 0
    for path in api.find_logs(directory):
        if str(path) in known or str(Path(path).resolve()) in known:
            continue
        try:
            run = api.load_run(Path(path))
        except (SpecwrightError, OSError, ValueError) as exc:
            click.echo(f"warning: skipped {path}: {exc}", err=True)
            continue
        added += store.add(run if run.log_path else run.model_copy(update={"log_path": str(path)}))
    return added


@click.command("history")
@click.option(
    "--section", "sections", multiple=True, metavar="ID", help="Only this section id (repeatable)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here (format from the suffix: .html, .md, .json) instead of stdout.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of markdown.")
@click.option(
    "--add",
    "add",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Index these runs first (logs, directories or run JSON files).",
)
@click.option(
    "--db", "db_url", metavar="URL", help="Results store URL (default: SPECWRIGHT_RESULTS_DB)."
)
@click.option(
    "--log-dir",
    "log_dir_opt",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="INSPECT_LOG_DIR",
    help="Index new logs found here first.",
)
@click.option("--no-index", is_flag=True, help="Do not look for new logs in the log directory.")
@click.pass_obj
def history(
    settings: Settings,
    *,
    sections: tuple[str, ...],
    output: Path | None,
    as_json: bool,
    add: tuple[Path, ...],
    db_url: str | None,
    log_dir_opt: Path | None,
    no_index: bool,
) -> int:
    """Show compliance per section across indexed runs and spec versions.

    New logs in the log directory are indexed first (when the eval extra is installed).
    Examples:

    \b
      specwright history --section be_honest
      specwright history -o history.html
      specwright history --add run.json --json
    """
    with ResultsStore(db_url or settings.results_db) as store:
        added = sum(store.add(run) for run in load_runs(list(add))) if add else 0
        if not no_index:
            added += _index_new_logs(store, log_dir(log_dir_opt, settings))
        if added:
            click.echo(f"indexed {added} new run(s)", err=True)
        data = load_history(store, sections, min_kappa=settings.min_kappa)
    fmt = "json" if as_json else infer_format(None, output)
    write_output(render_history(data, fmt), output)
    if not data.runs:
        click.echo("no runs indexed yet", err=True)
    return 0
