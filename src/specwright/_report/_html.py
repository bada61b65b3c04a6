"""The self-contained HTML report: overview, calibration, charts, unscored counts, drill-down."""

from __future__ import annotations

from collections.abc import Sequence

from specwright._report._charts import bar_chart, legend
from specwright._report._diff import RunDiff
from specwright._report._drill import section_anchor, sections_block
from specwright._report._escape import Html, el
from specwright._report._input import ReportInput
from specwright._report._json import embedded_json
from specwright._report._page import page
from specwright._report._view import (
    RateRow,
    authority_rows,
    fmt_pct,
    fmt_rate,
    run_labels,
    section_rows,
    section_titles,
    tag_rows,
    unscored_reasons,
)
from specwright._results import Calibration, RunResult

__all__ = ["render_html"]


def _table(head: Sequence[str] | None, rows: Sequence[Sequence[object]], cls: str = "") -> Html:
    return el(
        "table",
        {"class": cls or None},
        el("tr", {}, [el("th", {}, h) for h in head]) if head else None,
        [el("tr", {}, [el("td", {}, cell) for cell in row]) for row in rows],
    )


def _tokens(run: RunResult) -> str:
    if not run.whole_spec_grader_tokens:
        return f"{run.grader_tokens:,}"
    saved = 1 - run.grader_tokens / run.whole_spec_grader_tokens
    return (
        f"{run.grader_tokens:,} (whole spec: {run.whole_spec_grader_tokens:,}, {saved:.0%} saved)"
    )


def _overview(runs: Sequence[RunResult], labels: Sequence[str]) -> Html:
    fields: list[tuple[str, list[object]]] = [
        ("overall compliance", [fmt_rate(r.overall) for r in runs]),
        ("scored / unscored", [f"{r.n_scored} / {r.n_unscored}" for r in runs]),
        ("model", [r.model for r in runs]),
        ("grader", [r.grader or "–" for r in runs]),
        ("spec", [f"{r.spec_title or '(untitled)'} {r.spec_version or ''}".strip() for r in runs]),
        ("spec hash", [el("code", {}, r.spec_hash[:12]) for r in runs]),
        ("date", [r.created.isoformat(timespec="seconds") for r in runs]),
        ("enforce (compiled prompts)", ["yes" if r.enforce else "no" for r in runs]),
        ("epochs", [r.epochs for r in runs]),
        ("grader tokens", [_tokens(r) for r in runs]),
        ("run id", [el("code", {}, r.run_id) for r in runs]),
    ]
    rows = [[el("th", {}, name), *values] for name, values in fields]
    table = el(
        "table",
        {"class": "overview"},
        el("tr", {}, el("th", {}, ""), [el("th", {}, label) for label in labels]),
        [el("tr", {}, row[0], [el("td", {}, cell) for cell in row[1:]]) for row in rows],
    )
    return el("section", {"id": "overview"}, el("h2", {}, "Overview"), table)


def _calibration_body(run: RunResult, cal: Calibration | None) -> list[Html]:
    if cal is None:
        return [
            el(
                "div",
                {"class": "warning no-calibration"},
                "No calibration: this run's judge was not checked against the spec's "
                "labelled answers, so how far to trust its verdicts is unknown.",
            )
        ]
    warnings = []
    if run.grader and cal.grader != run.grader:
        warnings.append(f"calibrated grader {cal.grader} differs from the run's grader.")
    if cal.spec_hash != run.spec_hash:
        warnings.append("calibration was made on a different spec version (hash differs).")
    c = cal.confusion
    rows = [
        ["grader", cal.grader],
        ["accuracy", fmt_pct(cal.accuracy)],
        ["Cohen's kappa", "–" if cal.kappa is None else f"{cal.kappa:.2f}"],
        ["scored / unscored", f"{cal.n_scored} / {cal.n_unscored}"],
        ["GOOD → compliant / non-compliant", f"{c.tp} / {c.fn}"],
        ["BAD → compliant / non-compliant", f"{c.fp} / {c.tn}"],
        ["OK → compliant / non-compliant", f"{cal.ok_compliant} / {cal.ok_noncompliant}"],
    ]
    return [*(el("div", {"class": "warning"}, w) for w in warnings), _table(None, rows)]


def _calibration(runs: Sequence[RunResult], labels: Sequence[str]) -> Html:
    cards = [
        el(
            "div",
            {"class": "card calibration"},
            el("h3", {}, label),
            _calibration_body(run, run.calibration),
        )
        for run, label in zip(runs, labels, strict=True)
    ]
    return el(
        "section",
        {"id": "calibration"},
        el("h2", {}, "Judge calibration"),
        el("div", {"class": "cards"}, cards),
    )


