"""Compliance over time: per-section histories read from the results store, rendered.

The x axis is the sequence of indexed runs in date order (each a model release on some spec
version); the y axis is compliance with its 95% interval; each model is one series.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._report._charts import HistorySeries, history_chart, legend
from specwright._report._escape import Html, el
from specwright._report._formats import ReportFormat
from specwright._report._markdown import md_code, md_table, md_text
from specwright._report._page import page
from specwright._report._view import fmt_rate
from specwright._results._store import ResultsStore, SectionPoint, StoredRun

__all__ = ["History", "SectionHistory", "load_history", "render_history"]


class SectionHistory(FrozenModel):
    """One section's compliance across runs."""

    section_id: str
    """The section."""
    title: str
    """Its latest title."""
    points: tuple[SectionPoint, ...]
    """One point per run that covered it, oldest first."""


class History(FrozenModel):
    """Everything ``specwright history`` shows."""

    runs: tuple[StoredRun, ...]
    """Every indexed run, oldest first."""
    sections: tuple[SectionHistory, ...]
    """The selected sections' histories."""


def load_history(store: ResultsStore, section_ids: Sequence[str] = ()) -> History:
    """Read the runs and the histories of ``section_ids`` (every section when empty)."""
    known = dict(store.sections())
    missing = [sid for sid in section_ids if sid not in known]
    if missing:
        raise ConfigurationError(f"no indexed run covers section(s): {', '.join(missing)}")
    wanted = list(section_ids) or list(known)
    return History(
        runs=tuple(store.runs()),
        sections=tuple(
            SectionHistory(
                section_id=sid, title=known[sid], points=tuple(store.section_history(sid))
            )
            for sid in wanted
        ),
    )


def _x_label(run: StoredRun) -> str:
    return f"{run.created:%Y-%m-%d} {run.spec_version or run.spec_hash[:8]}"


def _models(history: History) -> list[str]:
    return list(dict.fromkeys(run.model for run in history.runs))


def _series(points: Sequence[SectionPoint], history: History) -> list[HistorySeries]:
    x_of = {run.run_id: i for i, run in enumerate(history.runs)}
    return [
        HistorySeries(model, tuple((x_of[p.run_id], p.rate) for p in points if p.model == model))
        for model in _models(history)
    ]


def _html_section(section: SectionHistory, history: History, x_labels: list[str]) -> Html:
    chart = history_chart(
        _series(section.points, history), x_labels, title=f"Compliance of {section.title} over runs"
    )
    rows = [
        el(
            "tr",
            {},
            el("td", {}, f"{p.created:%Y-%m-%d}"),
            el("td", {}, p.model),
            el("td", {}, p.spec_version or p.spec_hash[:12]),
            el("td", {}, fmt_rate(p.rate)),
        )
        for p in section.points
    ]
    table = el(
        "details",
        {},
        el("summary", {}, "Figures"),
        el(
            "table",
            {},
            el("tr", {}, [el("th", {}, h) for h in ("date", "model", "spec", "compliance")]),
            rows,
        ),
    )
    return el("section", {"class": "history-section", "data-section": section.section_id},
              el("h3", {}, section.title, " ", el("span", {"class": "sid"}, section.section_id)),
              chart, table)  # fmt: skip


def _runs_table(history: History) -> Html:
    head = ("date", "model", "grader", "spec", "overall", "calibration")
    rows = [
        el("tr", {}, el("td", {}, f"{r.created:%Y-%m-%d %H:%M}"), el("td", {}, r.model),
           el("td", {}, r.grader or "–"),
           el("td", {}, f"{r.spec_title} {r.spec_version or r.spec_hash[:12]}"),
           el("td", {}, fmt_rate(r.overall)),
           el("td", {}, _calibration_cell(r)))
        for r in history.runs
    ]  # fmt: skip
    return el("table", {"class": "runs"}, el("tr", {}, [el("th", {}, h) for h in head]), rows)


def _html(history: History) -> str:
    x_labels = [_x_label(run) for run in history.runs]
    body = el(
        "div", {},
        el("section", {"id": "runs"}, el("h2", {}, f"Runs ({len(history.runs)})"),
           _runs_table(history)),
        el("section", {"id": "history"}, el("h2", {}, "Compliance by section over runs"),
           legend(_models(history)),
           el("p", {"class": "note"}, "Points: share judged compliant; whiskers: 95% CI."),
           [_html_section(s, history, x_labels) for s in history.sections]),
    )  # fmt: skip
    return page("Compliance history", f"{len(history.runs)} run(s), {len(history.sections)} "
                "section(s)", body, data_json=history.model_dump_json())  # fmt: skip


def _markdown(history: History) -> str:
    lines = ["# Compliance history", ""]
    runs = [
        [f"{r.created:%Y-%m-%d}", md_text(r.model), md_text(r.spec_version or r.spec_hash[:12]),
         fmt_rate(r.overall), "yes" if r.calibrated else "no"]
        for r in history.runs
    ]  # fmt: skip
    lines += md_table(["date", "model", "spec", "overall", "calibrated"], runs)
    for section in history.sections:
        lines += [f"## {md_text(section.title)} ({md_code(section.section_id)})", ""]
        rows = [[f"{p.created:%Y-%m-%d}", md_text(p.model),
                 md_text(p.spec_version or p.spec_hash[:12]), fmt_rate(p.rate)]
                for p in section.points]  # fmt: skip
        lines += md_table(["date", "model", "spec", "compliance"], rows)
    return "\n".join(lines).rstrip("\n") + "\n"


def _json(history: History) -> str:
    return json.dumps(history.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[ReportFormat, Callable[[History], str]] = {
    "html": _html,
    "markdown": _markdown,
    "json": _json,
}


def render_history(history: History, format: ReportFormat = "html") -> str:
    """Render a :class:`History` as HTML (charts), markdown or JSON."""
    return _RENDERERS[format](history)


def _calibration_cell(run: StoredRun) -> str:
    if not run.calibrated:
        return "no calibration"
    if run.calibration_kappa is None:
        return "κ undefined"
    return f"κ {run.calibration_kappa:.2f}"
