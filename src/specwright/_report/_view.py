"""What every renderer shows, computed once from runs: rows per section and per authority."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from specwright._model import AUTHORITY_LEVELS, Spec
from specwright._results import JudgeValidity, Rate, RunResult, SampleResult, wilson

__all__ = [
    "PartRow",
    "RateRow",
    "SectionRow",
    "authority_rows",
    "best_and_worst",
    "flatten_links",
    "fmt_ci",
    "fmt_pct",
    "fmt_rate",
    "judge_summary",
    "judge_verdict",
    "natural_key",
    "part_rows",
    "partial_note",
    "pooled_rate",
    "run_caption",
    "run_labels",
    "scenario_titles",
    "section_rows",
    "section_titles",
    "tag_rows",
    "token_share",
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


# What may tell two runs apart, tried in this order: the judge, the spec, the date, the id.
_DISTINGUISHERS: tuple[Callable[[RunResult], str], ...] = (
    lambda run: f"judge {', '.join(run.graders) or run.grader or 'unknown'}",
    lambda run: f"spec {run.spec_version or run.spec_hash[:8]}",
    lambda run: f"spec {run.spec_hash[:8]}",
    lambda run: f"{run.created:%Y-%m-%d %H:%M}",
    lambda run: run.run_id[:12],
)


def _label(model: str, extras: Sequence[str]) -> str:
    return f"{model} ({', '.join(extras)})" if extras else model


def run_labels(runs: Sequence[RunResult]) -> list[str]:
    """A short, distinct label per run: the model, plus what tells same-model runs apart.

    Among runs whose labels collide, the first attribute that differs among them (judge,
    spec version, spec hash, date, run id) is appended; identical runs get ``#n``.
    """
    extras: list[list[str]] = [[] for _ in runs]
    for distinguish in _DISTINGUISHERS:
        labels = [_label(run.model, extra) for run, extra in zip(runs, extras, strict=True)]
        counts = Counter(labels)
        if all(n == 1 for n in counts.values()):
            return labels
        for i, run in enumerate(runs):
            peers = [runs[j] for j, other in enumerate(labels) if other == labels[i]]
            if len({distinguish(peer) for peer in peers}) > 1:
                extras[i].append(distinguish(run))
    labels = [_label(run.model, extra) for run, extra in zip(runs, extras, strict=True)]
    counts = Counter(labels)
    return [f"{label} #{i + 1}" if counts[label] > 1 else label for i, label in enumerate(labels)]


def run_caption(run: RunResult) -> str:
    """Model, judge, spec version and date in one line, for legends and card headings."""
    spec = f"{run.spec_title or 'spec'} {run.spec_version or run.spec_hash[:8]}".strip()
    return (
        f"{run.model} · judged by {', '.join(run.graders) or run.grader or 'an unknown grader'}"
        f" · {spec} · "
        f"{run.created:%Y-%m-%d}"
    )


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


def partial_note(run: RunResult) -> str | None:
    """One sentence on a partial run: how many samples finished, failed or never ran, and
    that the figures cover the finished ones only; ``None`` for a complete run."""
    if not run.partial:
        return None
    finished = run.n_scored + run.n_unscored
    parts = [f"{run.n_failed} failed"] if run.n_failed else []
    parts += [f"{run.n_not_run} not run"] if run.n_not_run else []
    missing = f" ({', '.join(parts)})" if parts else f" (status {run.status})"
    return (
        f"Partial run: {finished} of {run.n_planned} samples finished{missing}; "
        "the figures cover the finished samples only."
    )


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


def pooled_rate(rates: Sequence[Rate | None]) -> Rate | None:
    """Several sections' rates pooled into one (compliant samples over scored samples).

    ``None`` when no rate is given; a rate of ``None`` when none of them scored anything.
    """
    present = [r for r in rates if r is not None]
    if not present:
        return None
    scored = [r for r in present if r.rate is not None and r.n > 0]
    n = sum(r.n for r in scored)
    if n == 0:
        return Rate(rate=None, ci_low=None, ci_high=None, n=0)
    share = sum(round((r.rate or 0.0) * r.n) for r in scored) / n
    low, high = wilson(share * n, n)
    return Rate(rate=share, ci_low=low, ci_high=high, n=n)


@dataclass(frozen=True)
class PartRow(RateRow):
    """A top-level part of the spec (an H1 section): its pooled rate and its section rows."""

    sections: tuple[SectionRow, ...]
    """The part's section rows, in spec order."""


def _part_of(spec: Spec | None, rows: Sequence[SectionRow]) -> dict[str, tuple[str, str]]:
    """Section id → (part id, part title): from the spec when given, else from the samples."""
    parts: dict[str, tuple[str, str]] = {}
    for row in rows:
        for group in row.samples:
            for sample in group:
                if sample.part_id:
                    parts.setdefault(row.key, (sample.part_id, sample.part_title))
    if spec is not None:
        parts.update({sid: (part.id, part.title) for sid, part in spec.parts().items()})
    return parts


