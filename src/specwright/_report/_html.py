"""The self-contained HTML report: headline, run details, results by part, drill-down.

The first screen answers "how compliant, and can I trust the judge?": one card per run with
the overall rate and its interval, the judge's validity in words (a warning box when it is
weak, undefined or missing), the unscored share, and the best and worst sections. The spec's
shape follows: one summary bar per top-level part, expandable to its sections.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specwright._html._escape import Html, el
from specwright._html._page import page
from specwright._report._charts import bar_chart, colour, legend, part_bar
from specwright._report._diff import CHANGE_RULE, RateChange, RunDiff
from specwright._report._drill import Drill, footnote_targets, section_anchor, sections_block
from specwright._report._input import ReportInput
from specwright._report._json import embedded_json
from specwright._report._judges import judges_html
from specwright._report._prose import ProseLinks
from specwright._report._view import (
    PartRow,
    RateRow,
    SectionRow,
    authority_rows,
    best_and_worst,
    fmt_ci,
    fmt_pct,
    fmt_rate,
    judge_summary,
    judge_verdict,
    part_rows,
    partial_note,
    run_caption,
    run_labels,
    scenario_titles,
    section_rows,
    section_titles,
    tag_rows,
    token_share,
    unscored_reasons,
)
from specwright._results import (
    Calibration,
    JudgeValidity,
    Rate,
    RunResult,
    judge_validity,
    judges_validity,
)

__all__ = ["render_html"]


def _table(head: Sequence[str] | None, rows: Sequence[Sequence[object]], cls: str = "") -> Html:
    return el(
        "table",
        {"class": cls or None},
        el("tr", {}, [el("th", {}, h) for h in head]) if head else None,
        [el("tr", {}, [el("td", {}, cell) for cell in row]) for row in rows],
    )


def _tokens(run: RunResult) -> str:
    share = token_share(run)
    if share is None:
        return f"{run.grader_tokens:,} tokens"
    return (
        f"{share} of a whole-spec judge (estimate): {run.grader_tokens:,} tokens, against "
        f"about {run.whole_spec_grader_tokens:,} with the whole spec in every grader prompt"
    )


# --------------------------------------------------------------------------- headline


def _judge_box(validity: JudgeValidity) -> Html:
    verdict = judge_verdict(validity)
    if validity.trusted:
        return el(
            "p",
            {"class": "judge-ok"},
            el("strong", {}, verdict.capitalize()),
            " — ",
            judge_summary(validity),
        )
    extra = " no-calibration" if validity.status == "missing" else ""
    return el(
        "div",
        {"class": f"warning judge-warning{extra}", "role": "alert", "data-status": validity.status},
        el("strong", {}, verdict.capitalize()),
        " — ",
        judge_summary(validity),
    )


def _judge_boxes(run: RunResult, first: JudgeValidity, min_kappa: float) -> Html:
    """The judge's box; with several judges, one per judge, each on its own calibration."""
    if len(run.graders) < 2:
        return _judge_box(first)
    return el(
        "div",
        {"class": "judges-boxes"},
        [
            el("div", {"class": "judge-of"}, el("code", {}, grader), _judge_box(validity))
            for grader, validity in judges_validity(run, min_kappa).items()
        ],
    )


def _ranked(title: str, rows: Sequence[RateRow], run: int, anchors: dict[str, str]) -> Html:
    items = [
        el(
            "li",
            {},
            el("a", {"href": anchors[r.key]}, r.label) if r.key in anchors else r.label,
            " ",
            el("span", {"class": "rate"}, fmt_rate(r.rates[run])),
        )
        for r in rows
    ]
    return el("div", {"class": "ranked"}, el("h3", {}, title), el("ol", {}, items))


def _figure(big: str, label: str, detail: str, cls: str) -> Html:
    return el(
        "div",
        {"class": f"figure {cls}"},
        el("span", {"class": "big"}, big),
        el("span", {"class": "figure-label"}, label),
        el("span", {"class": "figure-detail"}, detail),
    )


def _swatch(index: int) -> Html:
    return el(
        "svg",
        {"width": 10, "height": 10, "aria-hidden": "true", "class": "swatch"},
        el("rect", {"width": 10, "height": 10, "fill": colour(index)}),
    )


