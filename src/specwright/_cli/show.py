"""``specwright show``: the outline of a spec with authority badges, or one section in full."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from specwright._cli._common import echo_json, load_spec_option, out_console, spec_input
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._model import Example, Message, Section, Spec

__all__ = ["show"]

_BADGE_STYLE = {
    "root": "bold white on red",
    "system": "bold white on magenta",
    "developer": "bold white on blue",
    "user": "bold black on green",
    "guideline": "bold black on yellow",
}


@click.command()
@spec_input
@click.option("--section", "section_id", metavar="ID", help="Show one section in full.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def show(spec_path: Path | None, section_id: str | None, as_json: bool) -> ExitCode:
    """Show the outline of SPEC, or one section with its examples and eval prompts.

    SPEC may also be given as the argument (an alias of --spec).

    \b
    Examples:
      specwright show --spec path/to/spec-dir
      specwright show path/to/spec-dir --section chain_of_command --json
    """
    spec = load_spec_option(spec_path)
    if section_id is None:
        if as_json:
            echo_json([_outline_entry(spec, s) for s in spec.walk()])
        else:
            out_console().print(_outline_tree(spec))
        return ExitCode.OK
    section = spec.get(section_id)
    if section is None:
        ids = [s.id for s in spec.walk()]
        close = difflib.get_close_matches(section_id, ids, n=3)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        where = spec.source or spec_path or spec.title
        raise ConfigurationError(f"no section with id {section_id!r} in {where}{hint}")
    if as_json:
        echo_json(_section_json(spec, section))
    else:
        _print_section(out_console(), spec, section)
    return ExitCode.OK


def _outline_entry(spec: Spec, section: Section) -> dict[str, Any]:
    return {
        "id": section.id,
        "title": section.title,
        "depth": section.depth,
        "authority": section.authority,
        "effective_authority": spec.effective_authority(section.id),
        "examples": len(section.examples),
        "eval_prompts": sum(1 for p in spec.eval_prompts if p.section_id == section.id),
        "location": str(section.location) if section.location else None,
        **_provenance_json(section),
    }


def _provenance_json(section: Section) -> dict[str, Any]:
    """``layer`` and ``replaced`` keys for a section of a composed spec; none otherwise."""
    origin = section.provenance
    if origin is None:
        return {}
    replaced = origin.replaced
    return {
        "layer": origin.layer,
        "replaced": None
        if replaced is None
        else {
            "layer": replaced.layer,
            "authority": replaced.authority,
            "location": str(replaced.location) if replaced.location else None,
        },
    }


def _provenance_line(section: Section) -> str:
    origin = section.provenance
    if origin is None:
        return ""
    text = f"from layer {origin.layer}"
    if origin.replaced is not None:
        where = origin.replaced.location
        text += f", overriding {origin.replaced.layer}"
        text += f" {where.file}:{where.line}" if where else ""
        text += f" ({origin.replaced.authority})" if origin.replaced.authority else ""
    return text


def _badge(level: str | None) -> str:
    if level is None:
        return ""
    return f" [{_BADGE_STYLE[level]}] {level.upper()} [/]"


def _outline_tree(spec: Spec) -> Tree:
    root = Tree(
        f"[bold]{escape(spec.title or 'spec')}[/]"
        + (f" ({escape(spec.version)})" if spec.version else "")
        + (f"\n[dim]{escape(spec.description)}[/]" if spec.description else "")
    )

    def add(parent: Tree, section: Section) -> None:
        extra = f" [dim]#{escape(section.id)}[/]"
        if section.examples:
            count = len(section.examples)
            extra += f" [dim]· {count} example{'' if count == 1 else 's'}[/]"
        if section.provenance is not None and section.provenance.layer_index > 0:
            extra += f" [cyan]· {escape(_provenance_line(section))}[/]"
        node = parent.add(escape(section.title) + _badge(section.authority) + extra)
        for child in section.children:
            add(node, child)

    for section in spec.sections:
        add(root, section)
    return root


def _section_json(spec: Spec, section: Section) -> dict[str, Any]:
    data = section.model_dump(mode="json", exclude={"children"})
    data["effective_authority"] = spec.effective_authority(section.id)
    data["children"] = [child.id for child in section.children]
    data["eval_prompts"] = [
        p.model_dump(mode="json") for p in spec.eval_prompts if p.section_id == section.id
    ]
    return data


def _print_section(console: Console, spec: Spec, section: Section) -> None:
    level = spec.effective_authority(section.id)
    inherited = "" if section.authority or level is None else " [dim](inherited)[/]"
    console.print(
        f"[bold]{escape(section.title)}[/] [dim]#{escape(section.id)}[/]"
        + _badge(level)
        + inherited
    )
    if section.location:
        console.print(f"[dim]{escape(str(section.location))}[/]")
    if section.provenance is not None:
        console.print(f"[cyan]{escape(_provenance_line(section))}[/]")
    console.print()
    console.print(escape(section.body))
    for block in section.commentary:
        console.print(f"\n[italic]{escape(block.title)}:[/] {escape(block.markdown)}")
    for example in section.examples:
        _print_example(console, example)
    prompts = [p for p in spec.eval_prompts if p.section_id == section.id]
    if prompts:
        console.print(f"\n[bold]Eval prompts ({len(prompts)})[/]")
        for prompt in prompts:
            console.print(f"  [dim]{escape(prompt.id)}[/] {escape(prompt.title)}")


def _print_example(console: Console, example: Example) -> None:
    console.print(f"\n[bold]Example[/] [dim]{escape(example.id)}[/]: {escape(example.title)}")
    for message in example.messages:
        _print_message(console, message, "  ")
    for answer in example.answers:
        style = {"GOOD": "green", "BAD": "red", "OK": "yellow"}[answer.label]
        note = f": {escape(answer.explanation)}" if answer.explanation else ""
        console.print(f"  [{style}]{answer.label}[/]{note}")
        _print_message(console, answer.message, "    ")


def _print_message(console: Console, message: Message, indent: str) -> None:
    text = message.text.replace("\n", "\n" + indent + "  ")
    console.print(f"{indent}[bold]{message.role}[/]: {escape(text)}")
