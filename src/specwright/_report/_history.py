"""Compliance over time: per-section histories read from the results store, rendered.

The x axis is the sequence of indexed runs in date order, numbered ``#1``, ``#2`` … (the
runs table says which model, date, spec version and judge each number is); the y axis is
compliance with its 95% interval. One series is one model judged by one grader on one spec
(content hash): a line never joins runs whose figures are not comparable. Every format
states each run's judge validity and warns when a judge is weak, unverified or missing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TypeAlias

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._html._escape import Html, el
from specwright._html._page import page
from specwright._report._charts import HistorySeries, history_chart, legend
from specwright._report._formats import HISTORY_FORMATS, ReportFormat
from specwright._report._markdown_text import md_code, md_table, md_text
from specwright._report._view import fmt_rate, judge_verdict
from specwright._results import Calibration, ConfusionMatrix, JudgeValidity, judge_validity
from specwright._results._revisions import RevisionDecision
from specwright._results._store import ResultsStore, SectionPoint, StoredRun

__all__ = [
    "History",
    "HistoryFormat",
    "RunJudge",
    "SectionHistory",
    "SpecRevision",
    "load_history",
    "render_history",
    "stored_validity",
]

HistoryFormat: TypeAlias = ReportFormat
"""The built-in output formats of :func:`render_history`."""


class SectionHistory(FrozenModel):
    """One section's compliance across runs."""

    section_id: str
    """The section."""
    title: str
    """Its latest title."""
    points: tuple[SectionPoint, ...]
    """One point per run that covered it, oldest first."""


class RunJudge(FrozenModel):
    """How far one run's judge can be trusted, as every history format states it."""

    run_id: str
    """The run."""
    status: str
    """``ok``, ``weak``, ``undefined`` or ``missing`` (see :class:`JudgeValidity`)."""
    kappa: float | None
    """The recorded kappa, if any."""
    threshold: float
    """The kappa the verdict was measured against."""
    verdict: str
    """The verdict in words: ``judge trusted``, ``judge weak`` …"""
    message: str
    """One line: what the status means for the run's figures."""


class SpecRevision(FrozenModel):
    """The decision that produced the spec a run measured (``specwright studio``)."""

    run_id: str
    """The run."""
    spec_hash: str
    """The spec it measured."""
    text: str
    """``spec revision 1a2b3c4d5e6f, approved by ann on 2026-01-02: clearer``."""
    decision: RevisionDecision
    """The decision record."""


class History(FrozenModel):
    """Everything ``specwright history`` shows."""

    runs: tuple[StoredRun, ...]
    """Every indexed run, oldest first."""
    sections: tuple[SectionHistory, ...]
    """The selected sections' histories."""
    judges: tuple[RunJudge, ...] = ()
    """Per run (same order as ``runs``), its judge's validity."""
    warnings: tuple[str, ...] = ()
    """One line per run whose judge is not trusted."""
    spec_revisions: tuple[SpecRevision, ...] = ()
    """Per run whose spec a decision in the store produced, that decision (runs' order)."""


def stored_validity(run: StoredRun, threshold: float) -> JudgeValidity:
    """The judge validity of a stored run (the store keeps the calibration's kappa only).

    The kappa is wrapped in a calibration so that :func:`judge_validity` stays the one rule.
    """
    if not run.calibrated:
        return judge_validity(None, threshold)
    calibration = Calibration(
        grader=run.calibration_grader or "",
        spec_hash=run.spec_hash,
        accuracy=None,
        kappa=run.calibration_kappa,
        n_scored=0,
        n_unscored=0,
        confusion=ConfusionMatrix(),
    )
    return judge_validity(calibration, threshold)


def _judges(runs: Sequence[StoredRun], threshold: float) -> tuple[RunJudge, ...]:
    judges = []
    for run in runs:
        v = stored_validity(run, threshold)
        judges.append(
            RunJudge(run_id=run.run_id, status=v.status, kappa=v.kappa, threshold=threshold,
                     verdict=judge_verdict(v), message=v.message)
        )  # fmt: skip
    return tuple(judges)


def _warnings(runs: Sequence[StoredRun], judges: Sequence[RunJudge]) -> tuple[str, ...]:
    return tuple(
        f"run #{i + 1} ({run.model}, {run.created:%Y-%m-%d}): {judge.message}"
        for i, (run, judge) in enumerate(zip(runs, judges, strict=True))
        if judge.status != "ok"
    )


