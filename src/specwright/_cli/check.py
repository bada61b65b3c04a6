"""``specwright check``: authority and status of every part of a conversation under a spec."""

from __future__ import annotations

import click
from rich.markup import escape

from specwright._chain._resolution import PartVerdict, Resolution
from specwright._cli._chain_common import ChainArgs, chain_options
from specwright._cli._common import echo_json, out_console
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


@click.command()
@chain_options
@click.pass_obj
def check(settings: Settings, *, chain: ChainArgs, as_json: bool) -> int:
    """Show the authority and status of every part of CONVERSATION under SPEC.

    Exit 1 when an instruction in the conversation is misaligned with a higher one.

    \b
    Examples:
      specwright check chat.json --spec path/to/spec-dir
      specwright check chat.json --spec spec.md --format anthropic --json
    """
    _, _, resolution = chain.resolve(settings)
    if as_json:
        echo_json(trace_json(resolution))
    else:
        _print(resolution)
    misaligned = any(c.status == "misaligned" for c in resolution.message_candidates())
    return 1 if misaligned else 0


def trace_json(resolution: Resolution) -> dict[str, object]:
    """The full trace: parts (with their spans), spec candidates, delegations."""
    return {
        "interpreter": resolution.interpreter,
        "parts": [p.model_dump(mode="json") for p in resolution.parts()],
        "sections": [
            c.model_dump(mode="json", exclude_none=True)
            for c in resolution.candidates
            if c.origin == "spec"
        ],
        "delegations": [d.model_dump(mode="json") for d in resolution.delegations],
    }


def _print(resolution: Resolution) -> None:
    console = out_console()
    console.print(f"[bold]Chain of command[/] (interpreter: {resolution.interpreter})")
    # One line per span, its reason beneath: a table squeezes long reasons unreadably at 80 cols.
    for part in resolution.parts():
        for line in _span_lines(part):
            console.print(line)
    sections = [c for c in resolution.candidates if c.origin == "spec"]
    counts: dict[str, int] = {}
    for c in sections:
        counts[c.status] = counts.get(c.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console.print(f"Spec sections: {summary or 'none with authority'}")
    for c in sections:
        if c.status not in ("applicable",) and c.authority != "root":
            console.print(
                f"  {escape(c.id)}: [{_STATUS_STYLE[c.status]}]{c.status}[/] — {escape(c.reason)}"
            )


def _span_lines(part: PartVerdict) -> list[str]:
    lines: list[str] = []
    for span in part.spans:
        flat = " ".join(span.text.split())
        excerpt = flat if len(flat) <= 60 else flat[:57] + "..."
        style = _STATUS_STYLE[span.status]
        where = f"#{part.message_index} part {part.part_index}[{span.start}:{span.end}]"
        lines.append(
            f"{where} {part.role} [bold]{span.authority}[/] [{style}]{span.status}[/] "
            f"{escape(repr(excerpt))}"
        )
        if span.reason:
            lines.append(f"    [dim]{escape(span.reason)}[/]")
    return lines
