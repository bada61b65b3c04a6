"""The drill-down: each section as a ``<details>`` with its transcripts and the judge's notes.

Native ``<details>`` elements need no script: clicking a section's summary shows its
samples side by side per run; clicking a sample shows the transcript, the rationale, the
cited sections (with their spec text when a spec was given) and every grader sample.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from specwright._html._escape import Html, el
from specwright._model import Spec
from specwright._report._prose import ProseLinks, render_prose
from specwright._report._view import PartRow, SectionRow, fmt_rate
from specwright._results import Grade, SampleResult

__all__ = ["Drill", "sample_anchor", "section_anchor", "sections_block", "verdict_badge"]


@dataclass(frozen=True)
class Drill:
    """What every block of the drill-down needs: titles, names, where links point, the spec."""

    titles: dict[str, str]
    """Section id → title."""
    names: dict[str, str]
    """Scenario id → human name (example or eval prompt title)."""
    links: ProseLinks
    """Where in-page references in spec text point."""
    spec: Spec | None
    """The spec, for section text."""
    rendered: dict[str, Html] = field(default_factory=dict)
    """Section id → its rendered text, filled on first use: a section cited by a thousand
    samples is rendered once per page."""
    run_refs: tuple[str, ...] = ()
    """Per run (in column order), how ``specwright feedback add`` names it: its log, else its id."""
    feedback: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """Section id → (feedback items, items that overrule the judge, items found unclear)."""

    def section_text(self, section_id: str, markdown: str) -> Html:
        """The section's markdown as HTML, rendered once per page."""
        if section_id not in self.rendered:
            self.rendered[section_id] = render_prose(markdown, self.links)
        return self.rendered[section_id]


def sample_anchor(section_index: int, run_index: int, position: int) -> str:
    """The element id of a sample's block (scenario ids are not used as HTML ids)."""
    return f"smp-{section_index}-{run_index}-{position}"


def footnote_targets(rows: Sequence[SectionRow]) -> dict[str, str]:
    """Eval prompt file tag → the element id of its first sample in the page.

    Eval prompt scenario ids are ``<tag>/<n>``, the tag being the spec's footnote ``[^tag]``.
    """
    targets: dict[str, str] = {}
    for i, row in enumerate(rows):
        for r, group in enumerate(row.samples):
            for k, sample in enumerate(group):
                if sample.kind == "eval_prompt" and "/" in sample.scenario_id:
                    targets.setdefault(sample.scenario_id.split("/")[0], sample_anchor(i, r, k))
    return targets


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


def _prose_block(section_id: str, markdown: str, drill: Drill, summary: str) -> Html:
    body = (
        drill.section_text(section_id, markdown) if markdown.strip() else el("p", {}, "(no prose)")
    )
    return el(
        "details",
        {"class": "spec-text"},
        el("summary", {}, summary),
        el("div", {"class": "prose"}, body),
    )


def _cited(sample: SampleResult, drill: Drill) -> Html:
    if not sample.cited_sections:
        return Html("")
    items = []
    for sid in sample.cited_sections:
        section = drill.spec.get(sid) if drill.spec is not None else None
        body = _prose_block(sid, section.body, drill, "spec text") if section is not None else None
        title = drill.titles.get(sid, "(unknown)")
        anchor = drill.links.anchors.get(sid)
        name = el("a", {"href": "#" + anchor}, title) if anchor else title
        items.append(el("li", {}, el("code", {}, sid), " — ", name, body))
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


def _judge(sample: SampleResult, drill: Drill) -> Html:
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
        _cited(sample, drill),
        _grades(sample.grades),
    )


def _adaptations(sample: SampleResult) -> Html | None:
    """What was changed in the sample's requests so that their servers accepted them."""
    if not sample.adaptations:
        return None
    items = [
        el("li", {}, el("code", {}, a.kind), f" ({a.model or 'request'}, message {a.index}): ",
           a.detail, el("span", {"class": "muted"}, f" · profile {a.profile}"))
        for a in sample.adaptations
    ]  # fmt: skip
    return el("div", {"class": "adaptations"},
              el("strong", {}, "Adapted for the server"), el("ul", {}, items))  # fmt: skip


def _adjudicated(sample: SampleResult) -> Html | None:
    """A mark on samples whose verdict a person gave (``specwright feedback``)."""
    if not sample.adjudicated:
        return None
    judge = {None: "unscored", True: "compliant", False: "non-compliant"}[sample.judge_compliant]
    return el("span", {"class": "badge adjudicated", "title": f"the judge said: {judge}"},
              f"person's verdict (judge: {judge})")  # fmt: skip


