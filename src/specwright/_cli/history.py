"""``specwright history``: compliance per section over runs, from the results store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click

from specwright._cli._common import log_dir_option, resolve_log_dir, results_db_option
from specwright._cli._exit import ExitCode
from specwright._cli._report_common import format_option, infer_format, log_reader, write_output
from specwright._errors import ConfigurationError, SpecwrightError
from specwright._report._formats import HISTORY_FORMATS
from specwright._report._history import load_history, render_history
from specwright._report._load import LogReader, load_runs
from specwright._results._store import ResultsStore
from specwright._settings import Settings

__all__ = ["history"]


def _index_new_logs(store: ResultsStore, directory: Path, reader: LogReader | None) -> int:
    """Index the finished logs in ``directory`` that are new or changed since indexed.

    A partial log (an eval still running, or interrupted) is left for a later call, so its
    numbers are never kept (and, told apart by its header, never read in full); without the
    eval extra logs are skipped quietly.
    """
    if reader is None or not directory.is_dir():
        return 0
    indexed = store.indexed_logs()
    added = 0
    for path in reader.find_logs(directory, finished_only=True):
        if not _changed_since_indexed(Path(path), indexed):
            continue
        try:
            run = reader.load_run(Path(path))
        except (SpecwrightError, OSError, ValueError) as exc:
            click.echo(f"warning: skipped {path}: {exc}", err=True)
            continue
        added += store.add(run)
    return added


def _changed_since_indexed(path: Path, indexed: Mapping[str, datetime]) -> bool:
    when = indexed.get(str(path)) or indexed.get(str(path.resolve()))
    if when is None:
        return True
    try:
        written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return False
    return written > when


def _add_runs(store: ResultsStore, paths: tuple[Path, ...], reader: LogReader | None) -> int:
    added = 0
    for run in load_runs(list(paths), reader):
        if not run.finished:
            click.echo(
                f"warning: not indexed: run {run.run_id} is partial ({run.status})", err=True
            )
            continue
        added += store.add(run)
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
@format_option(HISTORY_FORMATS)
@click.option(
    "--add",
    "add",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Index these runs first (logs, directories or run JSON files).",
)
@results_db_option("db_url")
@log_dir_option("log_dir_opt", "Index new logs found here first.")
@click.option("--no-index", is_flag=True, help="Do not look for new logs in the log directory.")
@click.pass_obj
def history(
    settings: Settings,
    *,
    sections: tuple[str, ...],
    output: Path | None,
    as_json: bool,
    fmt: str | None,
    add: tuple[Path, ...],
    db_url: str | None,
    log_dir_opt: Path | None,
    no_index: bool,
) -> ExitCode:
    """Show compliance per section across indexed runs and spec versions.

    New and changed logs in the log directory are indexed first (when the eval extra is
    installed); only finished runs are indexed, so a run still going is picked up later.
    Examples:

    \b
      specwright history --section be_honest
      specwright history -o history.html
      specwright history --add run.json --json
    """
    if as_json and fmt not in (None, "json"):
        raise ConfigurationError(f"--json contradicts --format {fmt}")
    reader = log_reader()
    with ResultsStore(db_url or settings.results_db) as store:
        added = _add_runs(store, add, reader)
        if not no_index:
            added += _index_new_logs(store, resolve_log_dir(log_dir_opt, settings), reader)
        if added:
            click.echo(f"indexed {added} new run(s)", err=True)
        data = load_history(store, sections, min_kappa=settings.min_kappa)
    write_output(render_history(data, infer_format("json" if as_json else fmt, output)), output)
    if not data.runs:
        click.echo("no runs indexed yet", err=True)
    return ExitCode.OK
