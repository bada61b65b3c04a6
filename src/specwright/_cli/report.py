"""``specwright report``: render runs as a self-contained HTML page, markdown or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import (
    format_or_json,
    json_flag,
    load_spec_option,
    log_dir_option,
    resolve_log_dir,
    spec_option_for,
)
from specwright._cli._exit import ExitCode
from specwright._cli._report_common import format_option, infer_format, log_reader, write_output
from specwright._errors import ConfigurationError
from specwright._report._diff import RunDiff, diff_runs
from specwright._report._formats import FORMAT_BY_SUFFIX, REPORT_FORMATS
from specwright._report._load import LogReader, latest_run_file, load_runs
from specwright._report._render import render_report
from specwright._results import Rate, RunResult
from specwright._results._feedback import Feedback
from specwright._settings import Settings

__all__ = ["report"]


def _runs(paths: tuple[Path, ...], logs: Path, reader: LogReader | None) -> list[RunResult]:
    if paths:
        return load_runs(list(paths), reader)
    latest = latest_run_file(logs, reader)
    click.echo(f"reporting on {latest}", err=True)
    return load_runs([latest], reader)


def _adjudicated(runs: list[RunResult], settings: Settings) -> list[RunResult]:
    # People's verdicts (``specwright feedback``) replace the judge's; the judge's figure stays.
    from specwright._revise._adjudicate import apply_feedback

    decided = apply_feedback(runs, settings.results_db)
    for run in decided:
        if run.n_adjudicated:
            judge = run.judge_overall.rate if run.judge_overall else None
            shown = "n/a" if judge is None else f"{judge:.1%}"
            click.echo(f"{run.run_id}: {run.n_adjudicated} sample(s) adjudicated by people "
                       f"(judge alone: {shown})", err=True)  # fmt: skip
    return decided


def _spec_revisions(runs: list[RunResult], settings: Settings) -> dict[str, str]:
    """The decision (in the results store) that produced each run's spec, by spec hash."""
    from specwright._revise._approve import spec_revisions

    return spec_revisions(settings.results_db, [r.spec_hash for r in runs])


def _feedback(runs: list[RunResult], settings: Settings) -> list[Feedback]:
    # Counted per section in the HTML page, beside each sample's ready-to-copy command.
    from specwright._revise._adjudicate import stored_feedback

    return stored_feedback(settings.results_db, [r.run_id for r in runs])


def _one(runs: list[RunResult], what: str) -> RunResult:
    if len(runs) != 1:
        raise ConfigurationError(f"{what} must be exactly one run, got {len(runs)}")
    return runs[0]


_SUFFIXES = tuple(FORMAT_BY_SUFFIX)


def _check_output(output: Path | None, fmt: str | None) -> None:
    """An output name whose format cannot be told is an error before any work (no PDF)."""
    if output is not None and fmt is None and output.suffix.lower() not in _SUFFIXES:
        raise ConfigurationError(
            f"-o {output}: cannot tell the format from {output.suffix or 'no suffix'!r}; "
            f"use {', '.join(_SUFFIXES)} or pass --format"
        )


def _pct(rate: Rate | None) -> str:
    return "n/a" if rate is None or rate.rate is None else f"{rate.rate:.1%}"


def _regressed(diff: RunDiff) -> bool:
    """Whether the candidate regressed; if so, say where on stderr (for CI logs)."""
    if not (diff.worse or diff.regressions):
        return False
    click.echo(f"regressed against baseline {diff.baseline_run_id}:", err=True)
    for change in diff.worse:
        click.echo(
            f"  section {change.key}: {_pct(change.baseline)} -> {_pct(change.candidate)} "
            "(worse beyond the 95% intervals)",
            err=True,
        )
    for flip in diff.regressions:
        click.echo(
            f"  scenario {flip.scenario_id} (epoch {flip.epoch}, section {flip.section_id}): "
            "compliant -> not compliant",
            err=True,
        )
    return True


@click.command("report")
@click.argument("runs", nargs=-1, type=click.Path(path_type=Path), metavar="[RUN]...")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here (format from the suffix: .html, .md, .json) instead of stdout.",
)
@format_option(REPORT_FORMATS)
@json_flag
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="Compare RUN (exactly one) against this run.",
)
@spec_option_for("The spec the runs used: shows cited sections' text.")
@log_dir_option("log_dir_opt", "Where to look for the latest run (no RUN given).")
@click.option(
    "--fail-on-regression",
    is_flag=True,
    help="With --baseline: exit 1 if a section got worse or a scenario regressed.",
)
@click.pass_obj
def report(
    settings: Settings,
    *,
    runs: tuple[Path, ...],
    output: Path | None,
    fmt: str | None,
    as_json: bool,
    baseline: Path | None,
    spec_path: Path | None,
    log_dir_opt: Path | None,
    fail_on_regression: bool,
) -> ExitCode:
    """Report on RUN... (Inspect logs, directories of them, or run JSON files).

    With no RUN, the most recent run in the log directory. Several runs are shown side by
    side. Examples:

    \b
      specwright report logs/ -o report.html
      specwright report run.json --json > copy.json
      specwright report --baseline old.eval new.eval -o diff.html
    """
    if fail_on_regression and baseline is None:
        raise ConfigurationError("--fail-on-regression needs --baseline")
    fmt = format_or_json(fmt, as_json)
    _check_output(output, fmt)
    reader = log_reader()
    loaded = _adjudicated(_runs(runs, resolve_log_dir(log_dir_opt, settings), reader), settings)
    base = (
        _one(_adjudicated(load_runs([baseline], reader), settings), "--baseline")
        if baseline
        else None
    )
    if base is not None:
        _one(loaded, "RUN with --baseline")
    spec = load_spec_option(spec_path, settings) if spec_path or settings.spec else None
    if spec is not None and spec.content_hash() not in {r.spec_hash for r in loaded}:
        click.echo("warning: the spec given differs from the runs' spec", err=True)
    feedback = _feedback([*loaded, *([base] if base else [])], settings)
    text = render_report(
        loaded, infer_format(fmt, output), spec=spec, baseline=base,
        min_kappa=settings.min_kappa, feedback=feedback,
        spec_revisions=_spec_revisions([*loaded, *([base] if base else [])], settings),
    )  # fmt: skip
    write_output(text, output)
    if base is not None and fail_on_regression and _regressed(diff_runs(base, loaded[0])):
        return ExitCode.FINDINGS
    return ExitCode.OK
