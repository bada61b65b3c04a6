"""The disagreement report as markdown (default), JSON or a self-contained HTML page.

HTML goes through the report's escaping element builder and page shell (strict CSP, no
network), so section text and answers written by anyone stay inert.
"""

from __future__ import annotations

from collections.abc import Sequence

from specwright._html._escape import Html, el, join
from specwright._html._page import page
from specwright._report._markdown_text import md_table, md_text
from specwright._revise._disagreements import (
    DisagreementReport,
    ScenarioDisagreement,
    SectionDisagreement,
)

__all__ = ["render_disagreements"]

_FLAG = "every model judged non-compliant: check the section's text"


def render_disagreements(report: DisagreementReport, fmt: str, *, top: int = 10) -> str:
    """``fmt`` is ``markdown``, ``json`` or ``html``; ``top`` scenarios are shown in full."""
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "html":
        return _html(report, top)
    return _markdown(report, top)


def _verdict(value: bool | None) -> str:
    return "unscored" if value is None else ("compliant" if value else "NON-compliant")


def _axes(scenario: ScenarioDisagreement) -> str:
    return ", ".join(f"{a.axis} {a.disagreement:.2f} (n={a.n})" for a in scenario.axes) or "—"


def _markdown(report: DisagreementReport, top: int) -> str:
    lines = [
        "# Disagreements",
        "",
        f"{len(report.runs)} runs, models: {', '.join(md_text(m) for m in report.models)}. "
        "Score: twice the minority share of verdicts (0 unanimous, 1 an even split), "
        "averaged over the axes a scenario has.",
        "",
        "## Sections",
        "",
    ]
    rows = [
        [md_text(s.section_id), md_text(s.title), f"{s.score:.2f}", str(s.scenarios),
         str(s.all_noncompliant)]
        for s in report.sections
    ]  # fmt: skip
    lines += md_table(["section", "title", "score", "scenarios", "all non-compliant"], rows)
    lines += ["", "## Scenarios", ""]
    for scenario in report.scenarios[:top]:
        lines += _markdown_scenario(scenario)
    return "\n".join(lines) + "\n"


def _markdown_scenario(scenario: ScenarioDisagreement) -> list[str]:
    lines = [
        f"### {md_text(scenario.scenario_id)} — score {scenario.score:.2f}",
        "",
        f"Section {md_text(scenario.section_id)}; axes: {_axes(scenario)}",
    ]
    if scenario.all_noncompliant:
        lines += ["", f"> **{_FLAG}**"]
    rows = [
        [md_text(a.model), md_text(a.grader or ""), str(a.epoch), _verdict(a.compliant),
         md_text(a.answer[:300])]
        for a in scenario.answers
    ]  # fmt: skip
    return [*lines, "", *md_table(["model", "judge", "epoch", "verdict", "answer"], rows), ""]


def _html(report: DisagreementReport, top: int) -> str:
    section_rows = [
        el("tr", {}, *(el("td", {}, v) for v in (s.section_id, s.title, f"{s.score:.2f}",
                                                 s.scenarios, s.all_noncompliant)))
        for s in report.sections
    ]  # fmt: skip
    head = el("tr", {}, *(el("th", {}, h) for h in ("section", "title", "score", "scenarios",
                                                     "all non-compliant")))  # fmt: skip
    body = join(
        [
            el("h2", {}, "Sections"),
            el("table", {}, el("thead", {}, head), el("tbody", {}, *section_rows)),
            el("h2", {}, "Scenarios"),
            *(_html_scenario(s, report.sections) for s in report.scenarios[:top]),
        ]
    )
    subtitle = f"{len(report.runs)} runs; models: {', '.join(report.models)}"
    return page("Disagreements", subtitle, body, data_json=report.model_dump_json())


def _html_scenario(scenario: ScenarioDisagreement, sections: Sequence[SectionDisagreement]) -> Html:
    text = next((s.text for s in sections if s.section_id == scenario.section_id), "")
    answers = [
        el("div", {"class": "sample"},
           el("p", {}, el("strong", {}, a.model), f" — judge {a.grader or '?'}, epoch {a.epoch}: ",
              el("strong", {}, _verdict(a.compliant))),
           el("pre", {}, a.answer), el("p", {"class": "muted"}, a.rationale))
        for a in scenario.answers
    ]  # fmt: skip
    parts: list[object] = [
        el("h3", {}, f"{scenario.scenario_id} — score {scenario.score:.2f}"),
        el("p", {}, f"Section {scenario.section_id}; axes: {_axes(scenario)}"),
    ]
    if scenario.all_noncompliant:
        parts.append(el("p", {"class": "warning"}, _FLAG))
    if text:
        parts.append(el("details", {}, el("summary", {}, "Section text"), el("pre", {}, text)))
    return el("section", {}, *parts, *answers)