def load_history(
    store: ResultsStore, section_ids: Sequence[str] = (), *, min_kappa: float = 0.4
) -> History:
    """Read the runs and the histories of ``section_ids`` (every section when empty).

    Each run's judge is judged against ``min_kappa`` (the ``SPECWRIGHT_MIN_KAPPA`` setting).
    """
    known = dict(store.sections())
    missing = [sid for sid in section_ids if sid not in known]
    if missing:
        raise ConfigurationError(f"no indexed run covers section(s): {', '.join(missing)}")
    wanted = list(section_ids) or list(known)
    runs = tuple(store.runs())
    judges = _judges(runs, min_kappa)
    return History(
        runs=runs,
        judges=judges,
        warnings=_warnings(runs, judges),
        spec_revisions=_spec_revisions(store, runs),
        sections=tuple(
            SectionHistory(
                section_id=sid, title=known[sid], points=tuple(store.section_history(sid))
            )
            for sid in wanted
        ),
    )


def _spec_revisions(store: ResultsStore, runs: Sequence[StoredRun]) -> tuple[SpecRevision, ...]:
    found = store.revisions().decisions_for(r.spec_hash for r in runs)
    return tuple(
        SpecRevision(run_id=r.run_id, spec_hash=r.spec_hash,
                     text=found[r.spec_hash].describe(r.spec_hash), decision=found[r.spec_hash])
        for r in runs
        if r.spec_hash in found
    )  # fmt: skip


def _spec_label(run: StoredRun) -> str:
    return run.spec_version or run.spec_hash[:8]


_SeriesKey = tuple[str, str | None, str]


def _series_key(run: StoredRun) -> _SeriesKey:
    return (run.model, run.grader, run.spec_hash)


def _series_labels(history: History) -> dict[_SeriesKey, str]:
    """One label per (model, grader, spec hash): distinct even when spec versions collide."""
    keys = list(dict.fromkeys(_series_key(run) for run in history.runs))
    first = {_series_key(r): r for r in reversed(history.runs)}
    labels = {
        key: f"{key[0]} · judge {key[1] or 'unknown'} · spec {_spec_label(first[key])}"
        for key in keys
    }
    seen = Counter(labels.values())
    return {k: f"{v} ({k[2][:8]})" if seen[v] > 1 else v for k, v in labels.items()}


def _tip(index: int, run: StoredRun) -> str:
    return (
        f"#{index + 1} {run.model} · {run.created:%Y-%m-%d %H:%M} · spec {_spec_label(run)} · "
        f"judge {run.grader or 'unknown'}"
    )


def _series(points: Sequence[SectionPoint], history: History) -> list[HistorySeries]:
    index = {run.run_id: i for i, run in enumerate(history.runs)}
    runs = {run.run_id: run for run in history.runs}
    out = []
    for key, label in _series_labels(history).items():
        mine = [p for p in points if _series_key(runs[p.run_id]) == key]
        out.append(
            HistorySeries(
                label,
                tuple((index[p.run_id], p.rate) for p in mine),
                tuple(_tip(index[p.run_id], runs[p.run_id]) for p in mine),
            )
        )
    return out


def _html_section(
    section: SectionHistory, history: History, x_labels: list[tuple[str, str]]
) -> Html:
    chart = history_chart(
        _series(section.points, history), x_labels, title=f"Compliance of {section.title} over runs"
    )
    number = {run.run_id: i + 1 for i, run in enumerate(history.runs)}
    grader = {run.run_id: run.grader or "–" for run in history.runs}
    rows = [
        el("tr", {}, el("td", {"class": "num"}, f"#{number[p.run_id]}"),
           el("td", {}, f"{p.created:%Y-%m-%d}"), el("td", {}, p.model),
           el("td", {}, grader[p.run_id]), el("td", {}, p.spec_version or p.spec_hash[:12]),
           el("td", {}, fmt_rate(p.rate)))
        for p in section.points
    ]  # fmt: skip
    head = ("run", "date", "model", "grader", "spec", "compliance")
    table = el("details", {}, el("summary", {}, "Figures"),
               el("table", {}, el("tr", {}, [el("th", {}, h) for h in head]), rows))  # fmt: skip
    return el("section", {"class": "history-section", "data-section": section.section_id},
              el("h3", {}, section.title, " ", el("span", {"class": "sid"}, section.section_id)),
              chart, table)  # fmt: skip


def _judge_cell(judge: RunJudge) -> str:
    if judge.kappa is None:
        return judge.verdict + (" · κ undefined" if judge.status == "undefined" else "")
    below = f" (below {judge.threshold:.2f})" if judge.status == "weak" else ""
    return f"{judge.verdict} · κ {judge.kappa:.2f}{below}"


