"""What ``specwright generate`` and its adaptive search share: planning, writing, summaries.

Both the one-shot command (:mod:`specwright._cli.generate`) and the search near failures
(:mod:`specwright._cli._generate_search`) use these, so they live below both.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from specwright._cli._common import (
    DraftingOptions,
    JsonOption,
    SpecOption,
    echo_json,
    model_profile,
)
from specwright._cli._eval_common import split_sections
from specwright._cli._exit import ExitCode, findings_if
from specwright._errors import ConfigurationError
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._generate._client import GeneratorClient, GeneratorSettings
    from specwright._generate._generation import GenerationResult
    from specwright._generate._kinds import Request
    from specwright._model import Spec
    from specwright._scenarios import GeneratedKind, ScenarioRecord

__all__ = [
    "GenerateOptions",
    "PreparedGeneration",
    "exit_code",
    "freeze_heap",
    "prepare",
    "print_result",
    "print_sections",
    "report_failures",
    "write_all",
]


class GenerateOptions(SpecOption, DraftingOptions, JsonOption):
    """The options of ``specwright generate`` (and its ``--adaptive`` search)."""

    sections: tuple[str, ...]
    """``--sections``, as given."""
    generator: str
    """``--generator MODEL``."""
    per_section: int
    """``--per-section``: scenarios per section and kind."""
    kinds: tuple[str, ...]
    """``--kinds``, as given."""
    output: Path
    """``-o FILE``: the scenario file."""
    max_concurrency: int | None
    """``--max-concurrency``; ``None``: the profile's."""
    max_retries: int
    """``--max-retries`` per request."""
    adaptive: bool
    """``--adaptive``: search near failures of ``--target``."""
    target: str | None
    """``--target MODEL`` (``--adaptive``)."""
    grader: str | None
    """``--grader MODEL`` (``--adaptive``)."""
    rounds: int
    """``--rounds`` (``--adaptive``)."""
    grader_samples: int
    """``--grader-samples`` (``--adaptive``)."""


def freeze_heap() -> None:
    """Exempt everything loaded so far (Inspect, the spec) from garbage collection.

    Parsing a reply allocates many small objects; each collection would otherwise rescan the
    whole heap of imported modules, which cost more than the parsing itself.
    """
    gc.collect()
    gc.freeze()


def exit_code(result: GenerationResult) -> ExitCode:
    """FINDINGS when requests failed or no reply was usable at all, else OK.

    Duplicates of what the file already holds are a normal outcome of re-running.
    """
    reports = result.sections.values()
    failed = sum(r.bad.get("request_failed", 0) for r in reports)
    usable = sum(r.written + r.duplicates for r in reports)
    return findings_if(bool(failed) or not usable)


class PreparedGeneration:
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
    options: GenerateOptions,
    kinds: tuple[GeneratedKind, ...],
    settings: Settings | None = None,
) -> PreparedGeneration:
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
        endpoint, generator_settings(options), profile=model_profile(options["profile"], settings)
    )
    return PreparedGeneration(spec, client, requests, existing)


def write_all(output: Path, new: Sequence[ScenarioRecord]) -> None:
    """The file's records as they are now (a review may have run meanwhile), then the drafts."""
    from specwright._generate._files import append_new

    append_new(output, new)


def generator_settings(options: GenerateOptions) -> GeneratorSettings:
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


def report_failures(result: GenerationResult, output: Path) -> None:
    """Why requests failed (one line each, distinct), and where unreadable replies are kept."""
    from specwright._llm import keep_unparsed, unparsed_path

    for line in result.failures[:3]:
        click.echo(f"generator: {line}", err=True)
    if result.unparsed:
        kept = unparsed_path(output)
        keep_unparsed(kept, result.unparsed)
        click.echo(f"{len(result.unparsed)} reply(ies) could not be read: kept in {kept}", err=True)


def print_result(result: GenerationResult, as_json: bool, output: Path) -> None:
    if as_json:
        from specwright._generate._summary import GenerationSummary

        echo_json(GenerationSummary.of(result, output).model_dump(mode="json"))
        return
    print_sections(result)
    click.echo(
        f"{len(result.records)} draft scenarios → {output} ({result.requests} requests, "
        f"{result.tokens} tokens, {result.seconds:.1f} s); review with "
        f"`specwright scenarios review {output}`",
        err=True,
    )


def print_sections(result: GenerationResult) -> None:
    """One line per section: written, duplicates, bad output by reason, diversity."""
    for report in result.sections.values():
        bad = ", ".join(f"{k} {v}" for k, v in sorted(report.bad.items())) or "none"
        div = "n/a" if report.diversity is None else f"{report.diversity:.2f}"
        click.echo(
            f"{report.section_id:<40} written {report.written:>3}  duplicates "
            f"{report.duplicates:>2}  bad: {bad}  diversity {div}"
        )
