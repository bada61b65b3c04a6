"""``specwright eval --changed-since OLD_SPEC --baseline RUN``: re-run only what changed.

The eval command calls :func:`plan_changed_since` before it runs (it picks the sections) and
:func:`finish_changed_since` after (it carries the baseline's other results over and writes
the whole run as run JSON beside the log).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from specwright._cli._common import SpecOption
from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._results import RunResult
from specwright._settings import Settings

__all__ = ["ChangedSince", "ChangedSinceOptions", "finish_changed_since", "plan_changed_since"]


class ChangedSinceOptions(SpecOption):
    """The ``eval`` options a ``--changed-since`` run is planned from."""

    changed_since: Path | None
    """``--changed-since OLD_SPEC``."""
    baseline: Path | None
    """``--baseline RUN``: the earlier run to carry results from."""
    sections: tuple[str, ...]
    """``--sections``, which must be empty: the plan picks them."""


@dataclass(frozen=True)
class ChangedSince:
    """What a ``--changed-since`` run re-runs and where its other results come from."""

    spec: Spec
    baseline: RunResult
    affected: tuple[str, ...]
    """Sections that changed, or cross-reference one that did."""
    rerun: frozenset[str]
    """Every section whose scenarios run afresh: the affected ones and their sub-sections."""

    def check_model(self, model: str) -> None:
        """Refuse before anything runs when the baseline evaluated another model."""
        if self.baseline.model != model:
            raise ConfigurationError(
                f"--baseline ran {self.baseline.model}, this run {model}: "
                "carry over results of the same model only"
            )


def plan_changed_since(settings: Settings, options: ChangedSinceOptions) -> ChangedSince | None:
    """Pick the sections to re-run (its ``affected``); ``None`` without the flags."""
    old_path, baseline_path = options["changed_since"], options["baseline"]
    if old_path is None and baseline_path is None:
        return None
    if old_path is None or baseline_path is None:
        raise ConfigurationError("--changed-since OLD_SPEC and --baseline RUN go together")
    if options["sections"]:
        raise ConfigurationError("--changed-since picks the sections itself: drop --sections")
    from specwright._cli._report_common import log_reader
    from specwright._layers._read import read_spec
    from specwright._report._load import load_runs
    from specwright._scenarios import select_sections
    from specwright._spec_diff._affected import affected_sections

    spec_path = options["spec_path"] or settings.spec
    if spec_path is None:
        raise ConfigurationError("no spec given: pass --spec PATH or set SPECWRIGHT_SPEC")
    spec = read_spec(spec_path)
    runs = load_runs([Path(baseline_path)], log_reader())
    if len(runs) != 1:
        raise ConfigurationError(f"--baseline {baseline_path}: expected one run, found {len(runs)}")
    affected = affected_sections(read_spec(old_path), spec)
    rerun = frozenset(select_sections(spec, affected)) if affected else frozenset()
    return ChangedSince(spec, runs[0], affected, rerun)


def finish_changed_since(result: RunResult | None, plan: ChangedSince, log_dir: Path) -> RunResult:
    """The whole run: ``result``'s fresh samples and the baseline's carried ones, written as
    run JSON into ``log_dir`` (its ``log_path``); ``result`` is ``None`` when nothing ran."""
    from specwright._carry import carry_over, empty_run

    fresh = result if result is not None else empty_run(plan.baseline, plan.spec)
    merged = carry_over(fresh, plan.baseline, plan.rerun, plan.spec)
    target = log_dir / f"{fresh.run_id}.carried.json"
    merged = merged.model_copy(update={"log_path": str(target)})
    target.write_text(merged.model_dump_json(indent=2), encoding="utf-8")
    carried = sum(1 for s in merged.samples if s.carried_from is not None)
    click.echo(
        f"re-ran {len(plan.affected)} changed sections ({len(merged.samples) - carried} samples), "
        f"carried {carried} results over from {plan.baseline.run_id}; whole run: {target}",
        err=True,
    )
    return merged
