"""``specwright eval``: spec compliance of a model, section by section, on Inspect AI."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Unpack

import click

from specwright._cli._changed_since import ChangedSinceOptions
from specwright._cli._common import (
    ProfileOption,
    echo_json,
    env_help,
    err_console,
    model_profile,
    out_console,
    profile_option,
    results_db_option,
)
from specwright._cli._eval_common import (
    JudgeOptions,
    check_graders,
    grader_option,
    grader_samples_option,
    log_dir_option,
    max_connections_option,
    resolve_log_dir,
    role_provider_note,
    sections_option,
    spec_option,
    split_sections,
    writable_log_dir,
)
from specwright._cli._exit import ExitCode, findings_if, stage_exit
from specwright._errors import ConfigurationError
from specwright._results import Rate, RunResult, agreement_line, judges_validity
from specwright._settings import Settings

if TYPE_CHECKING:  # the eval extra (Inspect) loads only when the command runs
    from specwright._cli._changed_since import ChangedSince
    from specwright._eval._panel import JudgePanel
    from specwright._eval._run import EvalOptions, RunOutcome

__all__ = ["EvalCommandOptions", "eval_command", "resolve_models"]


class EvalCommandOptions(JudgeOptions, ProfileOption, ChangedSinceOptions):
    """The options of ``specwright eval``, as click passes them."""

    model: str | None
    """``--model``; ``None``: the ``SPECWRIGHT_MODEL`` setting."""
    limit: int | None
    """``--limit N`` scenarios."""
    sample_seed: int | None
    """``--sample-seed``: a stratified sample for ``--limit``."""
    scenarios: Path | None
    """``--scenarios FILE``: extra scenarios."""
    include_drafts: bool
    """``--include-drafts``."""
    epochs: int
    """``--epochs``."""
    enforce: bool
    """``--enforce``: send the compiler's output."""
    timeout: int
    """``--timeout`` seconds per request."""
    max_retries: int
    """``--max-retries`` per request."""
    fail_under: float | None
    """``--fail-under RATE``: exit 1 below it."""
    display: Literal["plain", "rich", "none"]
    """``--display``: progress on stderr."""
    no_index: bool
    """``--no-index``: leave the results store alone."""
    workers: int
    """``--workers`` processes."""
    fast: bool
    """``--fast``: less logging detail."""
    report_path: Path | None
    """``--report FILE``."""


NO_MODEL = (
    "no model to evaluate: pass --model or set SPECWRIGHT_MODEL, e.g. "
    "--model openai-api/local/my-model with LOCAL_BASE_URL=http://127.0.0.1:8000/v1 and "
    "LOCAL_API_KEY=... (any Inspect model name works: openai/gpt-4o-mini, mockllm/model, ...)"
)


def resolve_models(
    model: str | None, grader: str | None, settings: Settings, warnings: list[str] | None = None
) -> tuple[str, str]:
    """The model under test and the grader; a missing model is a usage error.

    Without a grader the model grades itself; that warning is appended to ``warnings`` (or
    printed at once when no list is given).
    """
    model = model or settings.model
    if not model:
        raise ConfigurationError(NO_MODEL)
    grader = grader or settings.grader
    if not grader:
        warning = f"warning: no --grader (or SPECWRIGHT_GRADER): {model} grades its own answers"
        if warnings is None:
            click.echo(warning, err=True)
        else:
            warnings.append(warning)
        grader = model
    return model, grader