def feedback_command(run_ref: str, sample: SampleResult, verdict: str) -> str:
    """The shell command that records ``verdict`` on ``sample``, each argument quoted."""
    ref = sample.scenario_id if sample.epoch == 1 else f"{sample.scenario_id}@{sample.epoch}"
    argv = ["specwright", "feedback", "add", run_ref, ref, "--verdict", verdict]
    return shlex.join(argv)


def _feedback_commands(sample: SampleResult, run_ref: str | None) -> Html | None:
    """Ready-to-copy commands, the one that overrules the judge first, "unclear" last (a
    page cannot write).

    The command text selects whole on a click without script; the Copy button is shown
    only by the page's script.
    """
    if run_ref is None:
        return None
    judge = sample.judge_compliant if sample.adjudicated else sample.compliant
    verdicts = ["non-compliant", "compliant"] if judge else ["compliant", "non-compliant"]
    verdicts.append("unclear")  # no label, but a sign the section needs work (docs/revise.md)
    rows = [
        el("div", {"class": "cmd-row"},
           el("pre", {"class": "cmd"}, feedback_command(run_ref, sample, v)),
           el("button", {"type": "button", "class": "copy", "hidden": True}, "Copy"))
        for v in verdicts
    ]  # fmt: skip
    return el("div", {"class": "feedback"}, el("strong", {}, "Your verdict"), " ",
              el("span", {"class": "muted"}, "(run where the results store is)"),
              rows)  # fmt: skip


def _sample(sample: SampleResult, drill: Drill, anchor: str, run_ref: str | None = None) -> Html:
    score = "" if sample.score is None else f" · score {sample.score:g}"
    name = drill.names.get(sample.scenario_id)
    summary = el(
        "summary",
        {},
        verdict_badge(sample.compliant),
        " ",
        _adjudicated(sample),
        el("span", {"class": "sample-name"}, name) if name else None,
        " " if name else None,
        el("code", {"class": "sample-id"}, sample.scenario_id),
        f" · epoch {sample.epoch}{score}",
        el("span", {"class": "sample-layer"}, f" · layer: {sample.layer}")
        if sample.layer
        else None,
    )
    return el(
        "details",
        {"class": "sample", "id": anchor, "data-verdict": _verdict_key(sample.compliant)},
        summary,
        _transcript(sample),
        _adaptations(sample),
        _judge(sample, drill),
        _feedback_commands(sample, run_ref),
    )


def _spec_text(row: SectionRow, drill: Drill) -> Html | None:
    section = drill.spec.get(row.key) if drill.spec is not None else None
    if section is None or not section.body:
        return None
    return _prose_block(row.key, section.body, drill, "Section text")


def _run_ref(drill: Drill, run: int) -> str | None:
    return drill.run_refs[run] if run < len(drill.run_refs) else None


def _feedback_count(counts: tuple[int, int, int] | None) -> Html | None:
    if not counts:
        return None
    items, overrule, unclear = counts
    doubt = f", {unclear} unclear" if unclear else ""
    return el("span", {"class": "feedback-count"},
              f" · feedback: {items} ({overrule} overrule the judge{doubt})")  # fmt: skip


def _section(index: int, row: SectionRow, labels: Sequence[str], drill: Drill) -> Html:
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
        _feedback_count(drill.feedback.get(row.key)),
    )
    columns = [
        el(
            "div",
            {"class": "run-col", "data-run": i},
            el("h4", {}, label),
            el("p", {}, fmt_rate(rate), f" · unscored {unscored}"),
            [
                _sample(s, drill, sample_anchor(index, i, k), _run_ref(drill, i))
                for k, s in enumerate(group)
            ]
            or el("p", {}, "No samples."),
        )
        for i, (label, rate, unscored, group) in enumerate(
            zip(labels, row.rates, row.unscored, row.samples, strict=True)
        )
    ]
    body = el(
        "div",
        {"class": "section-body"},
        _spec_text(row, drill),
        el("div", {"class": "runs"}, columns),
    )
    return el(
        "details",
        {"class": "section", "id": section_anchor(index), "data-section": row.key},
        summary,
        body,
    )


def sections_block(
    rows: Sequence[SectionRow], parts: Sequence[PartRow], labels: Sequence[str], drill: Drill
) -> Html:
    """Every section as a collapsible block under its part, with expand/collapse-all buttons."""
    buttons = el(
        "p",
        {"class": "buttons"},
        el("button", {"type": "button", "id": "expand-all"}, "Expand all"),
        el("button", {"type": "button", "id": "collapse-all"}, "Collapse all"),
    )
    index = {row.key: i for i, row in enumerate(rows)}
    groups = [
        [
            el("h3", {"class": "part-heading"}, part.label) if len(parts) > 1 else None,
            [_section(index[row.key], row, labels, drill) for row in part.sections],
        ]
        for part in parts
    ]
    return el(
        "section",
        {"id": "sections"},
        el("h2", {}, "Sections and transcripts"),
        buttons,
        groups,
    )
