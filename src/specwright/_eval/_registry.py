"""Inspect entry point: registers ``specwright/compliance`` and the ``openai-roles`` provider.

``pyproject.toml`` declares this module under ``[project.entry-points.inspect_ai]``, so that
``inspect eval specwright/compliance -T spec=path/to/spec --model ...`` works without importing
anything by hand.
"""

from __future__ import annotations

from pathlib import Path

from inspect_ai import Task, task

from specwright._errors import ConfigurationError
from specwright._eval import _provider  # noqa: F401 - registers the openai-roles provider
from specwright._eval._judge import GraderSettings
from specwright._eval._scenarios import build_scenarios, load_scenarios
from specwright._eval._task import compliance_task
from specwright._reader import read_spec
from specwright._results import Calibration

__all__ = ["compliance"]


@task
def compliance(
    spec: str,
    *,
    sections: str | None = None,
    scenarios: str | None = None,
    grader_samples: int = 3,
    grader_temperature: float = 0.0,
    grader_seed: int = 0,
    enforce: bool = False,
    grader: str | None = None,
    calibration: str | None = None,
    include_drafts: bool = False,
) -> Task:
    """Spec compliance of the model under test, judged section by section.

    Args:
        spec: Path of the spec (``model_spec.md``, its directory, or a JSON export).
        sections: Comma-separated section ids to restrict the run to (with descendants).
        scenarios: A YAML/JSONL file of extra user scenarios.
        grader_samples: Grader samples per answer (median verdict).
        grader_temperature: Grader temperature.
        grader_seed: Seed of the first grader sample.
        enforce: Send the chain-of-command compiler's output instead of the raw conversation.
        grader: Grader model name, recorded in the run's metadata (set the grader itself with
            ``--model-role grader=...``).
        calibration: Path of a saved calibration JSON to record in the run's metadata.
        include_drafts: Also run ``status: draft`` records of ``scenarios`` (generated, not
            yet reviewed); approved and hand-written records always run, rejected never.
    """
    loaded = read_spec(spec)
    wanted = [s.strip() for s in sections.split(",") if s.strip()] if sections else None
    chosen = build_scenarios(loaded, wanted)
    if scenarios:
        chosen += load_scenarios(Path(scenarios), loaded, include_drafts=include_drafts)
    settings = GraderSettings(
        samples=grader_samples, temperature=grader_temperature, seed=grader_seed
    )
    return compliance_task(
        loaded,
        chosen,
        enforce=enforce,
        grader=grader,
        grader_settings=settings,
        calibration=_calibration(calibration),
    )


def _calibration(path: str | None) -> Calibration | None:
    if path is None:
        return None
    try:
        return Calibration.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read calibration {path}: {exc}") from None