@click.command("eval")
@spec_option
@click.option(
    "--model",
    metavar="MODEL",
    help=env_help("Model under test, e.g. openai-api/local/my-model.", "SPECWRIGHT_MODEL"),
)
@grader_option(
    env_help(
        "Grader model; repeat for several judges (the majority verdict counts, a tie as "
        "non-compliant; reports show their agreement).",
        "SPECWRIGHT_GRADER",
        default="the model under test",
    )
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Run only N scenarios: the first N in spec order, or with --sample-seed a sample "
    "stratified across sections.",
)
@click.option(
    "--sample-seed",
    type=click.IntRange(min=0),
    help="Order scenarios by a seeded round-robin over sections, so --limit N covers as "
    "many sections as it can (same seed, same sample).",
)
@sections_option
@click.option(
    "--scenarios",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Extra scenarios (YAML list or JSONL; see schemas/scenarios.schema.json).",
)
@click.option("--include-drafts", is_flag=True, help="Also run --scenarios records still in draft.")
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Times each scenario runs (intervals are then clustered by scenario).",
)
@grader_samples_option
@click.option("--enforce", is_flag=True, help="Send the chain-of-command compiler's output.")
@max_connections_option(20, "Concurrent requests per model (a one-slot local server: 1).")
@profile_option()
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Seconds a request may take, retries included.",
)
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Retries of a failed request (HTTP 429/5xx, resets, malformed replies).",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0.0, 1.0),
    metavar="RATE",
    help="Exit 1 when overall compliance is below RATE (0-1), e.g. 0.8.",
)
@click.option(
    "--display",
    type=click.Choice(["plain", "rich", "none"]),
    default="plain",
    show_default=True,
    help="Progress on stderr (Inspect's full-screen display is never used).",
)
@log_dir_option
@results_db_option()
@click.option("--no-index", is_flag=True, help="Do not index the finished run in the store.")
@click.option(
    "--changed-since",
    metavar="OLD_SPEC",
    type=click.Path(path_type=Path),
    help="Re-run only sections changed since OLD_SPEC; carry --baseline's other results over.",
)
@click.option(
    "--baseline",
    metavar="RUN",
    type=click.Path(path_type=Path),
    help="With --changed-since: the earlier run (log or run JSON) to carry results from.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes to split the scenarios over (runs under 25 samples a worker use fewer).",
)
@click.option(
    "--fast",
    is_flag=True,
    help="Less logging detail for speed: no live sample events or raw model API calls.",
)
@click.option(
    "--report",
    "report_path",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the run's report to FILE (.html, .md or .json), as `specwright report` does.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.pass_obj
def eval_command(settings: Settings, /, **options: Unpack[EvalCommandOptions]) -> ExitCode:
    """Evaluate a model's compliance with a spec; resume an interrupted run by re-running it.

    Exit 0 when every sample finished and something was scored (and compliance is not below
    --fail-under); 1 for a partial run, nothing scored or compliance below --fail-under;
    2 for bad input; 130 after Ctrl-C (143 after SIGTERM), with finished samples kept.

    \b
    Examples:
      specwright eval --spec spec/ --model openai-api/local/m \\
          --grader openai-api/local/judge
      specwright eval --spec spec/ --model openai-api/local/m --sections a,b \\
          --epochs 3 --limit 50 --json
    """
    from specwright._cli._changed_since import finish_changed_since, plan_changed_since
    from specwright._eval._run import EvalInterrupted
    from specwright._eval._workers import run_any

    _check_report_path(options["report_path"])  # before any model call
    plan = plan_changed_since(settings, options)  # --changed-since: picks the sections
    sections = plan.affected if plan is not None else split_sections(options["sections"])
    warnings: list[str] = []
    run_options = _options(settings, options, sections, warnings)
    url = options["results_db"] or settings.results_db
    store = None if options["no_index"] else _store_url(url)
    if plan is not None:
        plan.check_model(run_options.model)
        if not plan.affected:  # nothing changed: every result carries over
            carried = finish_changed_since(None, plan, run_options.log_dir)
            return _conclude(carried, None, options, settings, store)

    def ready() -> None:
        # Warnings only once every input has been checked: an input error stays one line.
        for warning in warnings:
            click.echo(warning, err=True)

    try:
        with contextlib.redirect_stdout(sys.stderr):  # progress on stderr; stdout is for results
            ended = run_any(run_options, on_ready=ready)
    except EvalInterrupted as exc:
        click.echo(str(exc), err=True)
        return stage_exit(exc.exit_code)
    return _finish(
        ended, plan, run_options=run_options, options=options, settings=settings, store=store
    )


def _finish(
    ended: RunOutcome,
    plan: ChangedSince | None,
    *,
    run_options: EvalOptions,
    options: EvalCommandOptions,
    settings: Settings,
    store: str | None,
) -> ExitCode:
    """The run's result (with carried-over results under --changed-since), concluded."""
    from specwright._cli._changed_since import finish_changed_since
    from specwright._eval._logs import load_run, run_from_log

    # Read back from disk a chunk at a time: a big run's samples never sit in memory whole.
    result = load_run(ended.log.location) if ended.log.location else run_from_log(ended.log)
    if plan is not None and ended.complete:
        result = finish_changed_since(result, plan, run_options.log_dir)
    return _conclude(result, ended, options, settings, store)


def _conclude(
    result: RunResult,
    ended: RunOutcome | None,
    options: EvalCommandOptions,
    settings: Settings,
    store: str | None,
) -> ExitCode:
    """Print the summary, warn about the judge, index a complete run; the exit code."""
    if options["as_json"]:
        from specwright._eval._summary import RunSummary

        echo_json(RunSummary.of(result, ended).model_dump(mode="json"))
    else:
        _print_human(result, ended)
    if options["report_path"] is not None:
        _write_report(result, options["report_path"], options["spec_path"], settings)
    if note := role_provider_note(result.model, *_judges(result)):  # once, under the names
        click.echo(note, err=True)
    for judge, validity in judges_validity(result, settings.min_kappa).items():
        if validity.status in {"weak", "undefined"}:  # each judge on its own calibration
            who = f"{judge}: " if result.graders else ""
            click.echo(f"warning: {who}{validity.message}", err=True)
    if ended is not None and not ended.complete:
        _print_partial(ended)
        return ExitCode.FINDINGS
    if store is not None:
        _index(result, store)
    return _gates(result, options["fail_under"])


def _check_report_path(path: Path | None) -> None:
    from specwright._report._formats import FORMAT_BY_SUFFIX

    if path is not None and path.suffix.lower() not in FORMAT_BY_SUFFIX:
        raise ConfigurationError(
            f"--report {path}: cannot tell the format from {path.suffix or 'no suffix'!r}; "
            f"use {', '.join(FORMAT_BY_SUFFIX)}"
        )


def _write_report(
    result: RunResult, path: Path, spec_path: Path | None, settings: Settings
) -> None:
    """The run's report, as ``specwright report RUN --spec SPEC -o PATH`` would write it."""
    from specwright._cli._report_common import infer_format, write_output
    from specwright._layers._read import read_spec
    from specwright._report._render import render_report

    spec = read_spec(spec_path or settings.spec or "")  # checked before the run
    fmt = infer_format(None, path)
    write_output(render_report([result], fmt, spec=spec, min_kappa=settings.min_kappa), path)


def _judges(result: RunResult) -> tuple[str, ...]:
    return result.graders or ((result.grader,) if result.grader else ())


def _print_partial(ended: RunOutcome) -> None:
    click.echo(f"partial: {ended.done} of {ended.total} samples", err=True)
    for reason, count in sorted(ended.failures.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {count} failed: {_error_line(reason)}", err=True)
    if ended.log.status == "error" and ended.log.error is not None:
        click.echo(f"  run error: {_error_line(ended.log.error.message)}", err=True)
    reasons = " ".join(ended.failures)
    if "timeout" in reasons:
        click.echo("hint: requests timed out; a local server answers one at a time and queues "
                   "the rest: lower --max-connections or raise --timeout", err=True)  # fmt: skip
    if "a refusal is not retried" in reasons:
        click.echo("the refused samples would be refused again as they are: fix the setting "
                   "named above first", err=True)  # fmt: skip
        return
    click.echo("re-run the same command to resume (finished samples are kept)", err=True)


def _gates(result: RunResult, fail_under: float | None) -> ExitCode:
    if result.n_scored == 0:
        click.echo("nothing was scored: every answer was unscored by the judge", err=True)
        return ExitCode.FINDINGS
    rate = result.overall.rate
    below = fail_under is not None and rate is not None and rate < fail_under
    if below:
        click.echo(f"compliance {rate:.1%} is below --fail-under {fail_under:.1%}", err=True)
    return findings_if(below)


def _store_url(url: str) -> str | None:
    """Open the results store before any model call: a bad URL costs no run.

    Returns ``None`` (no indexing) when the report extra is missing, after a warning.
    """
    try:
        from specwright._results._store import ResultsStore
    except ImportError:
        click.echo("warning: run will not be indexed: install the `report` extra", err=True)
        return None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        ResultsStore(url).close()
    except (SQLAlchemyError, ValueError) as exc:
        raise ConfigurationError(f"--results-db {url}: {_error_line(str(exc))}") from None
    return url


def _error_line(message: str) -> str:
    """The gist of Inspect's error text on one line.

    A provider error's text quotes the whole request over many lines (escaped inside a repr);
    the provider's own complaint comes last.
    """
    text = re.sub(r"\[/?[a-z ]+\]", "", message)  # rich markup, e.g. "[bold]pip install x[/bold]"
    lines = [line.strip() for line in text.replace("\\n", "\n").splitlines()]
    gist = next((line for line in reversed(lines) if any(c.isalnum() for c in line)), message)
    return gist if len(gist) <= 300 else gist[:297] + "..."


def _index(result: RunResult, url: str) -> None:
    """Index a finished run for ``specwright history``; a store problem never loses the run."""
    try:
        from sqlalchemy.exc import SQLAlchemyError

        from specwright._results._store import index_run
    except ImportError:
        click.echo("warning: run not indexed: install the `report` extra for history", err=True)
        return
    try:
        index_run(result, url)
    except SQLAlchemyError as exc:
        # The log on disk is the record; `specwright history` indexes it later.
        click.echo(f"warning: run not indexed in {url}: {exc.__class__.__name__}: {exc}", err=True)
        return
    click.echo(f"indexed run {result.run_id} in {url}", err=True)
    _warn_if_trained_on(result, url)


def _warn_if_trained_on(result: RunResult, url: str) -> None:
    # Scenarios exported as training data for this very model measure memory, not compliance.
    from specwright._training._contamination import contamination_warning

    warning = contamination_warning(url, result.model, (s.scenario_id for s in result.samples))
    if warning:
        click.echo(warning, err=True)


def _options(
    settings: Settings, options: EvalCommandOptions, sections: tuple[str, ...], warnings: list[str]
) -> EvalOptions:
    """The run the options ask for; warnings (no grader, no calibration) into ``warnings``."""
    from specwright._eval._provider import resolve_model_name
    from specwright._eval._run import EvalOptions

    spec_path = options["spec_path"] or settings.spec
    if spec_path is None:
        raise ConfigurationError("no spec given: pass --spec PATH or set SPECWRIGHT_SPEC")
    model, panel = _judged(settings, options, spec_path, sections, warnings)
    log_dir = resolve_log_dir(options["log_dir"], settings)
    return EvalOptions(
        spec=str(spec_path),
        model=resolve_model_name(model),
        grader=panel.grader,
        graders=panel.graders,
        calibration=panel.calibration,
        judge_calibrations=panel.judge_calibrations,
        log_dir=log_dir,
        limit=options["limit"],
        sample_seed=options["sample_seed"],
        sections=sections,
        scenarios=str(options["scenarios"]) if options["scenarios"] else None,
        include_drafts=options["include_drafts"],
        epochs=options["epochs"],
        enforce=options["enforce"],
        grader_samples=options["grader_samples"],
        display=options["display"],
        max_connections=options["max_connections"],
        max_retries=options["max_retries"],
        timeout=options["timeout"],
        profile=model_profile(options["profile"], settings).name,
        workers=options["workers"],
        fast=options["fast"],
    )


def _judged(
    settings: Settings,
    options: EvalCommandOptions,
    spec_path: Path,
    sections: tuple[str, ...],
    warnings: list[str],
) -> tuple[str, JudgePanel]:
    """The model under test and the judges of its answers, every input checked first."""
    from specwright._eval._panel import JudgePanel
    from specwright._layers._read import read_spec

    named = check_graders(options["graders"])
    model, grader = resolve_models(
        options["model"], named[0] if named else None, settings, warnings
    )
    log_dir = resolve_log_dir(options["log_dir"], settings)
    spec = read_spec(spec_path)
    writable_log_dir(log_dir)
    panel = JudgePanel.of(
        named if len(named) > 1 else (grader,), log_dir, spec.content_hash(), sections
    )
    warnings += [
        f"warning: no calibration of grader {judge} on this spec; run "
        f"`specwright calibrate --spec {spec_path} --grader {judge}` first"
        for judge in panel.uncalibrated
    ]
    return model, panel


def _fmt(rate: Rate) -> str:
    if rate.rate is None:
        return "   n/a"
    return f"{rate.rate:6.1%}  [{rate.ci_low:.1%}, {rate.ci_high:.1%}]  n={rate.n}"


def adaptations_line(result: RunResult) -> str:
    """How many samples' requests were adapted for their servers, and how (``""``: none)."""
    adapted = [s for s in result.samples if s.adaptations]
    if not adapted:
        return ""
    kinds: dict[str, int] = {}
    for sample in adapted:
        for kind in dict.fromkeys(a.kind for a in sample.adaptations):
            kinds[kind] = kinds.get(kind, 0) + 1
    how = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(kinds.items()))
    return f"adapted for the server: {len(adapted)} sample(s) ({how}); see docs/models.md"


def _print_human(result: RunResult, ended: RunOutcome | None) -> None:
    console = out_console()
    graded_by = ", ".join(result.graders) or result.grader
    console.print(f"[bold]{result.spec_title or 'spec'}[/] — {result.model}, graded by {graded_by}")
    if ended is not None and not ended.complete:
        # Rates over the finished samples only are not the run's result: say what there is.
        console.print(f"partial: {ended.done} of {ended.total} samples (no overall figure)")
        console.print(f"scored {result.n_scored}, unscored {result.n_unscored}")
        return
    console.print(f"overall     {_fmt(result.overall)}")
    for title, rates in (
        ("by authority", result.by_authority),
        ("by section", result.by_section),
        ("by tag", result.by_tag),
    ):
        if rates:
            console.print(f"[bold]{title}[/]")
            for key, rate in rates.items():
                console.print(f"  {key:<40} {_fmt(rate)}")
    console.print(f"scored {result.n_scored}, unscored {result.n_unscored}")
    if line := adaptations_line(result):
        console.print(line)
    if result.judge_agreement is not None:
        console.print(f"judges agree: {agreement_line(result.judge_agreement)}")
    ratio = (
        result.grader_tokens / result.whole_spec_grader_tokens
        if result.whole_spec_grader_tokens
        else 0
    )
    err_console().print(
        f"grader tokens {result.grader_tokens} vs {result.whole_spec_grader_tokens} with the "
        f"whole spec ({ratio:.1%}); log: {result.log_path}"
    )
