"""``specwright compile``: the messages a target model receives for a conversation."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.panel import Panel

from specwright._chain._compiled import CompiledPrompt
from specwright._chain._compiler import compile_prompt
from specwright._chain._spotlight import check_mode
from specwright._chain._tokens import create_token_counter
from specwright._cli._chain_common import ChainArgs, chain_options
from specwright._cli._common import echo_json, err_console, out_console
from specwright._settings import Settings

__all__ = ["compile_command"]


@click.command("compile")
@chain_options
@click.option(
    "--target",
    type=click.Choice(["openai", "anthropic"]),
    default="openai",
    show_default=True,
    help="Message format of the output.",
)
@click.option(
    "--mode",
    type=click.Choice(["delimit", "datamark", "encode"]),
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
@click.pass_obj
def compile_command(
    settings: Settings,
    *,
    chain: ChainArgs,
    as_json: bool,
    target: str,
    mode: str,
    budget: int,
    counter_name: str,
    keep_assistant: bool,
) -> int:
    """Compile CONVERSATION under SPEC into the messages a target model receives.

    \b
    Examples:
      specwright compile chat.json --spec path/to/spec-dir
      specwright compile chat.json --spec spec.md --target anthropic --json
      specwright compile chat.json --spec spec.md --mode encode
    """
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
        _print(compiled, messages)
    return 0


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
    }


def _print(compiled: CompiledPrompt, messages: object) -> None:
    console = out_console()
    items = messages if isinstance(messages, list) else _anthropic_items(messages)
    for message in items:
        content = message.get("content")
        text = (
            content
            if isinstance(content, str)
            else json.dumps(content, indent=1, ensure_ascii=False)
        )
        console.print(Panel(escape(text or ""), title=escape(str(message.get("role")))))
    about = "" if compiled.tokens_exact else "~"
    kind = "exact" if compiled.tokens_exact else "estimate"
    err_console().print(
        f"preamble: {about}{compiled.preamble_tokens} tokens ({kind}, {compiled.counter}), "
        f"whole spec: {about}{compiled.whole_spec_tokens} tokens; "
        f"{len(compiled.sections)} sections included, {len(compiled.omitted)} omitted, "
        f"{len(compiled.isolated)} blocks isolated"
    )


def _anthropic_items(body: object) -> list[dict[str, object]]:
    assert isinstance(body, dict)
    items: list[dict[str, object]] = []
    if "system" in body:
        items.append({"role": "system", "content": body["system"]})
    return [*items, *body["messages"]]