def _chart_section(
    ident: str,
    title: str,
    rows: Sequence[RateRow],
    labels: Sequence[str],
    anchors: dict[str, str] | None = None,
) -> Html:
    if not rows:
        return el("section", {"id": ident}, el("h2", {}, title), el("p", {}, "Nothing scored."))
    chart = bar_chart(rows, labels, title=title, link=lambda row: (anchors or {}).get(row.key))
    note = "Bars: share judged compliant; whiskers: 95% confidence interval."
    return el(
        "section",
        {"id": ident},
        el("h2", {}, title),
        legend(labels),
        el("p", {"class": "note"}, note),
        chart,
    )


def _unscored(runs: Sequence[RunResult], labels: Sequence[str]) -> Html:
    cards = []
    for run, label in zip(runs, labels, strict=True):
        reasons = unscored_reasons(run)
        detail = (
            _table(["reason", "samples"], reasons)
            if reasons
            else el("p", {}, "Every sample was scored.")
        )
        cards.append(
            el(
                "div",
                {"class": "card"},
                el("h3", {}, label),
                el(
                    "p", {}, f"{run.n_unscored} unscored of {run.n_scored + run.n_unscored} samples"
                ),
                detail,
            )
        )
    return el(
        "section",
        {"id": "unscored"},
        el("h2", {}, "Unscored samples"),
        el("div", {"class": "cards"}, cards),
    )


_CHANGE_ORDER = {"worse": 0, "better": 1, "new": 2, "dropped": 3, "unchanged": 4, "unscored": 5}


def _badge(value: str) -> Html:
    return el("span", {"class": f"badge {value}"}, value)


def _diff_sections(diff: RunDiff, anchors: dict[str, str]) -> Html:
    rows = [
        [el("a", {"href": anchors[s.key]}, s.title or s.key) if s.key in anchors else s.key,
         fmt_rate(s.baseline), fmt_rate(s.candidate),
         "–" if s.delta is None else f"{s.delta * 100:+.0f} pts", _badge(s.change)]
        for s in sorted(diff.sections, key=lambda s: (_CHANGE_ORDER[s.change], s.key))
    ]  # fmt: skip
    return _table(["section", "baseline", "candidate", "Δ", "change"], rows, "diff-sections")


def _flips(diff: RunDiff) -> Html:
    if not diff.flips:
        return el("p", {}, "No scenario changed its verdict.")
    rows = [[el("code", {}, f.scenario_id), f.epoch, f.section_id, _badge(f.direction),
             f.candidate_rationale] for f in diff.flips]  # fmt: skip
    return _table(["scenario", "epoch", "section", "flip", "candidate rationale"], rows, "flips")


def _diff(diff: RunDiff | None, anchors: dict[str, str]) -> Html:
    if diff is None:
        return Html("")
    warning = None if diff.same_spec else el(
        "div", {"class": "warning"}, "The runs used different spec versions.")  # fmt: skip
    o = diff.overall
    summary = el("p", {}, f"Baseline {diff.baseline_model} → candidate {diff.candidate_model}: ",
                 f"{fmt_rate(o.baseline)} → {fmt_rate(o.candidate)} ", _badge(o.change),
                 f". Test: {diff.method}.")  # fmt: skip
    return el("section", {"id": "diff"}, el("h2", {}, "Change against the baseline"), warning,
              summary, _diff_sections(diff, anchors),
              el("h3", {}, f"Flipped scenarios ({len(diff.flips)})"), _flips(diff))  # fmt: skip


def render_html(report: ReportInput) -> str:
    """Render the whole report as one HTML document."""
    runs, spec = report.runs, report.spec
    labels = run_labels(runs)
    rows = section_rows(runs, spec)
    anchors = {row.key: "#" + section_anchor(i) for i, row in enumerate(rows)}
    body = el(
        "div",
        {},
        _diff(report.diff, anchors),
        _overview(runs, labels),
        _calibration(runs, labels),
        _chart_section("by-section", "Compliance by section", rows, labels, anchors),
        _chart_section(
            "by-authority", "Compliance by authority level", authority_rows(runs), labels
        ),
        _chart_section("by-tag", "Compliance by tag", tag_rows(runs), labels)
        if any(r.by_tag for r in runs)
        else None,
        _unscored(runs, labels),
        sections_block(rows, labels, section_titles(runs, spec), spec),
    )
    title = "Compliance report: " + " vs ".join(labels)
    specs = sorted({f"{r.spec_title or 'spec'} {r.spec_version or r.spec_hash[:12]}" for r in runs})
    return page(title, "Spec: " + "; ".join(specs), body, data_json=embedded_json(report))
