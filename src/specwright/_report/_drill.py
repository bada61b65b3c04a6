"""The drill-down: each section as a ``<details>`` with its transcripts and the judge's notes.

Native ``<details>`` elements need no script: clicking a section's summary shows its
samples side by side per run; clicking a sample shows the transcript, the rationale, the
cited sections (with their spec text when a spec was given) and every grader sample.
"""

from __future__ import annotations

from collections.abc import Sequence

from specwright._model import Spec
from specwright._report._escape import Html, el
from specwright._report._view import SectionRow, fmt_rate
from specwright._results import Grade, SampleResult

__all__ = ["section_anchor", "sections_block", "verdict_badge"]


def section_anchor(index: int) -> str:
    """The element id of the ``index``-th section (ids from specs are not used as HTML ids)."""
    return f"sec-{index}"


def verdict_badge(compliant: bool | None) -> Html:
    """A coloured badge: compliant, non-compliant or unscored."""
    if compliant is None:
        return el("span", {"class": "badge unscored"}, "unscored")
    if compliant:
        return el("span", {"class": "badge compliant"}, "compliant")
    return el("span", {"class": "badge noncompliant"}, "non-compliant")


def _verdict_key(compliant: bool | None) -> str:
    return "unscored" if compliant is None else ("compliant" if compliant else "noncompliant")


def _transcript(sample: SampleResult) -> Html:
    messages = [
        el(
            "div",
            {"class": f"msg role-{_css_token(m.role)}"},
            el("div", {"class": "role"}, m.role),
            el("pre", {}, m.content),
        )
        for m in sample.transcript
    ]
    if not messages:
        messages = [el("p", {"class": "na"}, "No transcript recorded.")]
    return el("div", {"class": "transcript"}, messages)


def _css_token(value: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in value.lower())[:20]


def _cited(sample: SampleResult, titles: dict[str, str], spec: Spec | None) -> Html:
    if not sample.cited_sections:
        return Html("")
    items = []
    for sid in sample.cited_sections:
        section = spec.get(sid) if spec is not None else None
        body = (
            el(
                "details",
                {"class": "spec-text"},
                el("summary", {}, "spec text"),
                el("pre", {}, section.body or "(no prose)"),
            )
            if section is not None
            else None
        )
        items.append(el("li", {}, el("code", {}, sid), " — ", titles.get(sid, "(unknown)"), body))
    return el("div", {"class": "cited"}, el("strong", {}, "Cited sections"), el("ul", {}, items))


def _grades(grades: Sequence[Grade]) -> Html:
    if not grades:
        return Html("")
    rows = [
        el(
            "tr",
            {},
            el("td", {"class": "num"}, i + 1),
            el("td", {"class": "num"}, "–" if g.score is None else g.score),
            el("td", {}, verdict_badge(g.compliant)),
            el("td", {}, g.error or g.rationale),
        )
        for i, g in enumerate(grades)
    ]
    head = el(
        "tr",
        {},
        el("th", {}, "#"),
        el("th", {}, "score"),
        el("th", {}, "verdict"),
        el("th", {}, "rationale / error"),
    )
    return el(
        "details",
        {"class": "grades"},
        el("summary", {}, f"{len(grades)} grader sample{'' if len(grades) == 1 else 's'}"),
        el("table", {}, head, rows),
    )


def _judge(sample: SampleResult, titles: dict[str, str], spec: Spec | None) -> Html:
    reason = (
        el("p", {"class": "unscored-reason"}, "Unscored: ", sample.unscored_reason)
        if sample.compliant is None and sample.unscored_reason
        else None
    )
    return el(
        "div",
        {"class": "judge"},
        el("strong", {}, "Judge"),
        reason,
        el("p", {"class": "rationale"}, sample.rationale or "(no rationale)"),
        _cited(sample, titles, spec),
        _grades(sample.grades),
    )


def _sample(sample: SampleResult, titles: dict[str, str], spec: Spec | None) -> Html:
    score = "" if sample.score is None else f" · score {sample.score:g}"
    summary = el(
        "summary",
        {},
        el("code", {}, sample.scenario_id),
        f" · epoch {sample.epoch}{score} ",
        verdict_badge(sample.compliant),
    )
    return el(
        "details",
        {"class": "sample", "data-verdict": _verdict_key(sample.compliant)},
        summary,
        _transcript(sample),
        _judge(sample, titles, spec),
    )


def _spec_text(row: SectionRow, spec: Spec | None) -> Html | None:
    section = spec.get(row.key) if spec is not None else None
    if section is None or not section.body:
        return None
    return el(
        "details",
        {"class": "spec-text"},
        el("summary", {}, "Section text"),
        el("pre", {}, section.body),
    )


def _section(
    index: int, row: SectionRow, labels: Sequence[str], titles: dict[str, str], spec: Spec | None
) -> Html:
    summary = el(
        "summary",
        {},
        el("strong", {}, row.label),
        " ",
        el("span", {"class": "sid"}, row.key),
        f" · {row.authority}" if row.authority else "",
        [
            [" · ", label, ": ", fmt_rate(rate)]
            for label, rate in zip(labels, row.rates, strict=True)
        ],
    )
    columns = [
        el(
            "div",
            {"class": "run-col", "data-run": i},
            el("h4", {}, label),
            el("p", {}, fmt_rate(rate), f" · unscored {unscored}"),
            [_sample(s, titles, spec) for s in group] or el("p", {}, "No samples."),
        )
        for i, (label, rate, unscored, group) in enumerate(
            zip(labels, row.rates, row.unscored, row.samples, strict=True)
        )
    ]
    body = el(
        "div",
        {"class": "section-body"},
        _spec_text(row, spec),
        el("div", {"class": "runs"}, columns),
    )
    return el(
        "details",
        {"class": "section", "id": section_anchor(index), "data-section": row.key},
        summary,
        body,
    )


def sections_block(
    rows: Sequence[SectionRow], labels: Sequence[str], titles: dict[str, str], spec: Spec | None
) -> Html:
    """Every section as a collapsible block, with expand/collapse-all buttons."""
    buttons = el(
        "p",
        {},
        el("button", {"type": "button", "id": "expand-all"}, "Expand all"),
        el("button", {"type": "button", "id": "collapse-all"}, "Collapse all"),
    )
    return el(
        "section",
        {"id": "sections"},
        el("h2", {}, "Sections and transcripts"),
        buttons,
        [_section(i, row, labels, titles, spec) for i, row in enumerate(rows)],
    )
