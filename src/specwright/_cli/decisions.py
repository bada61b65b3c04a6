"""``specwright decisions``: the gateway's decision records, and one of them in full."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import click
from rich.markup import escape

from specwright._cli._common import (
    echo_json,
    load_spec_option,
    out_console,
    results_db_option,
    spec_option_for,
)
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._serve._records import DecisionRecord, PartDecision

__all__ = ["DecisionsOptions", "decisions"]

_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_STATUS = re.compile(r"^(\d{3}|[1-5]xx|ok|error)$")


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``30m``, ``2h``, ``7d`` ago, or an ISO 8601 date or time (UTC unless it says)."""
    match = _RELATIVE.match(value.strip())
    if match:
        delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        return (now or datetime.now(UTC)) - delta
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigurationError(
            f"--since: expected 30m, 2h, 7d or an ISO date/time, got {value!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class DecisionsOptions(TypedDict):
    """The options of ``specwright decisions`` (the listing), as click passes them."""

    since: str | None
    model: str | None
    section: str | None
    status: str | None
    limit: int | None
    as_json: bool
    db_url: str | None


_db_option = results_db_option("db_url")
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")


@click.group("decisions", invoke_without_command=True)
@click.option("--since", metavar="WHEN", help="Only records since 30m, 2h, 7d or an ISO time.")
@click.option("--model", metavar="NAME", help="Only requests for (or answered by) this model.")
@click.option("--section", metavar="ID", help="Only requests that placed this section.")
@click.option("--status", metavar="CODE", help="Only this HTTP status: 200, 4xx, 5xx, ok, error.")
@click.option("--limit", type=click.IntRange(1), help="At most this many (newest first).")
@_json_option
@_db_option
@click.pass_context
def decisions(ctx: click.Context, /, **options: Unpack[DecisionsOptions]) -> ExitCode:
    """List the gateway's decision records, newest first (all matching unless --limit).

    \b
    Examples:
      specwright decisions --since 1h --status error
      specwright decisions --section confirm_before_booking --limit 20 --json
      specwright decisions show dec_3f2a9c1e --spec path/to/spec
    """
    if ctx.invoked_subcommand is not None:
        return ExitCode.OK
    from specwright._serve._decision_store import DecisionFilter

    status = options["status"]
    if status is not None and not _STATUS.match(status):
        raise ConfigurationError(f"--status: expected 200, 4xx, ok or error, got {status!r}")
    since = parse_since(options["since"]) if options["since"] else None
    where = DecisionFilter(since, options["model"], options["section"], status, options["limit"])
    records = _store(ctx.obj, options["db_url"]).find(where)
    if options["as_json"]:
        echo_json([r.model_dump(mode="json") for r in records])
    elif not records:
        click.echo("no decision records match", err=True)
    else:
        _print_list(records)
    return ExitCode.OK


def _store(settings: Settings, db_url: str | None) -> Any:
    from specwright._serve._decision_store import DecisionStore

    return DecisionStore(db_url or settings.results_db)


def _print_list(records: list[DecisionRecord]) -> None:
    console = out_console()
    for r in records:
        flagged = sum(p.status == "misaligned" for p in r.parts)
        model = r.upstream_model or r.request_model or "-"
        console.print(
            f"{r.created:%Y-%m-%d %H:%M:%S} {r.id} {r.mode:<7} {r.status} "
            f"{escape(model)} {r.latency_ms:.1f} ms (gateway {r.overhead_ms:.2f}) "
            f"parts={len(r.parts)} isolated={len(r.isolated)} misaligned={flagged} "
            f"sections={len(r.placed_sections())}"
            + (f" error: {escape(r.error)}" if r.error else "")
        )


@decisions.command("show")
@click.argument("decision_id", metavar="ID")
@spec_option_for("The spec the gateway served, to quote its text.")
@_json_option
@_db_option
@click.pass_obj
def show(
    settings: Settings, decision_id: str, spec_path: Path | None, as_json: bool, db_url: str | None
) -> ExitCode:
    """Show one decision: what applied, what was superseded or ignored and by what, and the
    spec text that governed it.

    \b
    Examples:
      specwright decisions show dec_3f2a9c1e4b7d
      specwright decisions show dec_3f2a9c1e4b7d --spec spec/ --json
    """
    record = _store(settings, db_url).get(decision_id)
    if record is None:
        raise ConfigurationError(f"no decision record {decision_id!r} (or the prefix is ambiguous)")
    spec = _spec(spec_path, settings)
    matches = None if spec is None else spec.content_hash() == record.spec_hash
    governing = _governing(record, spec)
    if as_json:
        echo_json({"record": record.model_dump(mode="json"), "spec_matches": matches,
                   "governing_sections": governing})  # fmt: skip
    else:
        _print_record(record, matches, governing)
    return ExitCode.OK


def _spec(path: Path | None, settings: Settings) -> Spec | None:
    if path is None and settings.spec is None:
        return None
    return load_spec_option(path, settings)


def _related_section(related: str | None) -> str | None:
    """The section a span's verdict names, parsed as a reference (not matched by prefix)."""
    from specwright._chain._refs import SectionRef, parse_ref

    try:
        ref = parse_ref(related) if related else None
    except ValueError:  # a record from another version: show it, do not fail on it
        return None
    return ref.section_id if isinstance(ref, SectionRef) else None


def _governing(record: DecisionRecord, spec: Spec | None) -> list[dict[str, Any]]:
    """The sections that decided something in this request, with their text when known."""
    ids: list[str] = list(record.placed_sections())
    ids += [s.id for s in record.sections if s.id not in ids]
    for part in record.parts:
        for span in part.spans:
            section_id = _related_section(span.related)
            if section_id is not None and section_id not in ids:
                ids.append(section_id)
    out = []
    for section_id in ids:
        section = spec.get(section_id) if spec is not None else None
        entry: dict[str, Any] = {"id": section_id}
        if section is not None and spec is not None:
            entry.update(title=section.title, authority=spec.effective_authority(section_id),
                         text=section.body.strip())  # fmt: skip
        out.append(entry)
    return out


def _print_record(
    record: DecisionRecord, matches: bool | None, governing: list[dict[str, Any]]
) -> None:
    console = out_console()
    for line in _header_lines(record, matches):
        console.print(line)
    console.print("\n[bold]Message parts[/] (authority, status, and what decided it)")
    for part in record.parts:
        for line in _part_lines(part):
            console.print(line)
    if record.isolated:
        console.print("\n[bold]Isolated[/] (no authority; sent between boundary markers)")
        for s in record.isolated:
            what = repr(_excerpt(s.text)) if s.text is not None else f"sha256:{s.text_sha256[:12]}"
            console.print(f"  #{s.message_index} part {s.part_index}[{s.start}:{s.end}] "
                          f"{s.kind} {escape(what)}")  # fmt: skip
    if record.adaptations:
        console.print("\n[bold]Adapted for the upstream[/] (its model profile)")
        for a in record.adaptations:
            console.print(f"  #{a.index} {a.kind}: {escape(a.detail)} [{escape(a.profile)}]")
    _print_sections(record, governing)


def _header_lines(record: DecisionRecord, matches: bool | None) -> list[str]:
    spec = f"spec {record.spec_hash[:12]}" + (
        f" v{record.spec_version}" if record.spec_version else ""
    )
    check = {
        None: "(pass --spec to quote its text)",
        True: "(matches --spec)",
        False: "[bold red](--spec differs: the text below may not be what governed)[/]",
    }
    tokens = f"; tokens {record.prompt_tokens} → {record.completion_tokens}"
    upstream = f"{record.upstream_ms:.1f}" if record.upstream_ms is not None else "-"
    return [
        f"[bold]Decision {record.id}[/] {record.created:%Y-%m-%d %H:%M:%S} UTC",
        f"{record.mode} · {record.api} · client {escape(record.client or '-')} · "
        f"status {record.status} · "
        f"model {escape(record.request_model or '-')} → {escape(record.upstream_model or '-')}",
        f"{spec} {check[matches]}",
        f"latency {record.latency_ms:.1f} ms (upstream {upstream} ms, gateway "
        f"{record.overhead_ms:.2f} ms){tokens if record.prompt_tokens is not None else ''}",
        *([f"[red]error: {escape(record.error)}[/]"] if record.error else []),
    ]


def _excerpt(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _part_lines(part: PartDecision) -> list[str]:
    lines = []
    for span in part.spans:
        what = (
            repr(_excerpt(span.text))
            if span.text is not None
            else f"sha256:{span.text_sha256[:12]}"
        )
        by = f" by {span.related}" if span.related else ""
        where = f"#{part.message_index} part {part.part_index} {part.role}"
        lines.append(
            f"  {where} [bold]{span.authority}[/] {span.status}{escape(by)} {escape(what)}"
        )
        if span.reason:
            lines.append(f"      [dim]{escape(span.reason)}[/]")
    return lines


def _print_sections(record: DecisionRecord, governing: list[dict[str, Any]]) -> None:
    console = out_console()
    placed = record.placed_sections()
    console.print("\n[bold]Sections[/]")
    if placed:
        console.print("  placed in context: " + ", ".join(placed))
    for s in record.sections:
        if s.status != "applicable":
            by = f" by {s.related}" if s.related else ""
            console.print(f"  {s.id} ({s.authority}) {s.status}{escape(by)}: {escape(s.reason)}")
    quoted = [g for g in governing if "text" in g]
    if quoted:
        console.print("\n[bold]Spec text that governed[/]")
    for g in quoted:
        console.print(f"\n## {escape(g['title'])} {{#{g['id']}}} ({g['authority']})")
        console.print(escape(g["text"]))