def _headline_card(
    report: ReportInput, index: int, label: str, rows: Sequence[SectionRow], anchors: dict[str, str]
) -> Html:
    run = report.runs[index]
    validity = judge_validity(run.calibration, report.min_kappa)
    total = run.n_scored + run.n_unscored
    overall = run.overall
    big = "–" if overall.rate is None else fmt_pct(overall.rate)
    ci = fmt_ci(overall).strip("[]")
    kappa = "–" if validity.kappa is None else f"{validity.kappa:.2f}"
    best, worst = best_and_worst(rows, index)
    figures = el(
        "div",
        {"class": "figures"},
        _figure(
            big,
            "compliant",
            f"95% CI {ci} · {overall.n} scored" if ci else "nothing scored",
            "overall",
        ),
        _figure(
            f"κ {kappa}",
            judge_verdict(validity),
            f"threshold {report.min_kappa:.2f}",
            f"judge-figure {validity.status}",
        ),
        _figure(
            fmt_pct(run.n_unscored / total) if total else "–",
            "unscored",
            f"{run.n_unscored} of {total} {'finished ' if run.partial else ''}samples",
            "unscored",
        ),
        _figure(
            str(run.n_failed + run.n_not_run),
            "failed" if run.n_failed else "not run",
            f"of {run.n_planned} samples · partial run",
            "failed",
        )
        if run.partial
        else None,
    )
    note = partial_note(run)
    partial = el("p", {"class": "partial-note"}, note) if note else None
    adjudicated = None
    if run.n_adjudicated:
        judge = run.judge_overall
        alone = "–" if judge is None or judge.rate is None else fmt_rate(judge)
        adjudicated = el("p", {"class": "adjudicated-note"},
                         f"{run.n_adjudicated} sample(s) adjudicated by people (their verdict "
                         f"replaces the judge's); the judge alone: {alone}.")  # fmt: skip
    extremes = el(
        "div",
        {"class": "extremes"},
        _ranked("Best sections", best, index, anchors) if best else None,
        _ranked("Worst sections", worst, index, anchors) if worst else None,
    )
    return el(
        "div",
        {"class": "card headline", "data-run": index},
        el("h2", {}, _swatch(index), " ", label),
        el("p", {"class": "caption"}, run_caption(run)),
        figures,
        partial,
        adjudicated,
        _judge_boxes(run, validity, report.min_kappa),
        extremes,
    )


def _headline(
    report: ReportInput, labels: Sequence[str], rows: Sequence[SectionRow], anchors: dict[str, str]
) -> Html:
    cards = [_headline_card(report, i, label, rows, anchors) for i, label in enumerate(labels)]
    return el("section", {"id": "headline"}, el("div", {"class": "headline-cards"}, cards))


# --------------------------------------------------------------------------- details


def _overview(runs: Sequence[RunResult], labels: Sequence[str]) -> Html:
    fields: list[tuple[str, list[object]]] = [
        ("overall compliance", [fmt_rate(r.overall) for r in runs]),
        ("scored / unscored", [f"{r.n_scored} / {r.n_unscored}" for r in runs]),
        ("model", [r.model for r in runs]),
        ("grader", [", ".join(r.graders) or r.grader or "–" for r in runs]),
        ("spec", [f"{r.spec_title or '(untitled)'} {r.spec_version or ''}".strip() for r in runs]),
        ("spec hash", [el("code", {}, r.spec_hash[:12]) for r in runs]),
        ("date", [r.created.isoformat(timespec="seconds") for r in runs]),
        ("enforce (compiled prompts)", ["yes" if r.enforce else "no" for r in runs]),
        ("epochs", [r.epochs for r in runs]),
        ("grader token use", [_tokens(r) for r in runs]),
        ("run id", [el("code", {}, r.run_id) for r in runs]),
    ]
    rows = [[el("th", {}, name), *values] for name, values in fields]
    table = el(
        "table",
        {"class": "overview"},
        el("tr", {}, el("th", {}, ""), [el("th", {}, label) for label in labels]),
        [el("tr", {}, row[0], [el("td", {}, cell) for cell in row[1:]]) for row in rows],
    )
    return el(
        "section",
        {"id": "overview"},
        el("h2", {}, "Run details"),
        el("div", {"class": "scroll"}, table),
    )


