"""``specwright generate``: spec-grounded draft scenarios, one file, ready for review."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

import click

from specwright._cli._common import load_spec_option, profile_option
from specwright._cli._eval_common import sections_option, spec_option, split_sections
from specwright._cli._exit import ExitCode
from specwright._cli._generate_common import (
    GenerateOptions,
    exit_code,
    freeze_heap,
    prepare,
    print_result,
    report_failures,
    write_all,
)
from specwright._errors import ConfigurationError
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._generate._generation import GenerationResult
    from specwright._scenarios import GeneratedKind

__all__ = ["GenerateOptions", "generate_command"]

# The generator's ALL_KINDS, spelled out because importing it loads Inspect (seconds) for
# every --help; a test keeps the two equal.
_KINDS = (
    "direct",
    "authority_conflict",
    "benign_twin",
    "principle_interaction",
    "multi_turn",
    "paraphrase",
)


def split_kinds(values: tuple[str, ...]) -> tuple[GeneratedKind, ...]:
    """``--kinds a,b --kinds c``; an unknown kind is a usage error naming the known ones."""
    kinds = split_sections(values) or _KINDS
    unknown = [k for k in kinds if k not in _KINDS]
    if unknown:
        raise ConfigurationError(
            f"--kinds: unknown kind {unknown[0]!r} (choose from {', '.join(_KINDS)})"
        )
    return tuple(dict.fromkeys(kinds))  # type: ignore[arg-type]


@click.command("generate")
@spec_option
@sections_option
@click.option(
    "--generator",
    required=True,
    help="Generator model: openai-api/<name>/<model> (with <NAME>_BASE_URL, <NAME>_API_KEY).",
)
@click.option(
    "--per-section",
    type=click.IntRange(min=1, max=50),
    default=3,
    show_default=True,
    help="Scenarios asked for per section and kind.",
)
@click.option(
    "--kinds", multiple=True, help=f"Kinds to generate (default all: {', '.join(_KINDS)})."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Scenario file (.yaml/.yml/.jsonl); existing records are kept and new drafts added.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the first request.")
@click.option(
    "--temperature", type=float, default=0.8, show_default=True, help="Generator temperature."
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    help="Generator requests in flight (default: the profile's; 16 for openai, 1 for llama-cpp).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help="Seconds per generator request (default: the profile's; 120 for openai).",
)
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Retries per generator request after a failure that costs nothing upstream (not a "
    "timeout, not a refusal).",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Upper bound on one generator reply.",
)
@profile_option()
@click.option("--adaptive", is_flag=True, help="Search near failures of --target (see --rounds).")
@click.option("--target", help="Model under test for --adaptive (an Inspect model name).")
@click.option("--grader", help="Grader for --adaptive (default: the target).")
@click.option(
    "--rounds", type=click.IntRange(min=1), default=2, show_default=True, help="Adaptive rounds."
)
@click.option(
    "--grader-samples",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Grader samples per answer in --adaptive (disagreement is searched too).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.pass_obj
def generate_command(settings: Settings, /, **options: Unpack[GenerateOptions]) -> ExitCode:
    """Generate draft scenarios for a spec's sections with a generator model.

    \b
    Examples:
      specwright generate --spec spec/ --generator openai-api/local/gen \\
          -o drafts.yaml
      specwright generate --spec spec/ --generator openai-api/local/gen \\
          --sections protect_documents --kinds authority_conflict,benign_twin \\
          -o drafts.jsonl
      specwright generate --spec spec/ --generator openai-api/local/gen \\
          -o drafts.yaml --adaptive --target openai-api/local/m \\
          --grader openai-api/local/judge --rounds 3
    """
    from specwright._generate._files import check_output_path

    spec = load_spec_option(options["spec_path"], settings)
    output = options["output"]
    check_output_path(output)
    kinds = split_kinds(options["kinds"])
    if options["adaptive"]:
        from specwright._cli._generate_search import run_search

        return run_search(spec, options, kinds, settings)
    if options["target"] or options["grader"]:
        raise ConfigurationError("--target and --grader go with --adaptive")
    prepared = prepare(spec, options, kinds, settings)
    freeze_heap()

    async def main() -> GenerationResult:
        try:
            return await prepared.generate()
        finally:
            await prepared.client.close()

    result = asyncio.run(main())
    write_all(output, result.records)
    report_failures(result, output)
    print_result(result, options["as_json"], output)
    return exit_code(result)
