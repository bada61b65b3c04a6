"""``specwright calibrate``: how well a grader reproduces the spec's own GOOD/BAD labels."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

import click

from specwright._cli._common import (
    echo_json,
    env_help,
    out_console,
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
from specwright._cli._exit import ExitCode, findings_if, worst
from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._results import Calibration, agreement_line
from specwright._settings import Settings

if TYPE_CHECKING:  # the eval extra (Inspect) loads only when the command runs
    from specwright._eval._calibrate import JudgesCalibration, LabelledCase
    from specwright._eval._judge import GraderSettings

__all__ = ["CalibrateOptions", "calibrate"]


class CalibrateOptions(JudgeOptions):
    """The options of ``specwright calibrate``, as click passes them."""

    min_kappa: float | None
    """``--min-kappa``: exit 1 below it (or when kappa is undefined)."""
    with_feedback: bool
    """``--with-feedback``: people's verdicts graded as labelled cases too."""


@click.command()
@spec_option
@grader_option(env_help("Grader model; repeat to calibrate several judges.", "SPECWRIGHT_GRADER"))
@sections_option
@grader_samples_option
@max_connections_option(10, "Concurrent requests to the grader.")
@click.option(
    "--min-kappa",
    type=click.FloatRange(-1.0, 1.0),
    callback=lambda _ctx, _param, value: _kappa_bound(value),
    help="Exit 1 when Cohen's kappa is below this (or undefined).",
)
@log_dir_option
@click.option(
    "--with-feedback",
    is_flag=True,
    help="Also grade the answers people gave a verdict on (specwright feedback) as labelled "
    "cases: compliant → GOOD, non-compliant → BAD.",
)
@results_db_option()
@click.option("--json", "as_json", is_flag=True, help="Print the calibration as JSON on stdout.")
@click.pass_obj
def calibrate(settings: Settings, /, **options: Unpack[CalibrateOptions]) -> ExitCode:
    """Grade the spec's labelled answers: GOOD should be compliant, BAD not, OK apart.

    The result is saved beside the eval logs so that `specwright eval` records it. With
    several --grader judges each is calibrated, saved, shown and held to --min-kappa on its own.

    \b
    Examples:
      specwright calibrate --spec spec/ --grader openai-api/local/judge \\
          --min-kappa 0.6
      specwright calibrate --spec spec.json --grader mockllm/model --json
      specwright calibrate --spec spec/ --grader openai-api/local/judge \\
          --with-feedback
    """
    from specwright._eval._calibrate import GraderFailure

    spec, graders, directory = _inputs(settings, options)
    db_url = options["results_db"] or settings.results_db
    extra = _feedback_cases(spec, db_url) if options["with_feedback"] else []
    try:
        results, judged = _calibrate_all(spec, graders, directory, options, extra)
    except GraderFailure as exc:
        click.echo(f"specwright: error: {exc}", err=True)
        return ExitCode.FINDINGS
    if options["as_json"]:
        # One judge: the calibration itself, as always; several: one document per judge and
        # their agreement with each other on the same answers.
        document = results[0] if judged is None else judged
        echo_json(document.model_dump(mode="json", by_alias=True))
    else:
        for result in results:
            _print_human(result)
        if judged is not None and judged.agreement is not None:
            out_console().print(f"judges agree: {agreement_line(judged.agreement)}")
    if note := role_provider_note(*graders):  # once, under the results that show the names
        click.echo(note, err=True)
    for result in results:  # on stderr in --json mode too: why grades did not count
        _print_unscored(result, len(results) > 1)
    return worst(*(_gate(r, options["min_kappa"], len(results) > 1) for r in results))


class _Grading(TypedDict):
    """How every judge grades: the arguments the one-judge and several-judge runs share."""

    sections: list[str] | None
    settings: GraderSettings
    max_connections: int
    extra_cases: list[LabelledCase]


def _calibrate_all(
    spec: Spec,
    graders: tuple[str, ...],
    directory: Path,
    options: CalibrateOptions,
    extra_cases: list[LabelledCase],
) -> tuple[list[Calibration], JudgesCalibration | None]:
    """Each judge's calibration, saved as soon as made; with several, their agreement."""
    from specwright._eval._calibrate import calibrate as run_calibration
    from specwright._eval._calibrate import calibrate_judges, save_calibration
    from specwright._eval._judge import GraderSettings
    from specwright._eval._provider import resolve_model_name

    results: list[Calibration] = []

    def save(result: Calibration) -> None:
        click.echo(f"saved {save_calibration(result, directory)}", err=True)
        results.append(result)

    common = _Grading(
        sections=list(split_sections(options["sections"])) or None,
        settings=GraderSettings(samples=options["grader_samples"]),
        max_connections=options["max_connections"],
        extra_cases=extra_cases,
    )
    names = [resolve_model_name(g) for g in graders]
    if len(names) == 1:
        save(run_calibration(spec, names[0], **common))
        return results, None
    return results, calibrate_judges(spec, names, on_done=save, **common)