def part_rows(
    rows: Sequence[SectionRow], spec: Spec | None = None, *, other: str = "Other sections"
) -> list[PartRow]:
    """Section rows grouped by the spec's top-level parts, in order of first appearance.

    Sections whose part is unknown (no spec given and no part recorded) go to one group
    titled ``other``.
    """
    parts = _part_of(spec, rows)
    grouped: dict[tuple[str, str], list[SectionRow]] = {}
    for row in rows:
        grouped.setdefault(parts.get(row.key, ("", other)), []).append(row)
    return [
        PartRow(
            key=part_id,
            label=title or part_id,
            rates=tuple(
                pooled_rate([r.rates[i] for r in members]) for i in range(len(members[0].rates))
            ),
            sections=tuple(members),
        )
        for (part_id, title), members in grouped.items()
    ]


def _bounds(rate: Rate | None) -> tuple[float, float, float]:
    assert rate is not None and rate.rate is not None
    low = rate.ci_low if rate.ci_low is not None else rate.rate
    high = rate.ci_high if rate.ci_high is not None else rate.rate
    return (low, high, rate.rate)


def best_and_worst(
    rows: Sequence[RateRow], run_index: int, count: int = 3
) -> tuple[list[RateRow], list[RateRow]]:
    """The best and worst rows of one run, ranked by what their intervals vouch for.

    Best: highest lower bound (a 100% over one sample ranks below 95% over forty); worst:
    lowest upper bound. With fewer than ``2 * count`` scored rows the lists split them.
    """
    scored = [r for r in rows if (rate := r.rates[run_index]) is not None and rate.rate is not None]
    by_low = sorted(
        scored, key=lambda r: (-_bounds(r.rates[run_index])[0], -_bounds(r.rates[run_index])[2])
    )
    best = by_low[: min(count, (len(scored) + 1) // 2)]
    rest = [r for r in scored if r not in best]
    worst = sorted(
        rest, key=lambda r: (_bounds(r.rates[run_index])[1], _bounds(r.rates[run_index])[2])
    )
    return best, worst[:count]


def token_share(run: RunResult) -> str | None:
    """Grader tokens as a share of a whole-spec judge's, e.g. ``0.037%``; ``None`` if unknown."""
    if not run.whole_spec_grader_tokens:
        return None
    pct = 100 * run.grader_tokens / run.whole_spec_grader_tokens
    return f"{pct:.2g}%" if pct < 10 else f"{pct:.0f}%"


def scenario_titles(runs: Sequence[RunResult], spec: Spec | None = None) -> dict[str, str]:
    """Scenario id → a human name: the example's or eval prompt's title, markdown flattened."""
    titles = {s.scenario_id: s.scenario_title for r in runs for s in r.samples if s.scenario_title}
    if spec is not None:
        section_names = {section.id: section.title for section in spec.walk()}
        for section in spec.walk():
            for example in section.examples:
                titles[example.id] = flatten_links(example.title, section_names)
        for prompt in spec.eval_prompts:
            titles[prompt.id] = flatten_links(prompt.title, section_names)
    return {key: value for key, value in titles.items() if value.strip()}


_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(#([^)\s]*)\)")


def flatten_links(text: str, titles: dict[str, str]) -> str:
    """``see [?](#x)`` → ``see <title of x>``: in-page links as plain text, for one-line names."""

    def replace(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        return titles.get(target, target) if label in ("", "?") else label

    return " ".join(_MD_LINK.sub(replace, text).replace("**", "").split())


_VERDICTS = {
    "ok": "judge trusted",
    "weak": "judge weak",
    "undefined": "judge unverified",
    "missing": "judge not calibrated",
}


def _agreement(kappa: float) -> str:
    # Landis & Koch's customary bands for Cohen's kappa.
    if kappa < 0:
        return "worse than chance"
    bands = ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"))
    return next((word for limit, word in bands if kappa <= limit), "almost perfect")


def judge_verdict(validity: JudgeValidity) -> str:
    """Two or three words: ``judge trusted``, ``judge weak``, ``judge not calibrated`` …"""
    return _VERDICTS[validity.status]


def judge_summary(validity: JudgeValidity) -> str:
    """One sentence for people: the kappa, what it means, and what to do with the figures."""
    kappa, threshold = validity.kappa, validity.threshold
    if validity.status == "missing":
        return (
            "This run's judge was never checked against the spec's labelled answers (no "
            "calibration recorded), so how far to trust its verdicts is unknown."
        )
    if validity.status == "undefined":
        why = validity.reason or "too few or one-sided labels"
        return (
            "Kappa undefined: the calibration could not measure the judge's agreement with "
            f"the spec's labels ({why}), so its verdicts are unverified."
        )
    assert kappa is not None
    words = f"κ {kappa:.2f}: {_agreement(kappa)} agreement with the spec's labels"
    if validity.status == "weak":
        return (
            f"{words}, below the threshold of {threshold:.2f}. The compliance figures may not "
            "reflect the spec: read them with caution."
        )
    return f"{words} (threshold {threshold:.2f})."
