"""``specwright export-data``: the spec (and judged runs) as SFT or preference training data."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict, Unpack, get_args

import click

from specwright._cli._common import (
    echo_json,
    env_help,
    load_spec_option,
    results_db_option,
    spec_option,
)
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._results import RunResult
from specwright._settings import Settings
from specwright._training import TRAINING_FORMATS, ExportOptions, ExportResult
from specwright._training._formats import PREFERENCE_FORMATS
from specwright._training._split import SplitBy

__all__ = ["ExportDataOptions", "export_data"]


class ExportDataOptions(TypedDict):
    """The options of ``specwright export-data``, as click passes them."""

    spec_path: Path | None
    fmt: str
    include_ok: bool
    runs: tuple[Path, ...]
    no_spec_pairs: bool
    split_by: SplitBy
    test_share: float
    seed: int
    min_kappa: float | None
    for_model: str | None
    results_db: str | None
    output: Path
    as_json: bool


@click.command("export-data")
@spec_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TRAINING_FORMATS),
    required=True,
    help="sft / dpo: Hugging Face TRL columns; openai-chat / openai-preference: "
    "OpenAI fine-tuning JSONL (metadata in a .metadata.jsonl sidecar).",
)
@click.option("--include-ok", is_flag=True, help="SFT formats: OK answers become records too.")
@click.option(
    "--from-runs",
    "runs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Preference formats: also pair compliant over non-compliant answers of these "
    "judged runs (eval logs, RunResult JSON or directories). Repeatable.",
)
@click.option(
    "--no-spec-pairs", is_flag=True, help="With --from-runs: leave out the spec's comparisons."
)
@click.option(
    "--split",
    "split_by",
    type=click.Choice(get_args(SplitBy)),
    default="scenario",
    show_default=True,
    help="What the train/test split keeps together.",
)
@click.option(
    "--test-share",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=0.2,
    show_default=True,
    help="Share of scenarios (or sections) held out for testing.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split.")
@click.option(
    "--min-kappa",
    type=float,
    default=None,
    help=env_help("Runs whose judge's kappa is below this give no pairs.", "SPECWRIGHT_MIN_KAPPA"),
)
@click.option(
    "--for-model",
    help="Record that this export trains MODEL: evals of MODEL on "
    "exported train scenarios then warn [stored in --results-db].",
)
@results_db_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The train file (.jsonl); the test split goes beside it as NAME.test.jsonl.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.pass_obj
def export_data(settings: Settings, /, **options: Unpack[ExportDataOptions]) -> ExitCode:
    """Export the spec's labelled answers as training data, every record traced to its section.

    \b
    Examples:
      specwright export-data --spec SPEC --format sft -o sft.jsonl
      specwright export-data --spec SPEC --format dpo --from-runs logs/ \\
          -o pairs.jsonl
      specwright export-data --spec SPEC --format openai-chat --for-model my-ft \\
          -o ft.jsonl
    """
    from specwright._training import export_training_data, write_export

    spec = load_spec_option(options["spec_path"], settings)
    export_options = ExportOptions(
        format=options["fmt"],
        include_ok=options["include_ok"],
        from_spec=not options["no_spec_pairs"],
        split_by=options["split_by"],
        test_share=options["test_share"],
        seed=options["seed"],
        min_kappa=settings.min_kappa if options["min_kappa"] is None else options["min_kappa"],
    )
    if options["runs"] and export_options.format not in PREFERENCE_FORMATS:
        raise ConfigurationError(
            "--from-runs makes preference pairs: use --format dpo or openai-preference"
        )
    db_url = options["results_db"] or settings.results_db
    result = export_training_data(spec, export_options, _runs(options["runs"], db_url))
    written = write_export(result, options["output"])
    if options["for_model"]:
        _record(result, options["output"], options["for_model"], db_url)
    if options["as_json"]:
        echo_json(result.manifest)
    _summary(result, written)
    return ExitCode.OK


def _runs(paths: tuple[Path, ...], db_url: str) -> list[RunResult]:
    if not paths:
        return []
    from specwright._cli._report_common import log_reader
    from specwright._report._load import load_runs
    from specwright._revise._adjudicate import (
        adjudicate,
        stored_feedback,
        unclear_samples,
        without_unclear,
    )

    runs = load_runs(list(paths), log_reader())
    feedback = stored_feedback(db_url, [r.run_id for r in runs])
    unclear = unclear_samples(feedback)
    if unclear:  # a person's newest word on these is doubt: no pair is built on them
        click.echo(f"left out {len(unclear)} sample(s) a person found unclear", err=True)
    return [adjudicate(run, feedback) for run in without_unclear(runs, unclear)]  # people win


def _record(result: ExportResult, output: Path, model: str, db_url: str) -> None:
    from specwright._training._contamination import record_export

    record_export(db_url, result.manifest, model=model, path=str(output))


def _summary(result: ExportResult, written: list[Path]) -> None:
    counts = result.manifest.counts
    click.echo(
        f"{counts['train']} train and {counts['test']} test records "
        f"({len(result.manifest.test_scenarios)} scenarios held out) → "
        + ", ".join(str(p) for p in written),
        err=True,
    )
    for item in result.manifest.skipped[:10]:
        click.echo(f"skipped {item.source_id}: {item.reason}", err=True)
    if len(result.manifest.skipped) > 10:
        click.echo(
            f"… and {len(result.manifest.skipped) - 10} more skipped (see the manifest)", err=True
        )
