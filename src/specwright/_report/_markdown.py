"""Markdown output for terminals, pull requests and notebooks.

Every string from a run is escaped so that it renders as text (no raw HTML, no links, no
broken tables); ids stand in code spans.
"""

from __future__ import annotations

from collections.abc import Sequence

from specwright._report._diff import CHANGE_RULE, RunDiff
from specwright._report._input import ReportInput
from specwright._report._judges import judges_markdown
from specwright._report._markdown_text import md_code, md_table, md_text
from specwright._report._view import (
    PartRow,
    RateRow,
    SectionRow,
    authority_rows,
    best_and_worst,
    fmt_pct,
    fmt_rate,
    judge_summary,
    judge_verdict,
    natural_key,
    part_rows,
    partial_note,
    run_labels,
    section_rows,
    section_titles,
    tag_rows,
    token_share,
    unscored_reasons,
)
from specwright._results import Calibration, Rate, RunResult, judge_validity, judges_validity

__all__ = ["render_markdown"]

_NO_RATE = Rate(rate=None, ci_low=None, ci_high=None, n=0)
_RATIONALE_CHARS = 240


def _calibration(cal: Calibration | None, min_kappa: float) -> str:
    verdict = judge_verdict(judge_validity(cal, min_kappa))
    if cal is None:
        return f"**no calibration** ({verdict})"
    kappa = "–" if cal.kappa is None else f"{cal.kappa:.2f}"
    return (
        f"{verdict}: accuracy {fmt_pct(cal.accuracy)}, κ {kappa} (n={cal.n_scored}, "
        f"{md_text(cal.grader)})"
    )


def _ranked(rows: list[RateRow], run: int) -> str:
    return ", ".join(f"{md_text(r.label)} {fmt_pct((r.rates[run] or _NO_RATE).rate)}" for r in rows)


def _headline(report: ReportInput, labels: Sequence[str], rows: Sequence[SectionRow]) -> list[str]:
    lines: list[str] = []
    for i, (run, label) in enumerate(zip(report.runs, labels, strict=True)):
        validities = judges_validity(run, report.min_kappa)
        named = len(run.graders) > 1  # several judges: each verdict names its judge
        verdicts = "; ".join(
            f"{md_text(g)}: {judge_verdict(v)}" if named else judge_verdict(v)
            for g, v in validities.items()
        )
        total = run.n_scored + run.n_unscored
        share = fmt_pct(run.n_unscored / total) if total else "–"
        best, worst = best_and_worst(rows, i)
        lines += [
            f"- **{md_text(label)}**: {fmt_rate(run.overall)} compliant; "
            f"{verdicts}; {run.n_unscored} of {total} samples unscored ({share})."
            + (f" Best: {_ranked(best, i)}." if best else "")
            + (f" Worst: {_ranked(worst, i)}." if worst else "")
        ]
        if note := partial_note(run):
            lines += [f"  > **{md_text(note)}**"]
        for grader, validity in validities.items():
            if not validity.trusted:
                who = f"{md_text(grader)}: " if named else ""
                lines += [f"  > **Warning:** {who}{md_text(judge_summary(validity))}"]
    return [*lines, ""]


def _tokens(run: RunResult) -> str:
    share = token_share(run)
    if share is None:
        return f"{run.grader_tokens:,} tokens"
    return f"{share} of a whole-spec judge (estimate)"


def _overview(runs: Sequence[RunResult], labels: Sequence[str], min_kappa: float) -> list[str]:
    fields = [
        ("overall compliance", [fmt_rate(r.overall) for r in runs]),
        ("scored / unscored", [f"{r.n_scored} / {r.n_unscored}" for r in runs]),
        ("grader", [md_text(", ".join(r.graders) or r.grader or "–") for r in runs]),
        ("spec", [md_text(f"{r.spec_title} {r.spec_version or ''}".strip()) for r in runs]),
        ("spec hash", [md_code(r.spec_hash[:12]) for r in runs]),
        ("date", [r.created.isoformat(timespec="seconds") for r in runs]),
        ("calibration", [_calibration(r.calibration, min_kappa) for r in runs]),
        ("grader token use", [_tokens(r) for r in runs]),
        ("run id", [md_code(r.run_id) for r in runs]),
    ]
    head = ["", *(md_text(label) for label in labels)]
    return md_table(head, [[name, *values] for name, values in fields])


def _rates(title: str, rows: Sequence[RateRow], labels: Sequence[str], first: str) -> list[str]:
    if not rows:
        return []
    body = [[md_text(row.label), *(fmt_rate(rate) for rate in row.rates)] for row in rows]
    return [f"## {title}", "", *md_table([first, *(md_text(x) for x in labels)], body)]


def _section_table(rows: Sequence[SectionRow], labels: Sequence[str]) -> list[str]:
    body = [
        [
            md_code(row.key),
            md_text(row.label),
            row.authority or "–",
            *(
                f"{fmt_rate(rate)}{f', {u} unscored' if u else ''}"
                for rate, u in zip(row.rates, row.unscored, strict=True)
            ),
        ]
        for row in rows
    ]
    head = ["section", "title", "authority", *(md_text(x) for x in labels)]
    return md_table(head, body)


