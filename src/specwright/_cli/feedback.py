"""``specwright feedback``: people's verdicts on judged samples, kept in the results store."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from specwright._cli._common import (
    echo_json,
    load_spec_option,
    out_console,
    results_db_option,
    spec_option_for,
)
from specwright._cli._exit import ExitCode
from specwright._settings import Settings

__all__ = ["feedback"]

_DB = results_db_option()


@click.group()
def feedback() -> None:
    """Record where the judge was wrong or a section is unclear; list and export it.

    \b
    Examples:
      specwright feedback add logs/run.eval be_honest/example-2 \\
          --verdict compliant --note "the judge missed the caveat"
      specwright feedback list --json
    """


@feedback.command("add")
@click.argument("run")
@click.argument("sample")
@click.option(
    "--verdict",
    type=click.Choice(["compliant", "non-compliant", "unclear"]),
    required=True,
    help="Your verdict on the model's answer; unclear (you cannot tell, say why in --note) is "
    "kept and shown but is no label: it never replaces the judge's verdict.",
)
@click.option(
    "--section", "section_id", help="The section the feedback is about (default: the sample's own)."
)
@click.option("--note", default="", help="Why, in your words.")
@click.option("--author", help="Who gives it [default: the login name].")
@spec_option_for("The spec, so --section may name any of its sections.")
@_DB
@click.pass_obj
def add(
    settings: Settings,
    *,
    run: str,
    sample: str,
    verdict: str,
    section_id: str | None,
    note: str,
    author: str | None,
    spec_path: Path | None,
    results_db: str | None,
) -> ExitCode:
    """Give your verdict on SAMPLE (SCENARIO_ID or SCENARIO_ID@EPOCH) of RUN (log or run id).

    \b
    Examples:
      specwright feedback add logs/run.eval be_honest/example-2 \\
          --verdict compliant
      specwright feedback add RUN_ID 8ep1/3@2 --verdict non-compliant \\
          --section be_honest
    """
    from specwright._cli._report_common import log_reader
    from specwright._results._feedback import make_feedback, parse_sample_ref
    from specwright._results._store import ResultsStore
    from specwright._revise._runs import resolve_run

    db_url = results_db or settings.results_db
    ref = parse_sample_ref(sample)
    resolved = resolve_run(run, db_url, log_reader())
    spec = load_spec_option(spec_path, settings) if spec_path or settings.spec else None
    known = [s.id for s in spec.walk()] if spec is not None else []
    item = make_feedback(
        resolved, ref, verdict,  # type: ignore[arg-type]  # click.Choice checked it
        author=author or getpass.getuser(), section_id=section_id, note=note,
        known_sections=known,
    )  # fmt: skip
    with ResultsStore(db_url) as store:
        store.add_feedback(item)
    judge = item.judge_verdict or "unscored"
    click.echo(f"feedback {item.feedback_id}: {ref} of {item.run_id} is {verdict} "
               f"(judge: {judge})", err=True)  # fmt: skip
    return ExitCode.OK


@feedback.command("list")
@click.option("--run", "run_id", help="Only feedback on this run id.")
@click.option("--section", "section_id", help="Only feedback about this section.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@_DB
@click.pass_obj
def list_feedback(settings: Settings, *, run_id: str | None, section_id: str | None,
                  as_json: bool, results_db: str | None) -> ExitCode:  # fmt: skip
    """List stored feedback, oldest first.

    \b
    Examples:
      specwright feedback list --section be_honest
      specwright feedback list --json
    """
    from rich.table import Table

    from specwright._results._store import ResultsStore

    with ResultsStore(results_db or settings.results_db) as store:
        items = store.feedback(run_ids=[run_id] if run_id else None, section_id=section_id)
    if as_json:
        echo_json([i.model_dump(mode="json") for i in items])
        return ExitCode.OK
    table = Table("when", "author", "section", "sample", "verdict", "judge", "note")
    for i in items:
        sample = i.scenario_id if i.epoch == 1 else f"{i.scenario_id}@{i.epoch}"
        table.add_row(f"{i.created:%Y-%m-%d %H:%M}", i.author, i.section_id, sample, i.verdict,
                      i.judge_verdict or "unscored", i.note)  # fmt: skip
    out_console().print(table)
    click.echo(f"{len(items)} feedback item(s)", err=True)
    return ExitCode.OK


@feedback.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write JSONL here instead of stdout.",
)
@_DB
@click.pass_obj
def export_feedback(settings: Settings, output: Path | None, results_db: str | None) -> ExitCode:
    """Export every piece of feedback as JSON lines (one item per line).

    \b
    Examples:
      specwright feedback export -o feedback.jsonl
    """
    from specwright._cli._common import writing
    from specwright._results._store import ResultsStore

    with ResultsStore(results_db or settings.results_db) as store:
        lines = [i.model_dump_json() + "\n" for i in store.feedback()]
    if output is None:
        click.echo("".join(lines), nl=False)
    else:
        with writing(output):
            output.write_text("".join(lines), encoding="utf-8")
    click.echo(f"{len(lines)} feedback item(s)" + (f" → {output}" if output else ""), err=True)
    return ExitCode.OK
