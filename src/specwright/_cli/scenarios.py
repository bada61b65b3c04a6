"""``specwright scenarios review``: list drafts, approve, reject with a reason, edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

import click

from specwright._cli._common import echo_json
from specwright._cli._eval_common import split_sections
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError

__all__ = ["ReviewOptions", "scenarios"]


class ReviewOptions(TypedDict):
    """The options of ``specwright scenarios review``, as click passes them."""

    approve: tuple[str, ...]
    reject: tuple[str, ...]
    reason: str | None
    edit: str | None
    message_index: int | None
    text: str | None
    status: Literal["draft", "approved", "rejected", "all"]
    as_json: bool


@click.group("scenarios")
def scenarios() -> None:
    """Work with scenario files (YAML/JSONL, schemas/scenarios.schema.json).

    \b
    Examples:
      specwright scenarios review drafts.yaml
      specwright scenarios review drafts.yaml --approve ID \\
          --reject ID2 --reason "vague"
    """


@scenarios.command("review")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--approve", multiple=True, metavar="ID", help="Approve these ids (repeatable, or a,b)."
)
@click.option("--reject", multiple=True, metavar="ID", help="Reject these ids (needs --reason).")
@click.option("--reason", help="Why the --reject ids are rejected (kept in the file).")
@click.option(
    "--edit", metavar="ID", help="Edit one message of this scenario (with --message, --text)."
)
@click.option(
    "--message", "message_index", type=click.IntRange(min=0), help="0-based message to edit."
)
@click.option("--text", help="The edited message's new text.")
@click.option(
    "--status",
    type=click.Choice(["draft", "approved", "rejected", "all"]),
    default="draft",
    show_default=True,
    help="Which records to list.",
)
@click.option("--json", "as_json", is_flag=True, help="List the records as JSON.")
def review(file: Path, **options: Unpack[ReviewOptions]) -> ExitCode:
    """List a scenario file's drafts, or approve, reject or edit records by id.

    \b
    Examples:
      specwright scenarios review drafts.yaml
      specwright scenarios review drafts.yaml --approve ID1,ID2
      specwright scenarios review drafts.yaml --reject ID3 --reason "off-topic"
      specwright scenarios review drafts.yaml --edit ID1 --message 0 \\
          --text "new wording"
    """
    from specwright._generate._files import existing_records, update_records

    approve, reject = split_sections(options["approve"]), split_sections(options["reject"])
    if options["reason"] and not reject:
        raise ConfigurationError("--reason goes with --reject ID")
    if set(approve) & set(reject):
        raise ConfigurationError(
            f"{sorted(set(approve) & set(reject))[0]}: both approved and rejected"
        )
    editing = options["edit"] or options["message_index"] is not None or options["text"]
    if editing and (not options["edit"] or options["message_index"] is None or not options["text"]):
        raise ConfigurationError("--edit ID needs --message N and --text TEXT")
    if not (approve or reject or editing):
        _list(existing_records(file), options["status"], options["as_json"])
        return ExitCode.OK
    # Read, change and write under the file's lock: a generation finishing meanwhile appends
    # to what this review wrote instead of overwriting it.
    update_records(file, lambda records: _changed(records, approve, reject, options))
    click.echo(
        f"{file}: {len(approve)} approved, {len(reject)} rejected{', 1 edited' if editing else ''}",
        err=True,
    )
    return ExitCode.OK


def _changed(
    records: list[Any], approve: tuple[str, ...], reject: tuple[str, ...], options: ReviewOptions
) -> list[Any]:
    from specwright._generate._review import edit_message, set_status

    if approve:
        records = set_status(records, approve, "approved")
    if reject:
        records = set_status(records, reject, "rejected", options["reason"])
    edit, index, text = options["edit"], options["message_index"], options["text"]
    if edit:
        # review() refused --edit without --message and --text; the types now say so too.
        assert index is not None and text is not None
        records = edit_message(records, edit, index, text)
    return records


def _list(records: list[Any], status: str, as_json: bool) -> None:
    from specwright._generate._review import summary_line

    shown = [r for r in records if status in ("all", r.status)]
    if as_json:
        echo_json(
            [r.model_dump(mode="json", exclude_defaults=True) | {"status": r.status} for r in shown]
        )
        return
    for record in shown:
        click.echo(summary_line(record))
    counts = {
        s: sum(1 for r in records if r.status == s) for s in ("draft", "approved", "rejected")
    }
    click.echo(
        f"{len(shown)} shown; {counts['draft']} draft, {counts['approved']} approved, "
        f"{counts['rejected']} rejected",
        err=True,
    )
