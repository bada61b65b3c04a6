"""What every renderer shows, computed once from runs: rows per section and per authority."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from specwright._model import AUTHORITY_LEVELS, Spec
from specwright._results import Rate, RunResult, SampleResult

__all__ = [
    "RateRow",
    "SectionRow",
    "authority_rows",
    "fmt_ci",
    "fmt_pct",
    "fmt_rate",
    "natural_key",
    "run_labels",
    "section_rows",
    "section_titles",
    "tag_rows",
    "unscored_reasons",
]


@dataclass(frozen=True)
class RateRow:
    """One chart row: a label and one rate per run (``None`` where the run lacks it)."""

    key: str
    """Section id, authority level or tag."""
    label: str
    """What the reader sees."""
    rates: tuple[Rate | None, ...]
    """Per run, in the report's run order."""


@dataclass(frozen=True)
class SectionRow(RateRow):
    """A section row, with what the drill-down shows."""

    authority: str | None
    """The section's effective authority, when the samples carry one."""
    samples: tuple[tuple[SampleResult, ...], ...]
    """Per run, the section's samples in scenario/epoch order."""

    @property
    def unscored(self) -> tuple[int, ...]:
        """Unscored samples per run."""
        return tuple(sum(1 for s in group if s.compliant is None) for group in self.samples)


def run_labels(runs: Sequence[RunResult]) -> list[str]:
    """A short, distinct label per run: the model, plus the spec version or run id if needed."""
    labels = [run.model for run in runs]
    counts = Counter(labels)
    out: list[str] = []
    for run, label in zip(runs, labels, strict=True):
        extra = run.spec_version or run.run_id[:8]
        out.append(f"{label} ({extra})" if counts[label] > 1 else label)
    if len(set(out)) < len(out):  # same model and spec version: fall back to run ids
        out = [f"{label} [{run.run_id[:8]}]" for run, label in zip(runs, out, strict=True)]
    return out


def section_titles(runs: Sequence[RunResult], spec: Spec | None = None) -> dict[str, str]:
    """Section id → title, from the spec when given, else from the samples."""
    titles: dict[str, str] = {}
    for run in runs:
        for sample in run.samples:
            if sample.section_title:
                titles.setdefault(sample.section_id, sample.section_title)
    if spec is not None:
        titles.update({section.id: section.title for section in spec.walk()})
    return titles


def _section_order(runs: Sequence[RunResult], spec: Spec | None) -> list[str]:
    seen: dict[str, None] = {}
    for run in runs:
        seen.update(dict.fromkeys(run.by_section))
        seen.update(dict.fromkeys(s.section_id for s in run.samples))
    if spec is None:
        return list(seen)
    # Spec order first (document order reads naturally), unknown ids after.
    ordered = [s.id for s in spec.walk() if s.id in seen]
    return ordered + [sid for sid in seen if sid not in set(ordered)]


def section_rows(runs: Sequence[RunResult], spec: Spec | None = None) -> list[SectionRow]:
    """One row per section that any run scored or sampled."""
    titles = section_titles(runs, spec)
    by_run: list[dict[str, list[SampleResult]]] = []
    for run in runs:
        grouped: dict[str, list[SampleResult]] = {}
        for sample in run.samples:
            grouped.setdefault(sample.section_id, []).append(sample)
        by_run.append(grouped)
    rows: list[SectionRow] = []
    for sid in _section_order(runs, spec):
        groups = tuple(tuple(sorted(grouped.get(sid, ()), key=_sample_key)) for grouped in by_run)
        authority = next((s.authority for g in groups for s in g if s.authority), None)
        if authority is None and spec is not None and spec.get(sid) is not None:
            authority = spec.effective_authority(sid)
        rows.append(
            SectionRow(
                key=sid,
                label=titles.get(sid, sid),
                rates=tuple(run.by_section.get(sid) for run in runs),
                authority=authority,
                samples=groups,
            )
        )
    return rows


def _sample_key(sample: SampleResult) -> tuple[tuple[tuple[int, str], ...], int]:
    return (natural_key(sample.scenario_id), sample.epoch)


def natural_key(value: str) -> tuple[tuple[int, str], ...]:
    """Sort key that orders ``example-2`` before ``example-10``."""
    parts = re.split(r"(\d+)", value)
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts if p)


def authority_rows(runs: Sequence[RunResult]) -> list[RateRow]:
    """Rows per authority level, highest first, ``none`` last."""
    levels = [*AUTHORITY_LEVELS, "none"]
    present = {key for run in runs for key in run.by_authority}
    extra = sorted(present - set(levels))
    return [
        RateRow(key, key, tuple(run.by_authority.get(key) for run in runs))
        for key in [*levels, *extra]
        if key in present
    ]


def tag_rows(runs: Sequence[RunResult]) -> list[RateRow]:
    """Rows per tag, sorted by name."""
    tags = sorted({key for run in runs for key in run.by_tag})
    return [RateRow(tag, tag, tuple(run.by_tag.get(tag) for run in runs)) for tag in tags]


def unscored_reasons(run: RunResult) -> list[tuple[str, int]]:
    """Why samples went unscored, most frequent first."""
    counts = Counter(s.unscored_reason or "unknown" for s in run.samples if s.compliant is None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def fmt_pct(value: float | None) -> str:
    """``0.834`` → ``83%``; ``None`` → ``–``."""
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_ci(rate: Rate | None) -> str:
    """The 95% interval as ``[70–91%]``, or an empty string."""
    if rate is None or rate.ci_low is None or rate.ci_high is None:
        return ""
    return f"[{rate.ci_low * 100:.0f}–{rate.ci_high * 100:.0f}%]"


def fmt_rate(rate: Rate | None) -> str:
    """``83% [70–91%] (n=24)``, or ``no scored samples``."""
    if rate is None or rate.rate is None:
        return "no scored samples"
    return f"{fmt_pct(rate.rate)} {fmt_ci(rate)} (n={rate.n})".replace("  ", " ")