def _sections(parts: Sequence[PartRow], labels: Sequence[str]) -> list[str]:
    """One table per top-level part of the spec (one table when the parts are unknown)."""
    lines = ["## Compliance by section", ""]
    if len(parts) == 1:
        return lines + _section_table(parts[0].sections, labels)
    for part in parts:
        rates = "; ".join(
            f"{md_text(label)} {fmt_rate(rate)}"
            for label, rate in zip(labels, part.rates, strict=True)
        )
        lines += [f"### {md_text(part.label)}", "", f"Pooled: {rates}.", ""]
        lines += _section_table(part.sections, labels)
    return lines


def _unscored(runs: Sequence[RunResult], labels: Sequence[str]) -> list[str]:
    lines = ["## Unscored samples", ""]
    for run, label in zip(runs, labels, strict=True):
        reasons = ", ".join(f"{md_text(reason)} ({n})" for reason, n in unscored_reasons(run))
        total = run.n_scored + run.n_unscored
        lines.append(
            f"- {md_text(label)}: {run.n_unscored} of {total}"
            + (f" — {reasons}" if reasons else "")
        )
        if run.failures:
            failed = ", ".join(f"{md_text(r)} ({n})" for r, n in run.failures.items())
            lines.append(f"  - {run.n_failed} failed of {run.n_planned} — {failed}")
    return [*lines, ""]


def _failures(runs: Sequence[RunResult], labels: Sequence[str]) -> list[str]:
    lines = ["## Non-compliant samples", ""]
    for run, label in zip(runs, labels, strict=True):
        failed = sorted(
            (s for s in run.samples if s.compliant is False),
            key=lambda s: (s.section_id, natural_key(s.scenario_id), s.epoch),
        )
        lines += [f"### {md_text(label)}", ""]
        lines += [
            f"- {md_code(s.scenario_id)} (epoch {s.epoch}, {md_code(s.section_id)}): "
            f"{md_text(_clip(s.rationale))}"
            for s in failed
        ] or ["None."]
        lines.append("")
    return lines


def _clip(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= _RATIONALE_CHARS else flat[: _RATIONALE_CHARS - 1] + "…"


def diff_markdown(diff: RunDiff) -> list[str]:
    """The diff section: overall change, changed sections, flipped scenarios."""
    o = diff.overall
    lines = [
        "## Change against the baseline",
        "",
        f"{md_text(diff.baseline_model)} → {md_text(diff.candidate_model)}: "
        f"{fmt_rate(o.baseline)} → {fmt_rate(o.candidate)} (**{o.change}**). "
        f"Test: {diff.method}.",
        "",
        f"How states are decided: {CHANGE_RULE}",
        "",
    ]
    if not diff.same_spec:
        lines += ["> **Warning:** the runs used different spec versions.", ""]
    rows = [
        [
            md_code(s.key),
            fmt_rate(s.baseline),
            fmt_rate(s.candidate),
            "–" if s.delta is None else f"{s.delta * 100:+.0f} pts",
            f"**{s.change}**",
        ]
        for s in diff.sections
        if s.change != "unchanged"
    ]
    unchanged = sum(1 for s in diff.sections if s.change == "unchanged")
    lines += md_table(["section", "baseline", "candidate", "Δ", "change"], rows) if rows else []
    lines += [
        f"{unchanged} section(s) unchanged (overlapping CIs, less than 5 points apart).",
        "",
        f"### Flipped scenarios ({len(diff.flips)})",
        "",
    ]
    flips = [
        [md_code(f.scenario_id), str(f.epoch), md_code(f.section_id), f"**{f.direction}**"]
        for f in diff.flips
    ]
    lines += md_table(["scenario", "epoch", "section", "flip"], flips) if flips else ["None.", ""]
    return lines


def render_markdown(report: ReportInput) -> str:
    """The report as markdown: overview, rates by section/authority/tag, unscored, failures."""
    runs = report.runs
    labels = run_labels(runs)
    rows = section_rows(runs, report.spec)
    lines = [f"# Compliance report: {md_text(' vs '.join(labels))}", ""]
    lines += _headline(report, labels, rows)
    if report.diff is not None:
        lines += diff_markdown(report.diff)
    lines += _overview(runs, labels, report.min_kappa)
    lines += _sections(part_rows(rows, report.spec), labels)
    lines += _rates("Compliance by authority level", authority_rows(runs), labels, "authority")
    lines += _rates("Compliance by tag", tag_rows(runs), labels, "tag")
    lines += judges_markdown(runs, labels, section_titles(runs, report.spec), report.min_kappa)
    lines += _unscored(runs, labels) + _failures(runs, labels)
    return "\n".join(lines).rstrip("\n") + "\n"
