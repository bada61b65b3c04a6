"""``specwright check``: authority and status of every part of a conversation under a spec."""

from __future__ import annotations

from dataclasses import dataclass

import click
from rich.console import Console
from rich.markup import escape

from specwright._chain._candidates import SectionCandidate, SpanCandidate
from specwright._chain._conversation import Conversation
from specwright._chain._resolution import PartVerdict, Resolution
from specwright._chain._signals import instruction_phrase
from specwright._cli._chain_common import ChainArgs, chain_options, interpreter_status
from specwright._cli._common import echo_json, out_console, plural
from specwright._cli._exit import ExitCode, findings_if, worst
from specwright._errors import ConfigurationError
from specwright._model import Attachment
from specwright._settings import Settings

__all__ = ["check"]

_STATUS_STYLE = {
    "applicable": "green",
    "misaligned": "bold red",
    "superseded": "yellow",
    "no_authority": "dim",
    "beyond_capability": "magenta",
    "undetermined": "cyan",
}
_EXCERPT = 200

FAIL_ON_KINDS = {
    "unisolated": "instruction-like text without authority that nothing isolates",
    "unauthorized": "instruction-like text without authority, isolated or not",
}
"""What ``check --fail-on`` can gate on, and what each kind means."""


def _fail_on_kinds(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    kinds = tuple(k.strip() for value in values for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAIL_ON_KINDS]
    if unknown:
        raise ConfigurationError(
            f"unknown --fail-on kind {unknown[0]!r} (known: {', '.join(FAIL_ON_KINDS)})"
        )
    return kinds


@click.command()
@chain_options(legacy_format=True)
@click.option("--verbose", "-v", is_flag=True, help="List undetermined sections one by one.")
@click.option(
    "--fail-on",
    multiple=True,
    metavar="KIND",
    callback=_fail_on_kinds,
    help="Exit 1 when the conversation holds this: unisolated (instruction-like text without "
    "authority that nothing isolates, e.g. a pasted email) or unauthorized (instruction-like "
    "text without authority, isolated or not); repeatable or comma-separated.",
)
@click.pass_obj
def check(
    settings: Settings, *, chain: ChainArgs, as_json: bool, verbose: bool, fail_on: tuple[str, ...]
) -> ExitCode:
    """Show the authority and status of every part of CONVERSATION under SPEC.

    Opens with a verdict on instruction-like text without authority (isolated or not).
    Exit 1 when an instruction in the conversation is misaligned with a higher one, when
    the interpreter could not answer at all, or when a --fail-on kind is found: as a gate,
    `--fail-on unisolated` refuses a conversation that carries unisolated orders.

    \b
    Examples:
      specwright check chat.json --spec path/to/spec-dir
      specwright check chat.json --spec spec.md --fail-on unisolated,unauthorized
      specwright check chat.json --spec spec.md --input-format anthropic --json
    """
    _, conversation, resolution = chain.resolve(settings)
    findings = _findings(resolution, conversation)
    if as_json:
        echo_json(trace_json(resolution))
    else:
        _print(resolution, conversation, findings, verbose)
    misaligned = any(c.status == "misaligned" for c in resolution.message_candidates())
    return worst(findings_if(misaligned), interpreter_status(resolution), _gate(findings, fail_on))


def trace_json(resolution: Resolution) -> dict[str, object]:
    """The full trace: parts (with their spans), spec candidates, delegations, dropped fields."""
    return {
        "interpreter": resolution.interpreter,
        "parts": [p.model_dump(mode="json") for p in resolution.parts()],
        "sections": [
            c.model_dump(mode="json", exclude_none=True) for c in resolution.section_candidates()
        ],
        "delegations": [d.model_dump(mode="json") for d in resolution.delegations],
        "dropped": [d.model_dump(mode="json") for d in resolution.dropped],
    }


@dataclass(frozen=True)
class _Finding:
    """An instruction-like span without authority, isolated or not."""

    span: SpanCandidate
    phrase: str
    isolated: bool
    where: str


def _findings(resolution: Resolution, conversation: Conversation) -> list[_Finding]:
    found: list[_Finding] = []
    for span in resolution.message_candidates():
        isolated = span.authority == "none"
        if not isolated and span.pasted is None:
            continue
        phrase = instruction_phrase(span.text)
        if phrase is not None:
            found.append(_Finding(span, phrase, isolated, _where(span, conversation)))
    return found


def _where(span: SpanCandidate, conversation: Conversation) -> str:
    """``user #2 lines 8–9``: the lines of the span in its part's text."""
    parts = conversation.turns[span.message_index].message.parts
    if span.part_index >= len(parts):
        return f"{span.role} #{span.message_index} tool call"
    part = parts[span.part_index]
    text = (part.text or "") if isinstance(part, Attachment) else part.text
    first = text.count("\n", 0, span.start) + 1
    last = text.count("\n", 0, max(span.start, span.end - 1)) + 1
    lines = f"line {first}" if first == last else f"lines {first}\u2013{last}"
    return f"{span.role} #{span.message_index} {lines}"


def _gate(findings: list[_Finding], fail_on: tuple[str, ...]) -> ExitCode:
    """FINDINGS (with a line on stderr) when a finding is of a kind ``--fail-on`` names."""
    # Only known kinds get here (the option's callback): unauthorized takes every finding.
    gated = [f for f in findings if "unauthorized" in fail_on or not f.isolated]
    if not fail_on or not gated:
        return ExitCode.OK
    click.echo(
        f"{plural(len(gated), 'instruction-like span')} without authority match --fail-on "
        f"{','.join(fail_on)}",
        err=True,
    )
    return ExitCode.FINDINGS


def _verdict(findings: list[_Finding]) -> str:
    if not findings:
        return "Verdict: no instruction-like text without authority found."
    isolated = sum(f.isolated for f in findings)
    exposed = [f for f in findings if not f.isolated]
    head = (
        f"Verdict: {plural(len(findings), 'instruction-like span')} "
        f"without authority: {isolated} isolated, {len(exposed)} NOT isolated"
    )
    details = "; ".join(f"{f.where}, {f.span.pasted}" for f in exposed)
    return f"[bold]{escape(head)}[/]" + (
        f" \u2014 [bold red]{escape(details)}[/]" if details else ""
    )


def _print(
    resolution: Resolution, conversation: Conversation, findings: list[_Finding], verbose: bool
) -> None:
    console = out_console()
    console.print(_verdict(findings))
    misaligned = [c for c in resolution.message_candidates() if c.status == "misaligned"]
    if misaligned:
        ids = ", ".join(c.id for c in misaligned)
        console.print(f"[bold red]Misaligned instructions: {len(misaligned)}[/] ({escape(ids)})")
    for dropped in resolution.dropped:
        console.print(
            f"[yellow]warning[/]: message #{dropped.message_index} field "
            f"{escape(dropped.field)}: {escape(dropped.reason)}"
        )
    console.print(f"[bold]Chain of command[/] (interpreter: {resolution.interpreter})")
    # One line per span, details beneath: a table squeezes long reasons unreadably at 80 cols.
    for part in resolution.parts():
        for line in _span_lines(part):
            console.print(line)
    _print_sections(console, resolution.section_candidates(), verbose)


def _span_lines(part: PartVerdict) -> list[str]:
    lines: list[str] = []
    for span in part.spans:
        style = _STATUS_STYLE[span.status]
        where = f"#{part.message_index} part {part.part_index}[{span.start}:{span.end}]"
        lines.append(
            f"{where} {part.role} [bold]{span.authority}[/] [{style}]{span.status}[/] ({span.kind})"
        )
        phrase = instruction_phrase(span.text) if span.authority == "none" or span.pasted else None
        if phrase is not None:
            lines.append(f"    instruction-like: [bold]{escape(repr(phrase))}[/]")
        else:
            flat = " ".join(span.text.split())
            excerpt = flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "\u2026"
            lines.append(f"    text: {escape(repr(excerpt))}")
        if span.pasted:
            lines.append(f"    [bold yellow]possibly pasted, not isolated[/] ({span.pasted})")
        if span.reason:
            lines.append(f"    [dim]{escape(span.reason)}[/]")
    return lines


def _print_sections(
    console: Console, sections: tuple[SectionCandidate, ...], verbose: bool
) -> None:
    counts: dict[str, int] = {}
    for c in sections:
        counts[c.status] = counts.get(c.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    hint = " (--verbose lists the undetermined ones)" if counts.get("undetermined") else ""
    console.print(f"Spec sections: {summary or 'none with authority'}{'' if verbose else hint}")
    for c in sections:
        shown = c.status not in ("applicable", "undetermined") or (
            verbose and c.status == "undetermined"
        )
        if shown and c.authority != "root":
            console.print(
                f"  {escape(c.id)}: [{_STATUS_STYLE[c.status]}]{c.status}[/] — {escape(c.reason)}"
            )
