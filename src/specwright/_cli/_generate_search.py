"""The ``--adaptive`` half of ``specwright generate``: generation, then rounds near failures."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import click

from specwright._cli._common import echo_json, model_profile
from specwright._cli._exit import ExitCode
from specwright._cli._generate_common import (
    GenerateOptions,
    exit_code,
    freeze_heap,
    prepare,
    print_sections,
    write_all,
)
from specwright._errors import ConfigurationError
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._generate._adaptive import AdaptiveResult, RoundReport
    from specwright._model import Spec
    from specwright._scenarios import GeneratedKind

__all__ = ["run_search"]


def run_search(
    spec: Spec, options: GenerateOptions, kinds: tuple[GeneratedKind, ...], settings: Settings
) -> ExitCode:
    """Generate, evaluate on ``--target``, search ``--rounds`` rounds; write every draft."""
    from specwright._eval._judge import GraderSettings
    from specwright._eval._provider import inspect_model
    from specwright._generate._adaptive import Judges, search

    target_name = options["target"] or settings.model
    if not target_name:
        raise ConfigurationError("--adaptive needs --target MODEL (the model to find failures of)")
    grader_name = options["grader"] or settings.grader or target_name
    prepared = prepare(spec, options, kinds, settings)
    limit = (
        options["max_concurrency"] or model_profile(options["profile"], settings).max_connections
    )
    target = inspect_model(target_name, max_connections=limit)
    grader = inspect_model(grader_name, max_connections=limit, role="grader")
    judges = Judges(target, grader, GraderSettings(samples=options["grader_samples"]), limit)
    freeze_heap()

    async def main() -> AdaptiveResult:
        try:
            first = await prepared.generate()
            return await search(
                spec,
                first=first,
                client=prepared.client,
                judges=judges,
                rounds=options["rounds"],
                existing=prepared.existing,
                per_parent=options["per_section"],
                on_round=_progress,
            )
        finally:
            await prepared.client.close()
            await target.api.aclose()
            await grader.api.aclose()

    result = asyncio.run(main())
    output: Path = options["output"]
    write_all(output, result.records)
    _print(result, options["as_json"], output)
    return exit_code(result.generation[0])


def _progress(report: RoundReport) -> None:
    click.echo(
        f"round {report.round}: {report.scenarios} new scenarios, {report.failures} failures, "
        f"{report.disagreements} disagreements, tokens generator {report.generator_tokens} "
        f"target {report.target_tokens} grader {report.grader_tokens}",
        err=True,
    )


def _print(result: AdaptiveResult, as_json: bool, output: Path) -> None:
    if as_json:
        from specwright._generate._summary import GenerationSummary

        echo_json(GenerationSummary.of(result, output).model_dump(mode="json"))
        return
    print_sections(result.generation[0])
    click.echo("round  scenarios  failures  disagreements  errors  tokens (gen/target/grader)")
    for r in result.rounds:
        click.echo(
            f"{r.round:>5}  {r.scenarios:>9}  {r.failures:>8}  {r.disagreements:>13}  "
            f"{r.errors:>6}  {r.generator_tokens}/{r.target_tokens}/{r.grader_tokens}"
        )
    click.echo(f"{len(result.records)} draft scenarios → {output}", err=True)
