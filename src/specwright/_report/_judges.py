"""Runs graded by several judges: each judge's calibration verdict and their agreement per section.

Shown only for runs that several judges graded (a run with one judge renders as it always
did): each judge with the verdict on its own calibration and the compliance it alone finds
(judges of different providers are reported to differ by up to 20 points); then, over the
whole run and per section, Fleiss' kappa over the samples every judge scored and each pair of
judges' Cohen's kappa with the share of samples on which they agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from specwright._html._escape import Html, el
from specwright._report._markdown_text import md_code, md_table, md_text
from specwright._report._view import fmt_pct, fmt_rate, judge_verdict
from specwright._results import (
    JudgeAgreement,
    PairAgreement,
    Rate,
    RunResult,
    SampleResult,
    judges_validity,
    kappa_text,
    rate,
)

__all__ = [
    "AgreementRow",
    "agreement_rows",
    "judge_rates",
    "judges_html",
    "judges_markdown",
    "pair_labels",
]

ALL_SECTIONS = "all sections"
"""The label of the whole run's row."""


@dataclass(frozen=True)
class AgreementRow:
    """One row of a run's agreement table: the whole run or one section."""

    key: str
    """Section id, or empty for the whole run."""
    label: str
    """What the reader sees."""
    agreement: JudgeAgreement
    """The judges' agreement there."""


def agreement_rows(run: RunResult, titles: dict[str, str]) -> list[AgreementRow]:
    """The whole run first, then each section (in the run's section order)."""
    if run.judge_agreement is None:
        return []
    rows = [AgreementRow("", ALL_SECTIONS, run.judge_agreement)]
    order = [*run.by_section, *run.judge_agreement_by_section]
    for key in dict.fromkeys(order):
        agreement = run.judge_agreement_by_section.get(key)
        if agreement is not None:
            rows.append(AgreementRow(key, titles.get(key) or key, agreement))
    return rows


def pair_labels(run: RunResult) -> list[str]:
    """``A vs B`` for every pair of the run's judges, in the order of the agreement's pairs."""
    pairs = run.judge_agreement.pairs if run.judge_agreement is not None else ()
    return [f"{p.graders[0]} vs {p.graders[1]}" for p in pairs]


def _pair_cell(pair: PairAgreement) -> str:
    if pair.agreement is None:
        return f"κ {kappa_text(pair.kappa)} (n=0)"
    return f"κ {kappa_text(pair.kappa)}, {fmt_pct(pair.agreement)} agree (n={pair.n})"


def _cells(row: AgreementRow) -> list[str]:
    a = row.agreement
    return [kappa_text(a.fleiss_kappa), str(a.n), *(_pair_cell(p) for p in a.pairs)]


def judge_rates(run: RunResult) -> dict[str, Rate]:
    """Compliance by each judge alone (its own verdicts in place of the headline)."""
    by_judge: dict[str, list[SampleResult]] = defaultdict(list)
    for sample in run.samples:
        for verdict in sample.judges:
            by_judge[verdict.grader].append(
                sample.model_copy(update={"compliant": verdict.compliant})
            )
    return {grader: rate(samples) for grader, samples in by_judge.items()}


def _judge_lines(run: RunResult, min_kappa: float) -> list[tuple[str, str]]:
    """Each judge, the verdict on its own calibration, and the compliance it alone gives."""
    alone = judge_rates(run)
    return [
        (
            grader,
            judge_verdict(validity)
            + ("" if validity.kappa is None else f", κ {validity.kappa:.2f}")
            + (f"; alone it finds {fmt_rate(alone[grader])} compliant" if grader in alone else ""),
        )
        for grader, validity in judges_validity(run, min_kappa).items()
    ]


def judges_markdown(
    runs: Sequence[RunResult],
    labels: Sequence[str],
    titles: dict[str, str],
    min_kappa: float,
) -> list[str]:
    """The markdown section (empty when no run had several judges)."""

    lines: list[str] = []
    for run, label in zip(runs, labels, strict=True):
        rows = agreement_rows(run, titles)
        if not rows:
            continue
        judges = "; ".join(f"{md_text(g)}: {v}" for g, v in _judge_lines(run, min_kappa))
        head = ["section", "Fleiss' κ", "n", *(md_text(p) for p in pair_labels(run))]
        body = [
            [md_code(row.key) if row.key else f"**{ALL_SECTIONS}**", *_cells(row)] for row in rows
        ]
        lines += [f"### {md_text(label)}", "", f"Judges: {judges}.", "", *md_table(head, body)]
    if not lines:
        return []
    return ["## Agreement between judges", "", _EXPLAINED, "", *lines]


_EXPLAINED = (
    "Each sample's verdict is the majority of its judges (a tie counts as non-compliant). "
    "Fleiss' κ counts the samples every judge scored; each pair's Cohen's κ the samples both "
    "scored. Low agreement in a section points at text the judges read differently."
)


def judges_html(runs: Sequence[RunResult], labels: Sequence[str], titles: dict[str, str],
                min_kappa: float) -> Html | None:  # fmt: skip
    """The HTML section (``None`` when no run had several judges)."""
    cards = []
    for index, (run, label) in enumerate(zip(runs, labels, strict=True)):
        rows = agreement_rows(run, titles)
        if not rows:
            continue
        judges = el(
            "ul",
            {},
            [el("li", {}, el("code", {}, g), ": ", v) for g, v in _judge_lines(run, min_kappa)],
        )
        head = el(
            "tr", {}, [el("th", {}, h) for h in ("section", "Fleiss' κ", "n", *pair_labels(run))]
        )
        body = [
            el("tr", {"data-section": row.key or None},
               el("td", {}, el("code", {}, row.key) if row.key else el("strong", {}, row.label)),
               [el("td", {}, cell) for cell in _cells(row)])
            for row in rows
        ]  # fmt: skip
        table = el("div", {"class": "scroll"}, el("table", {"class": "agreement"}, head, body))
        cards.append(
            el(
                "div",
                {"class": "card judges", "data-run": index},
                el("h3", {}, label),
                judges,
                table,
            )
        )
    if not cards:
        return None
    return el("section", {"id": "judges"}, el("h2", {}, "Agreement between judges"),
              el("p", {}, _EXPLAINED), cards)  # fmt: skip
