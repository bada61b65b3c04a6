"""``specwright calibrate``: how well a grader reproduces the spec's own GOOD/BAD labels."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from specwright._cli._common import (
    echo_json,
    env_help,
    err_console,
    out_console,
    results_db_option,
)
from specwright._cli._eval_common import (
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
from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._results import Calibration
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._eval._calibrate import LabelledCase

__all__ = ["calibrate", "calibration_json"]


@click.command()
@spec_option
@click.option("--grader", metavar="MODEL", help=env_help("Grader model.", "SPECWRIGHT_GRADER"))
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
def calibrate(settings: Settings, /, **options: Any) -> int:
    """Grade the spec's labelled answers: GOOD should be compliant, BAD not, OK apart.

    The result is saved beside the eval logs so that `specwright eval` records it.

    \b
    Examples:
      specwright calibrate --spec spec/ --grader openai-api/local/judge \\
          --min-kappa 0.6
      specwright calibrate --spec spec.json --grader mockllm/model --json
      specwright calibrate --spec spec/ --grader openai-api/local/judge \\
          --with-feedback
    """
    from specwright._eval._calibrate import GraderFailure, save_calibration
    from specwright._eval._calibrate import calibrate as run_calibration
    from specwright._eval._judge import GraderSettings
    from specwright._eval._provider import resolve_model_name

    spec, grader, directory = _inputs(settings, options)
    db_url = options["results_db"] or settings.results_db
    extra = _feedback_cases(spec, db_url) if options["with_feedback"] else []
    try:
        result = run_calibration(
            spec,
            resolve_model_name(grader),
            sections=list(split_sections(options["sections"])) or None,
            settings=GraderSettings(samples=options["grader_samples"]),
            max_connections=options["max_connections"],
            extra_cases=extra,
        )
    except GraderFailure as exc:
        click.echo(f"specwright: error: {exc}", err=True)
        return 1
    click.echo(f"saved {save_calibration(result, directory)}", err=True)
    if options["as_json"]:
        echo_json(calibration_json(result))
    else:
        _print_human(result)
    if note := role_provider_note(grader):  # once, under the results that show the name
        click.echo(note, err=True)
    return _gate(result, options["min_kappa"])


def _inputs(settings: Settings, options: dict[str, Any]) -> tuple[Spec, str, Path]:
    """The spec, the grader and a writable log directory; a usage error when missing."""
    from specwright._reader import read_spec

    spec_path: Path | None = options["spec_path"] or settings.spec
    grader: str | None = options["grader"] or settings.grader
    if spec_path is None or not grader:
        raise ConfigurationError("calibrate needs --spec and --grader (or SPECWRIGHT_SPEC/GRADER)")
    spec = read_spec(spec_path)  # an unreadable spec is reported before the directory is made
    return spec, grader, writable_log_dir(resolve_log_dir(options["log_dir"], settings))


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


def _gate(result: Calibration, min_kappa: float | None) -> int:
    """Exit 1 when kappa is below ``--min-kappa`` or cannot be computed; say which."""
    if min_kappa is None:
        return 0
    if result.kappa is None:
        click.echo(f"{_undefined_kappa(result)}, so --min-kappa {min_kappa} is not met", err=True)
        return 1
    if result.kappa < min_kappa:
        click.echo(f"kappa {result.kappa:.3f} is below --min-kappa {min_kappa}", err=True)
        return 1
    return 0


def _kappa_bound(value: float | None) -> float | None:
    # FloatRange lets NaN through (every comparison with it is false).
    if value is not None and math.isnan(value):
        raise click.BadParameter(
            "nan is not in the range -1.0<=x<=1.0.", param_hint="'--min-kappa'"
        )
    return value


def calibration_json(result: Calibration) -> dict[str, object]:
    """The ``--json`` document: the calibration with its headline numbers first."""
    return result.model_dump(mode="json")


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
    if result.n_unscored:
        err_console().print(f"{result.n_unscored} grades were unscored (not counted)")