def _inputs(settings: Settings, options: CalibrateOptions) -> tuple[Spec, tuple[str, ...], Path]:
    """The spec, the graders and a writable log directory; a usage error when missing."""
    from specwright._layers._read import read_spec

    spec_path: Path | None = options["spec_path"] or settings.spec
    graders = check_graders(options["graders"]) or ((settings.grader,) if settings.grader else ())
    if spec_path is None or not graders:
        raise ConfigurationError("calibrate needs --spec and --grader (or SPECWRIGHT_SPEC/GRADER)")
    spec = read_spec(spec_path)  # an unreadable spec is reported before the directory is made
    return spec, graders, writable_log_dir(resolve_log_dir(options["log_dir"], settings))


def _feedback_cases(spec: Spec, db_url: str) -> list[LabelledCase]:
    """People's verdicts as labelled cases; what was left out, and why, on stderr."""
    from specwright._cli._report_common import log_reader
    from specwright._revise._adjudicate import stored_feedback
    from specwright._revise._cases import feedback_cases
    from specwright._revise._runs import resolve_run

    reader = log_reader()
    found = feedback_cases(spec, stored_feedback(db_url), lambda r: resolve_run(r, db_url, reader))
    other = f" ({found.other_spec} on runs of another spec version)" if found.other_spec else ""
    click.echo(f"with feedback: {len(found.cases)} labelled case(s) from people's verdicts{other}",
               err=True)  # fmt: skip
    for reason, n in sorted(found.skipped.items()):
        click.echo(f"  skipped {n}: {reason}", err=True)
    return found.cases


def _undefined_kappa(result: Calibration) -> str:
    if result.n_scored == 0:
        return "kappa undefined: no GOOD or BAD answer was scored"
    return "kappa undefined: the labels and the verdicts all fall in one class"


def _print_unscored(result: Calibration, name: bool) -> None:
    if not result.n_unscored:
        return
    who = f"grader {result.grader}: " if name else ""
    click.echo(f"{who}{result.n_unscored} answer(s) unscored (not counted):", err=True)
    for reason, count in result.unscored_reasons.items():
        click.echo(f"  {count}: {reason}", err=True)


def _gate(result: Calibration, min_kappa: float | None, name: bool = False) -> ExitCode:
    """Exit 1 when nothing was scored, or kappa is below ``--min-kappa`` or cannot be
    computed; say which (and, with several judges, whose)."""
    who = f"grader {result.grader}: " if name else ""
    if result.n_scored == 0:
        click.echo(f"{who}nothing was scored ({_undefined_kappa(result)})", err=True)
        return ExitCode.FINDINGS
    if min_kappa is None:
        return ExitCode.OK
    if result.kappa is None:
        message = f"{who}{_undefined_kappa(result)}, so --min-kappa {min_kappa} is not met"
        click.echo(message, err=True)
        return ExitCode.FINDINGS
    below = result.kappa < min_kappa
    if below:
        click.echo(f"{who}kappa {result.kappa:.3f} is below --min-kappa {min_kappa}", err=True)
    return findings_if(below)


def _kappa_bound(value: float | None) -> float | None:
    # FloatRange lets NaN through (every comparison with it is false).
    if value is not None and math.isnan(value):
        raise click.BadParameter(
            "nan is not in the range -1.0<=x<=1.0.", param_hint="'--min-kappa'"
        )
    return value


def _print_human(result: Calibration) -> None:
    console = out_console()
    m = result.confusion
    acc = "n/a" if result.accuracy is None else f"{result.accuracy:.1%}"
    kappa = _undefined_kappa(result) if result.kappa is None else f"kappa {result.kappa:.3f}"
    console.print(f"grader {result.grader}: accuracy {acc}, Cohen's {kappa}")
    console.print(f"scored {result.n_scored}, unscored {result.n_unscored}")
    console.print(f"GOOD→compliant {m.tp}, GOOD→not {m.fn}, BAD→compliant {m.fp}, BAD→not {m.tn}")
    console.print(f"OK answers: compliant {result.ok_compliant}, not {result.ok_noncompliant}")
    for section_id, sm in sorted(result.by_section.items()):
        console.print(f"  {section_id:<40} tp={sm.tp} fp={sm.fp} tn={sm.tn} fn={sm.fn}")