def _calibration_body(
    run: RunResult, cal: Calibration | None, min_kappa: float, grader: str | None = None
) -> list[Html]:
    validity = judge_validity(cal, min_kappa)
    if cal is None:
        return [_judge_box(validity)]
    warnings = []
    expected = grader or run.grader
    if expected and cal.grader != expected:
        warnings.append(f"calibrated grader {cal.grader} differs from the run's grader.")
    if cal.spec_hash != run.spec_hash:
        warnings.append("calibration was made on a different spec version (hash differs).")
    c = cal.confusion
    rows = [
        ["grader", cal.grader],
        ["accuracy", fmt_pct(cal.accuracy)],
        ["Cohen's kappa", "–" if cal.kappa is None else f"{cal.kappa:.2f}"],
        ["verdict", judge_verdict(validity)],
        ["scored / unscored", f"{cal.n_scored} / {cal.n_unscored}"],
        ["GOOD → compliant / non-compliant", f"{c.tp} / {c.fn}"],
        ["BAD → compliant / non-compliant", f"{c.fp} / {c.tn}"],
        ["OK → compliant / non-compliant", f"{cal.ok_compliant} / {cal.ok_noncompliant}"],
    ]
    return [*(el("div", {"class": "warning"}, w) for w in warnings), _table(None, rows)]


def _calibrations(run: RunResult) -> list[tuple[str | None, Calibration | None]]:
    """The run's calibration, or each judge's (named) when several judges graded it."""
    if len(run.graders) < 2:
        return [(None, run.calibration)]
    return [(g, run.judge_calibrations.get(g)) for g in run.graders]


def _calibration(report: ReportInput, labels: Sequence[str]) -> Html:
    cards = [
        el(
            "div",
            {"class": "card calibration"},
            el("h3", {}, label if grader is None else f"{label}: {grader}"),
            _calibration_body(run, cal, report.min_kappa, grader),
        )
        for run, label in zip(report.runs, labels, strict=True)
        for grader, cal in _calibrations(run)
    ]
    return el(
        "section",
        {"id": "calibration"},
        el("h2", {}, "Judge calibration"),
        el("div", {"class": "cards"}, cards),
    )


_NOTE = "Bars: share judged compliant; whiskers: 95% confidence interval."


def _chart_section(
    ident: str,
    title: str,
    rows: Sequence[RateRow],
    labels: Sequence[str],
    captions: Sequence[str] = (),
) -> Html:
    if not rows:
        return el("section", {"id": ident}, el("h2", {}, title), el("p", {}, "Nothing scored."))
    return el(
        "section",
        {"id": ident},
        el("h2", {}, title),
        legend(labels, captions),
        el("p", {"class": "note"}, _NOTE),
        bar_chart(rows, labels, title=title),
    )


def _sections_count(n: int) -> str:
    return f"{n} section" if n == 1 else f"{n} sections"


def _part(part: PartRow, labels: Sequence[str], anchors: dict[str, str], open_: bool) -> Html:
    # One line per run, marked with the run's colour (the legend names it; so does the tooltip).
    rates = [
        el("span", {"class": "part-rate", "title": f"{label}: {fmt_rate(rate)}"},
           _swatch(i) if len(labels) > 1 else None, " ", fmt_rate(rate))
        for i, (label, rate) in enumerate(zip(labels, part.rates, strict=True))
    ]  # fmt: skip
    summary = el(
        "summary",
        {},
        el("span", {"class": "part-title"}, part.label),
        el("span", {"class": "part-count"}, _sections_count(len(part.sections))),
        part_bar(part.rates, labels),
        el("span", {"class": "part-rates"}, rates),
    )
    chart = bar_chart(
        part.sections,
        labels,
        title=f"Compliance in {part.label}",
        link=lambda row: anchors.get(row.key),
    )
    return el(
        "details",
        {"class": "part", "data-part": part.key, "open": open_},
        summary,
        el("div", {"class": "part-body"}, chart),
    )


def _parts(
    parts: Sequence[PartRow],
    runs: Sequence[RunResult],
    labels: Sequence[str],
    anchors: dict[str, str],
) -> Html:
    title = "Results by part of the spec"
    if not parts:
        return el("section", {"id": "by-section"}, el("h2", {}, title), el("p", {}, "No section."))
    note = _NOTE + " Each part's bar pools its sections; open a part to see them."
    return el(
        "section",
        {"id": "by-section"},
        el("h2", {}, title),
        legend(labels, [run_caption(r) for r in runs]),
        el("p", {"class": "note"}, note),
        [_part(part, labels, anchors, len(parts) == 1) for part in parts],
    )


