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
from specwright._cli._common import echo_json, out_console
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


@click.command()
@chain_options
@click.option("--verbose", "-v", is_flag=True, help="List undetermined sections one by one.")
@click.pass_obj
def check(settings: Settings, *, chain: ChainArgs, as_json: bool, verbose: bool) -> int:
    """Show the authority and status of every part of CONVERSATION under SPEC.

    Opens with a verdict on instruction-like text without authority (isolated or not).
    Exit 1 when an instruction in the conversation is misaligned with a higher one, or
    when the interpreter could not answer at all.

    \b
    Examples:
      specwright check chat.json --spec path/to/spec-dir
      specwright check chat.json --spec spec.md --format anthropic --json
    """
    _, conversation, resolution = chain.resolve(settings)
    if as_json:
        echo_json(trace_json(resolution))
    else:
        _print(resolution, conversation, verbose)
    misaligned = any(c.status == "misaligned" for c in resolution.message_candidates())
    return max(1 if misaligned else 0, interpreter_status(resolution))


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


def _verdict(findings: list[_Finding]) -> str:
    if not findings:
        return "Verdict: no instruction-like text without authority found."
    isolated = sum(f.isolated for f in findings)
    exposed = [f for f in findings if not f.isolated]
    head = (
        f"Verdict: {len(findings)} instruction-like span{'s' if len(findings) > 1 else ''} "
        f"without authority: {isolated} isolated, {len(exposed)} NOT isolated"
    )
    details = "; ".join(f"{f.where}, {f.span.pasted}" for f in exposed)
    return f"[bold]{escape(head)}[/]" + (
        f" \u2014 [bold red]{escape(details)}[/]" if details else ""
    )


def _print(resolution: Resolution, conversation: Conversation, verbose: bool) -> None:
    console = out_console()
    console.print(_verdict(_findings(resolution, conversation)))
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
