"""``specwright compile``: the messages a target model receives for a conversation."""

from __future__ import annotations

import json
from typing import get_args

import click
from rich.markup import escape

from specwright._chain._compiled import CompiledPrompt
from specwright._chain._compiler import compile_prompt
from specwright._chain._spotlight import SpotlightMode, check_mode
from specwright._chain._tokens import create_token_counter
from specwright._cli._chain_common import ChainArgs, chain_options, interpreter_status
from specwright._cli._common import echo_json, err_console, out_console, plural, warn_deprecated
from specwright._cli._exit import ExitCode
from specwright._settings import Settings

__all__ = ["compile_command"]


_OUTPUT_FORMATS = ("openai", "anthropic")


def _output_format(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or value in _OUTPUT_FORMATS:
        return value
    # Until this release --format named the conversation's format here: say where it went.
    raise click.BadParameter(
        f"{value!r} is not an output format ({', '.join(_OUTPUT_FORMATS)}); the "
        "conversation's format is --input-format",
        ctx,
        param,
    )


@click.command("compile")
@chain_options(legacy_format=False)
@click.option(
    "--format",
    "target",
    metavar="[openai|anthropic]",
    callback=_output_format,
    help="Message format of the output.  [default: openai]",
)
@click.option(
    "--target",
    "legacy_target",
    type=click.Choice(_OUTPUT_FORMATS),
    hidden=True,
    help="Deprecated: --format.",
)
@click.option(
    "--mode",
    type=click.Choice(get_args(SpotlightMode)),
    default="delimit",
    show_default=True,
    help="How isolated content is presented.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    default=2000,
    show_default=True,
    help="Token budget of the whole preamble (the core rules always fit; root sections "
    "not shown in full are named).",
)
@click.option(
    "--tokens",
    "counter_name",
    default="approx",
    show_default=True,
    help="Token counter (approx: an estimate; tiktoken: exact; or a plugin's).",
)
@click.option(
    "--keep-assistant",
    is_flag=True,
    help="Leave earlier assistant turns unwrapped (they carry no authority, so by default "
    "they are isolated like tool output).",
)
@click.option("--full", is_flag=True, help="Print every message's text after the summary.")
@click.pass_obj
def compile_command(
    settings: Settings,
    *,
    chain: ChainArgs,
    as_json: bool,
    target: str | None,
    legacy_target: str | None,
    mode: str,
    budget: int,
    counter_name: str,
    keep_assistant: bool,
    full: bool,
) -> ExitCode:
    """Compile CONVERSATION under SPEC into the messages a target model receives.

    Prints a summary (roles, sizes, isolated blocks, preamble sections and tokens); --full
    adds the text, --json the messages themselves.

    \b
    Examples:
      specwright compile chat.json --spec path/to/spec-dir
      specwright compile chat.json --spec spec.md --format anthropic --json
      specwright compile chat.json --spec spec.md --mode encode
    """
    if legacy_target is not None:
        warn_deprecated("--target", "--format (the output's format)")
    target = target or legacy_target or "openai"
    index, conversation, resolution = chain.resolve(settings, create_token_counter(counter_name))
    compiled = compile_prompt(
        index.spec,
        conversation,
        resolution,
        budget=budget,
        mode=check_mode(mode),
        index=index,
        isolate_assistant=not keep_assistant,
    )
    messages = compiled.to_openai() if target == "openai" else compiled.to_anthropic()
    if as_json:
        echo_json(_compiled_json(compiled, messages))
    else:
        _print(compiled, messages, full)
    return interpreter_status(resolution)


def _compiled_json(compiled: CompiledPrompt, messages: object) -> dict[str, object]:
    return {
        "messages": messages,
        "boundary_token": compiled.boundary_token,
        "mode": compiled.mode,
        "sections": [s.model_dump(mode="json") for s in compiled.sections],
        "omitted": list(compiled.omitted),
        "isolated": [b.model_dump(mode="json") for b in compiled.isolated],
        "preamble_tokens": compiled.preamble_tokens,
        "whole_spec_tokens": compiled.whole_spec_tokens,
        "token_counter": compiled.counter,
        "tokens_are_estimates": not compiled.tokens_exact,
        "omitted_roots": list(compiled.omitted_roots),
        "budget": compiled.budget,
        "dropped": [d.model_dump(mode="json") for d in compiled.dropped],
    }


def _print(compiled: CompiledPrompt, messages: object, full: bool) -> None:
    console = out_console()
    items = messages if isinstance(messages, list) else _anthropic_items(messages)
    isolated: dict[int, int] = {}
    for block in compiled.isolated:
        isolated[block.message_index] = isolated.get(block.message_index, 0) + 1
    console.print(f"[bold]Compiled request[/] ({len(items)} messages, preamble first)")
    for number, message in enumerate(items):
        text = _message_text(message)
        blocks = isolated.get(number - 1, 0) if number else 0
        note = f", {blocks} isolated block{'s' if blocks != 1 else ''}" if blocks else ""
        console.print(f"  #{number} {message.get('role')}: {len(text)} chars{note}")
    names = ", ".join(s.id for s in compiled.sections) or "none"
    console.print(f"Preamble sections in full: {escape(names)}")
    if compiled.omitted_roots:
        console.print(f"Root sections named only: {escape(', '.join(compiled.omitted_roots))}")
    for dropped in compiled.dropped:
        console.print(
            f"[yellow]warning[/]: message #{dropped.message_index} field "
            f"{escape(dropped.field)} dropped"
        )
    if full:
        for number, message in enumerate(items):
            console.print(f"\n[bold]#{number} {message.get('role')}[/]")
            console.print(escape(_message_text(message)))
    else:
        console.print("(--full prints the messages)")
    _print_tokens(compiled)


def _print_tokens(compiled: CompiledPrompt) -> None:
    about = "" if compiled.tokens_exact else "~"
    kind = "exact" if compiled.tokens_exact else "estimate"
    err_console().print(
        f"preamble: {about}{compiled.preamble_tokens} tokens ({kind}, {compiled.counter}; "
        f"budget {compiled.budget}), whole spec: {about}{compiled.whole_spec_tokens} tokens; "
        f"{plural(len(compiled.sections), 'section')} included, {len(compiled.omitted)} omitted, "
        f"{plural(len(compiled.isolated), 'block')} isolated"
    )


def _message_text(message: dict[str, object]) -> str:
    """A message as a person reads it: its text, and its tool calls written out."""
    content = message.get("content")
    if isinstance(content, str):
        text = content
    elif content is None:
        text = ""
    else:
        text = json.dumps(content, indent=1, ensure_ascii=False)
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else []:
        function = call.get("function", {}) if isinstance(call, dict) else {}
        text += f"\n→ call {function.get('name')}({function.get('arguments')})"
    return text.strip("\n")


def _anthropic_items(body: object) -> list[dict[str, object]]:
    assert isinstance(body, dict)
    items: list[dict[str, object]] = []
    if "system" in body:
        items.append({"role": "system", "content": body["system"]})
    return [*items, *body["messages"]]