def _heat_cell(label: str, rate: Rate | None) -> Html:
    if rate is None or rate.rate is None:
        return el("td", {"class": "cell empty", "title": f"{label}: not scored"}, "–")
    bucket = round(rate.rate * 10)
    return el(
        "td",
        {"class": f"cell h{bucket}", "title": f"{label}: {fmt_rate(rate)}"},
        fmt_pct(rate.rate),
    )


def _heatmap(parts: Sequence[PartRow], labels: Sequence[str], anchors: dict[str, str]) -> Html:
    head = el(
        "tr", {}, el("th", {}, "section"), [el("th", {"class": "run-head"}, x) for x in labels]
    )
    body: list[Html] = []
    for part in parts:
        if len(parts) > 1:
            body.append(
                el("tr", {"class": "part-row"}, el("th", {"colspan": len(labels) + 1}, part.label))
            )
        for row in part.sections:
            name = (
                el("a", {"href": anchors[row.key]}, row.label) if row.key in anchors else row.label
            )
            body.append(
                el(
                    "tr",
                    {"data-section": row.key},
                    el("th", {"class": "row-head"}, name),
                    [_heat_cell(x, r) for x, r in zip(labels, row.rates, strict=True)],
                )
            )
    note = "Share judged compliant per model and section; hover a cell for its 95% interval and n."
    return el(
        "section",
        {"id": "heatmap"},
        el("h2", {}, "Models × sections"),
        el("p", {"class": "note"}, note),
        el("div", {"class": "scroll"}, el("table", {"class": "heatmap"}, head, body)),
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
        total = run.n_scored + run.n_unscored
        failed = (
            [
                el("p", {}, f"{run.n_failed} failed of {run.n_planned} samples (in no figure)"),
                _table(["reason", "samples"], list(run.failures.items())),  # most frequent first
            ]
            if run.failures
            else []
        )
        cards.append(
            el(
                "div",
                {"class": "card"},
                el("h3", {}, label),
                el("p", {}, f"{run.n_unscored} unscored of {total} samples"),
                detail,
                *failed,
            )
        )
    return el(
        "section",
        {"id": "unscored"},
        el("h2", {}, "Unscored samples"),
        el("div", {"class": "cards"}, cards),
    )


# --------------------------------------------------------------------------- diff

_CHANGE_ORDER = {
    "regressed": 0,
    "improved": 1,
    "inconclusive": 2,
    "new": 3,
    "dropped": 4,
    "unchanged": 5,
    "unscored": 6,
}


def _badge(value: str) -> Html:
    return el("span", {"class": f"badge {value}"}, value)


def _diff_row(s: RateChange, anchors: dict[str, str]) -> list[object]:
    name = el("a", {"href": anchors[s.key]}, s.title or s.key) if s.key in anchors else s.key
    delta = "–" if s.delta is None else f"{s.delta * 100:+.0f} pts"
    return [name, fmt_rate(s.baseline), fmt_rate(s.candidate), delta, _badge(s.change)]


def _diff_sections(diff: RunDiff, anchors: dict[str, str]) -> Html:
    # Within a state, spec order (the anchors' order); sections no longer shown come last.
    position = {key: i for i, key in enumerate(anchors)}
    ordered = sorted(
        diff.sections, key=lambda s: (_CHANGE_ORDER[s.change], position.get(s.key, len(position)))
    )
    rows = [_diff_row(s, anchors) for s in ordered]
    return el(
        "div",
        {"class": "scroll"},
        _table(["section", "baseline", "candidate", "Δ", "change"], rows, "diff-sections"),
    )


def _flips(diff: RunDiff, drill: Drill) -> Html:
    if not diff.flips:
        return el("p", {}, "No scenario changed its verdict.")
    anchors = drill.links.anchors
    rows = [
        [
            [drill.names.get(f.scenario_id, ""), " ", el("code", {}, f.scenario_id)],
            f.epoch,
            el(
                "a",
                {"href": "#" + anchors[f.section_id]},
                drill.titles.get(f.section_id, f.section_id),
            )
            if f.section_id in anchors
            else f.section_id,
            _badge(f.direction),
            f.candidate_rationale,
        ]
        for f in diff.flips
    ]
    table = _table(["scenario", "epoch", "section", "flip", "candidate rationale"], rows, "flips")
    return el("div", {"class": "scroll"}, table)


def _diff_counts(diff: RunDiff) -> str:
    counts = {state: sum(1 for s in diff.sections if s.change == state) for state in _CHANGE_ORDER}
    return ", ".join(f"{n} {state}" for state, n in counts.items() if n)


def _diff(diff: RunDiff | None, anchors: dict[str, str], drill: Drill) -> Html:
    if diff is None:
        return Html("")
    warning = (
        None
        if diff.same_spec
        else el("div", {"class": "warning"}, "The runs used different spec versions.")
    )
    o = diff.overall
    summary = el(
        "p",
        {"class": "diff-summary"},
        f"Baseline {diff.baseline_model} → candidate {diff.candidate_model}: ",
        f"{fmt_rate(o.baseline)} → {fmt_rate(o.candidate)} ",
        _badge(o.change),
        f". Sections: {_diff_counts(diff)}.",
    )
    rule = el(
        "p", {"class": "note diff-rule"}, el("strong", {}, "How states are decided. "), CHANGE_RULE
    )
    return el(
        "section",
        {"id": "diff"},
        el("h2", {}, "Change against the baseline"),
        warning,
        summary,
        rule,
        _diff_sections(diff, anchors),
        el("h3", {}, f"Flipped scenarios ({len(diff.flips)})"),
        _flips(diff, drill),
    )


# --------------------------------------------------------------------------- page


def _drill(report: ReportInput, rows: Sequence[SectionRow], anchors: dict[str, str]) -> Drill:
    titles = section_titles(report.runs, report.spec)
    links = ProseLinks(
        titles=titles,
        anchors={key: href[1:] for key, href in anchors.items()},
        footnotes=footnote_targets(rows),
    )
    return Drill(
        titles,
        scenario_titles(report.runs, report.spec),
        links,
        report.spec,
        run_refs=tuple(_run_ref(run) for run in report.runs),
        feedback=_feedback_counts(report),
    )


def _run_ref(run: RunResult) -> str:
    """How ``specwright feedback add`` names the run: its log while it exists, else its id."""
    return run.log_path if run.log_path and Path(run.log_path).exists() else run.run_id


def _feedback_counts(report: ReportInput) -> dict[str, tuple[int, int, int]]:
    """Section id → (feedback items on these runs, items overruling the judge, unclear ones)."""
    shown = {run.run_id for run in report.runs}
    counts: dict[str, tuple[int, int, int]] = {}
    for item in report.feedback:
        if item.run_id in shown:
            items, overrule, unclear = counts.get(item.section_id, (0, 0, 0))
            counts[item.section_id] = (
                items + 1, overrule + item.overrules_judge, unclear + (not item.is_label)
            )  # fmt: skip
    return counts


def render_html(report: ReportInput) -> str:
    """Render the whole report as one HTML document."""
    runs, spec = report.runs, report.spec
    labels = run_labels(runs)
    rows = section_rows(runs, spec)
    parts = part_rows(rows, spec)
    anchors = {row.key: "#" + section_anchor(i) for i, row in enumerate(rows)}
    drill = _drill(report, rows, anchors)
    captions = [run_caption(run) for run in runs]
    body = el(
        "div",
        {},
        _headline(report, labels, rows, anchors),
        _diff(report.diff, anchors, drill),
        _overview(runs, labels),
        _parts(parts, runs, labels, anchors),
        _heatmap(parts, labels, anchors) if len(runs) > 1 else None,
        _chart_section(
            "by-authority", "Compliance by authority level", authority_rows(runs), labels, captions
        ),
        _chart_section("by-tag", "Compliance by tag", tag_rows(runs), labels, captions)
        if any(r.by_tag for r in runs)
        else None,
        _calibration(report, labels),
        judges_html(runs, labels, section_titles(runs, spec), report.min_kappa),
        _unscored(runs, labels),
        sections_block(rows, parts, labels, drill),
    )
    title = "Compliance report: " + " vs ".join(labels)
    return page(title, _specs_line(report), body, data_json=embedded_json(report))


def _specs_line(report: ReportInput) -> str:
    """``Spec: Title v1 (spec revision …, approved by ann on …: why)`` for the header."""
    named: dict[str, None] = {}
    for r in report.runs:
        decided = report.spec_revisions.get(r.spec_hash)
        label = f"{r.spec_title or 'spec'} {r.spec_version or r.spec_hash[:12]}"
        named[label + (f" ({decided})" if decided else "")] = None
    return "Spec: " + "; ".join(sorted(named))
