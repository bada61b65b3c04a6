"""``specwright generate``: spec-grounded draft scenarios, one file, ready for review."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from specwright._cli._common import echo_json, load_spec_option, model_profile, profile_option
from specwright._cli._eval_common import sections_option, spec_option, split_sections
from specwright._errors import ConfigurationError
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._generate._client import GeneratorClient, GeneratorSettings
    from specwright._generate._generation import GenerationResult
    from specwright._generate._kinds import Request
    from specwright._model import Spec
    from specwright._scenarios import GeneratedKind, ScenarioRecord

__all__ = [
    "exit_code",
    "freeze_heap",
    "generate_command",
    "prepare",
    "print_sections",
    "summary",
    "write_all",
]

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
def generate_command(settings: Settings, /, **options: Any) -> int:
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
    output: Path = options["output"]
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
    _report_failures(result, output)
    _print(result, options["as_json"], output)
    return exit_code(result)


def freeze_heap() -> None:
    """Exempt everything loaded so far (Inspect, the spec) from garbage collection.

    Parsing a reply allocates many small objects; each collection would otherwise rescan the
    whole heap of imported modules, which cost more than the parsing itself.
    """
    gc.collect()
    gc.freeze()


def exit_code(result: GenerationResult) -> int:
    """1 when requests failed or no reply was usable at all, else 0.

    Duplicates of what the file already holds are a normal outcome of re-running.
    """
    reports = result.sections.values()
    failed = sum(r.bad.get("request_failed", 0) for r in reports)
    usable = sum(r.written + r.duplicates for r in reports)
    return 1 if failed or not usable else 0


class Prepared:
    """Everything checked and built before the first request."""

    def __init__(
        self,
        spec: Spec,
        client: GeneratorClient,
        requests: list[Request],
        existing: list[ScenarioRecord],
    ) -> None:
        self.spec = spec
        self.client = client
        self.requests = requests
        self.existing = existing

    async def generate(self) -> GenerationResult:
        """Send the planned requests, printing progress on stderr."""
        from specwright._generate._generation import generate

        done = 0

        def progress(_: Request) -> None:
            nonlocal done
            done += 1
            if done == len(self.requests) or done % 20 == 0:
                click.echo(f"generator replies: {done}/{len(self.requests)}", err=True)

        return await generate(
            self.spec,
            requests=self.requests,
            client=self.client,
            existing=self.existing,
            on_reply=progress,
        )


def prepare(
    spec: Spec,
    options: dict[str, Any],
    kinds: tuple[GeneratedKind, ...],
    settings: Settings | None = None,
) -> Prepared:
    """Check the generator and the output file; plan the requests."""
    from specwright._generate._client import GeneratorClient, check_reachable, resolve_endpoint
    from specwright._generate._files import existing_records
    from specwright._generate._generation import plan_requests, rejected_by_section

    endpoint = resolve_endpoint(options["generator"], option="--generator")
    existing = existing_records(options["output"])
    requests = plan_requests(
        spec,
        sections=split_sections(options["sections"]) or None,
        kinds=kinds,
        per_section=options["per_section"],
        seed=options["seed"],
        rejected=rejected_by_section(existing),
    )
    if not requests:
        raise ConfigurationError("nothing to generate: no section supports the chosen --kinds")
    check_reachable(endpoint, option="--generator")
    client = GeneratorClient(
        endpoint, generator_settings(options), profile=model_profile(options, settings)
    )
    return Prepared(spec, client, requests, existing)


def write_all(output: Path, new: Sequence[ScenarioRecord]) -> None:
    """The file's records as they are now (a review may have run meanwhile), then the drafts."""
    from specwright._generate._files import append_new

    append_new(output, new)


def generator_settings(options: dict[str, Any]) -> GeneratorSettings:
    """The generator settings the options ask for."""
    from specwright._generate._client import GeneratorSettings

    return GeneratorSettings(
        temperature=options["temperature"],
        seed=options["seed"],
        max_concurrency=options["max_concurrency"],
        timeout=options["timeout"],
        max_retries=options["max_retries"],
        max_tokens=options["max_tokens"],
    )


def _report_failures(result: GenerationResult, output: Path) -> None:
    """Why requests failed (one line each, distinct), and where unreadable replies are kept."""
    from specwright._llm import keep_unparsed, unparsed_path

    for line in result.failures[:3]:
        click.echo(f"generator: {line}", err=True)
    if result.unparsed:
        kept = unparsed_path(output)
        keep_unparsed(kept, result.unparsed)
        click.echo(f"{len(result.unparsed)} reply(ies) could not be read: kept in {kept}", err=True)


def _print(result: GenerationResult, as_json: bool, output: Path) -> None:
    if as_json:
        echo_json(summary(result, output))
        return
    print_sections(result)
    click.echo(
        f"{len(result.records)} draft scenarios → {output} ({result.requests} requests, "
        f"{result.tokens} tokens, {result.seconds:.1f} s); review with "
        f"`specwright scenarios review {output}`",
        err=True,
    )


def summary(result: GenerationResult, output: Path) -> dict[str, Any]:
    """The ``--json`` summary of one generation."""
    return {
        "output": str(output),
        "written": len(result.records),
        "requests": result.requests,
        "tokens": result.tokens,
        "seconds": result.seconds,
        "sections": {k: v.model_dump(mode="json") for k, v in result.sections.items()},
    }


def print_sections(result: GenerationResult) -> None:
    """One line per section: written, duplicates, bad output by reason, diversity."""
    for report in result.sections.values():
        bad = ", ".join(f"{k} {v}" for k, v in sorted(report.bad.items())) or "none"
        div = "n/a" if report.diversity is None else f"{report.diversity:.2f}"
        click.echo(
            f"{report.section_id:<40} written {report.written:>3}  duplicates "
            f"{report.duplicates:>2}  bad: {bad}  diversity {div}"
        )