def _revision_note(revision: SpecRevision | None) -> Html | None:
    return el("div", {"class": "note spec-revision"}, revision.text) if revision else None


def _runs_table(history: History) -> Html:
    revisions = {r.run_id: r for r in history.spec_revisions}
    head = ("run", "date", "model", "grader", "spec", "overall", "judge")
    rows = [
        el("tr", {"data-status": j.status}, el("td", {"class": "num"}, f"#{i + 1}"),
           el("td", {}, f"{r.created:%Y-%m-%d %H:%M}"), el("td", {}, r.model),
           el("td", {}, r.grader or "–"),
           el("td", {}, f"{r.spec_title} {r.spec_version or r.spec_hash[:12]}",
              _revision_note(revisions.get(r.run_id))),
           el("td", {}, fmt_rate(r.overall)), el("td", {"class": "judge"}, _judge_cell(j)))
        for i, (r, j) in enumerate(zip(history.runs, history.judges, strict=True))
    ]  # fmt: skip
    table = el("table", {"class": "runs"}, el("tr", {}, [el("th", {}, h) for h in head]), rows)
    return el("div", {"class": "scroll"}, table)


def _warning_box(history: History) -> Html | None:
    if not history.warnings:
        return None
    lead = "Judge not trusted for some runs: their figures may not reflect the spec."
    return el(
        "div",
        {"class": "warning judge-warning", "role": "alert"},
        el("strong", {}, lead),
        el("ul", {}, [el("li", {}, w) for w in history.warnings]),
    )


def _html(history: History) -> str:
    x_labels = [(f"#{i + 1}", f"{run.created:%Y-%m-%d}") for i, run in enumerate(history.runs)]
    note = (
        "Points: share judged compliant; whiskers: 95% CI. One line per model, judge and spec "
        "version: runs judged differently are never joined. Hover a point for its run."
    )
    body = el(
        "div", {},
        _warning_box(history),
        el("section", {"id": "runs"}, el("h2", {}, f"Runs ({len(history.runs)})"),
           _runs_table(history)),
        el("section", {"id": "history"}, el("h2", {}, "Compliance by section over runs"),
           legend(list(_series_labels(history).values())), el("p", {"class": "note"}, note),
           [_html_section(s, history, x_labels) for s in history.sections]),
    )  # fmt: skip
    return page("Compliance history", f"{len(history.runs)} run(s), {len(history.sections)} "
                "section(s)", body, data_json=_json(history))  # fmt: skip


def _markdown(history: History) -> str:
    lines = ["# Compliance history", ""]
    if history.warnings:
        lines += ["> **Warning:** judge not trusted for some runs: their figures may not "
                  "reflect the spec.", ">"]  # fmt: skip
        lines += [f"> - {md_text(w)}" for w in history.warnings] + [""]
    runs = [
        [f"#{i + 1}", f"{r.created:%Y-%m-%d}", md_text(r.model), md_text(r.grader or "–"),
         md_text(_spec_label(r)), fmt_rate(r.overall), md_text(_judge_cell(j))]
        for i, (r, j) in enumerate(zip(history.runs, history.judges, strict=True))
    ]  # fmt: skip
    lines += md_table(["run", "date", "model", "grader", "spec", "overall", "judge"], runs)
    number = {run.run_id: i + 1 for i, run in enumerate(history.runs)}
    lines += [f"- run #{number[r.run_id]}: {md_text(r.text)}" for r in history.spec_revisions]
    lines += [""] if history.spec_revisions else []
    for section in history.sections:
        lines += [f"## {md_text(section.title)} ({md_code(section.section_id)})", ""]
        rows = [[f"#{number[p.run_id]}", f"{p.created:%Y-%m-%d}", md_text(p.model),
                 md_text(p.spec_version or p.spec_hash[:12]), fmt_rate(p.rate)]
                for p in section.points]  # fmt: skip
        lines += md_table(["run", "date", "model", "spec", "compliance"], rows)
    return "\n".join(lines).rstrip("\n") + "\n"


def _json(history: History) -> str:
    return json.dumps(history.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def render_history(history: History, format: HistoryFormat | str = "html") -> str:
    """Render a :class:`History` as HTML (charts), markdown, JSON or a plugin's format (by
    name in :data:`~specwright._report._formats.HISTORY_FORMATS`)."""
    return HISTORY_FORMATS.get(format)(history)
