"""``specwright lint``: structural findings with file:line and severity."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click
from rich.markup import escape

from specwright._cli._common import echo_json, load_spec_option, out_console, plural, spec_input
from specwright._cli._exit import ExitCode, findings_if
from specwright._lint import Finding, lint_rules, lint_spec, split_base_findings

__all__ = ["lint"]


@click.command()
@spec_input
@click.option("--json", "as_json", is_flag=True, help="Print findings as a JSON list on stdout.")
@click.option(
    "--select", multiple=True, metavar="RULE", help="Run only this rule (code or name); repeatable."
)
@click.option(
    "--ignore", multiple=True, metavar="RULE", help="Skip this rule (code or name); repeatable."
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 on info findings too (default: errors and warnings)."
)
@click.option(
    "--include-base",
    is_flag=True,
    help="For a company layer: list (and count) its base's findings too, not just their number.",
)
def lint(
    *,
    spec_path: Path | None,
    as_json: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    include_base: bool,
) -> ExitCode:
    """Check SPEC for structural problems; exit 1 when there are findings.

    SPEC may also be given as the argument (an alias of --spec). For a company layer (a spec
    that `extends:` a base) only the layer's own findings are listed and decide the exit
    code; the base's are counted on one line (--include-base lists them).

    \b
    Examples:
      specwright lint --spec path/to/spec-dir
      specwright lint model_spec.md --select broken-reference --json

    \b
    Rules:
    """
    spec = load_spec_option(spec_path)
    findings = lint_spec(spec, select=select or None, ignore=ignore)
    if not include_base:
        findings, hidden = split_base_findings(spec, findings)
    if as_json:
        echo_json([f.model_dump(mode="json") for f in findings])
    else:
        _print_human(findings)
        if not include_base and hidden:
            base = spec.layers[0].title if len(spec.layers) == 2 else "the base layers"
            click.echo(
                f"{base}: {_counts(hidden)}, not listed (--include-base lists them)", err=True
            )
    failing = [f for f in findings if strict or f.severity != "info"]
    return findings_if(bool(failing))


def _print_human(findings: list[Finding]) -> None:
    console = out_console()
    styles = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        # Locations and messages quote the spec (ids, file names): never read them as markup.
        where = escape(str(finding.location) if finding.location else "<spec>")
        severity = f"[{styles[finding.severity]}]{finding.severity}[/]"
        layer = f" [dim](layer: {escape(finding.layer)})[/]" if finding.layer else ""
        console.print(
            f"{where}: {severity}: {escape(finding.message)}{layer} "
            f"[dim]\\[{finding.code} {finding.rule}][/]"
        )
    click.echo(_counts(findings), err=True)


def _counts(findings: list[Finding]) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    summary = ", ".join(plural(n, s) for s, n in counts.items())
    return f"{plural(len(findings), 'finding')} ({summary})"


def _rule_lines() -> str:
    # Indented like the docstring (click dedents the whole help) and wrapped by hand, since
    # the \b block that keeps one rule per line also stops click from wrapping.
    lines = []
    for rule in lint_rules():
        text = f"{rule.code} {rule.name} ({rule.severity}): {rule.summary.replace('``', '`')}"
        lines.extend(
            textwrap.wrap(
                text, 74, initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False
            )
        )
    return "".join(f"\n    {line}" for line in lines)


# The rule list in --help comes from the registry, so it can never drift from the code. The
# docstring ends in "Rules:"; a blank line there would end the \b block and rewrap the list.
lint.help = (lint.help or "").rstrip() + _rule_lines()
