"""Inline SVG charts: compliance bars with 95% CI whiskers, and history lines.

No JavaScript and no external resources: plain SVG elements with presentation attributes
(inline ``style`` attributes would be blocked by the report's Content-Security-Policy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from specwright._report._escape import Html, el
from specwright._report._view import RateRow, fmt_rate
from specwright._results import Rate

__all__ = ["PALETTE", "HistorySeries", "bar_chart", "history_chart", "legend"]

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")

_LABEL_W = 260
_PLOT_W = 420
_BAR_H = 14
_GAP = 10
_TOP = 24
_MAX_LABEL = 40


def colour(index: int) -> str:
    """The series colour for run ``index``."""
    return PALETTE[index % len(PALETTE)]


def legend(labels: Sequence[str]) -> Html:
    """A legend as an HTML list (so that it wraps), one swatch per series."""
    items = [
        el(
            "li",
            {},
            el(
                "svg",
                {"width": 12, "height": 12, "aria-hidden": "true"},
                el("rect", {"width": 12, "height": 12, "fill": colour(i)}),
            ),
            " ",
            label,
        )
        for i, label in enumerate(labels)
    ]
    return el("ul", {"class": "legend"}, items)


def _x(value: float) -> float:
    return round(_LABEL_W + max(0.0, min(1.0, value)) * _PLOT_W, 1)


def _axis(height: float) -> list[Html]:
    parts: list[Html] = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _x(tick)
        parts.append(
            el(
                "line",
                {"class": "grid", "x1": x, "x2": x, "y1": _TOP - 6, "y2": height, "stroke": "#ddd"},
            )
        )
        parts.append(
            el(
                "text",
                {"x": x, "y": _TOP - 10, "text-anchor": "middle", "font-size": 10, "fill": "#555"},
                f"{tick * 100:.0f}%",
            )
        )
    return parts


def _short(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _bar(rate: Rate | None, run_index: int, run_label: str, y: float) -> list[Html]:
    mid = y + _BAR_H / 2
    if rate is None or rate.rate is None:
        return [
            el(
                "text",
                {
                    "class": "na",
                    "x": _x(0) + 4,
                    "y": mid,
                    "font-size": 10,
                    "dominant-baseline": "middle",
                    "fill": "#777",
                },
                f"{run_label}: no scored samples",
            )
        ]
    tip = el("title", {}, f"{run_label}: {fmt_rate(rate)}")
    parts = [
        el(
            "rect",
            {
                "class": "bar",
                "x": _x(0),
                "y": y,
                "height": _BAR_H,
                "width": round(_x(rate.rate) - _x(0), 1),
                "fill": colour(run_index),
                "data-run": run_index,
            },
            tip,
        )
    ]
    if rate.ci_low is not None and rate.ci_high is not None:
        lo, hi = _x(rate.ci_low), _x(rate.ci_high)
        stroke = {"stroke": "#222", "stroke-width": 1.5}
        parts.append(
            el("line", {"class": "ci", "x1": lo, "x2": hi, "y1": mid, "y2": mid, **stroke})
        )
        for x in (lo, hi):
            parts.append(
                el(
                    "line",
                    {"class": "ci-cap", "x1": x, "x2": x, "y1": mid - 4, "y2": mid + 4, **stroke},
                )
            )
    return parts


def bar_chart(
    rows: Sequence[RateRow],
    run_labels: Sequence[str],
    *,
    title: str,
    link: Callable[[RateRow], str | None] = lambda row: None,
) -> Html:
    """Horizontal bars, one group per row and one bar per run, with CI whiskers.

    ``link`` gives an in-page fragment per row (the drill-down target) or ``None``.
    """
    group_h = len(run_labels) * _BAR_H + _GAP
    height = _TOP + len(rows) * group_h + 4
    body: list[Html] = _axis(height)
    for r, row in enumerate(rows):
        y0 = _TOP + r * group_h
        label = el(
            "text",
            {
                "class": "row-label",
                "x": _LABEL_W - 8,
                "y": y0 + len(run_labels) * _BAR_H / 2,
                "text-anchor": "end",
                "dominant-baseline": "middle",
                "font-size": 12,
            },
            el("title", {}, f"{row.label} ({row.key})"),
            _short(row.label),
        )
        bars = [
            part
            for i, rate in enumerate(row.rates)
            for part in _bar(rate, i, run_labels[i], y0 + i * _BAR_H)
        ]
        group = el("g", {"class": "row", "data-section": row.key}, label, bars)
        target = link(row)
        body.append(el("a", {"href": target}, group) if target else group)
    return el(
        "svg",
        {
            "class": "chart",
            "role": "img",
            "aria-label": title,
            "viewBox": f"0 0 {_LABEL_W + _PLOT_W + 20} {height}",
            "width": _LABEL_W + _PLOT_W + 20,
            "height": height,
        },
        body,
    )


@dataclass(frozen=True)
class HistorySeries:
    """One line of a history chart: a model's compliance at successive x positions."""

    label: str
    """The series name (a model)."""
    points: tuple[tuple[int, Rate], ...]
    """``(x index, rate)`` pairs, x ascending."""


_H_W, _H_H, _H_LEFT, _H_BOTTOM = 720, 270, 120, 84


def _hx(index: int, count: int) -> float:
    span = _H_W - _H_LEFT - 20
    return round(_H_LEFT + (span / 2 if count <= 1 else index * span / (count - 1)), 1)


def _hy(value: float) -> float:
    return round(10 + (1 - max(0.0, min(1.0, value))) * (_H_H - _H_BOTTOM - 10), 1)


def _history_axes(x_labels: Sequence[str]) -> list[Html]:
    parts: list[Html] = []
    for tick in (0.0, 0.5, 1.0):
        y = _hy(tick)
        parts.append(
            el(
                "line",
                {
                    "class": "grid",
                    "x1": _H_LEFT,
                    "x2": _H_W - 10,
                    "y1": y,
                    "y2": y,
                    "stroke": "#ddd",
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": _H_LEFT - 6,
                    "y": y,
                    "text-anchor": "end",
                    "dominant-baseline": "middle",
                    "font-size": 10,
                    "fill": "#555",
                },
                f"{tick * 100:.0f}%",
            )
        )
    for i, label in enumerate(x_labels):
        x, y = _hx(i, len(x_labels)), _H_H - _H_BOTTOM + 14
        parts.append(
            el(
                "text",
                {
                    "class": "x-label",
                    "x": x,
                    "y": y,
                    "font-size": 10,
                    "text-anchor": "end",
                    "fill": "#555",
                    "transform": f"rotate(-30 {x} {y})",
                },
                _short(label),
            )
        )
    return parts


def _series(series: HistorySeries, index: int, count: int) -> list[Html]:
    stroke = colour(index)
    coords = [(_hx(x, count), _hy(rate.rate)) for x, rate in series.points if rate.rate is not None]
    parts: list[Html] = []
    if len(coords) > 1:
        points = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(
            el(
                "polyline",
                {
                    "class": "line",
                    "points": points,
                    "fill": "none",
                    "stroke": stroke,
                    "stroke-width": 2,
                },
            )
        )
    for x_index, rate in series.points:
        if rate.rate is None:
            continue
        x = _hx(x_index, count)
        if rate.ci_low is not None and rate.ci_high is not None:
            parts.append(
                el(
                    "line",
                    {
                        "class": "ci",
                        "x1": x,
                        "x2": x,
                        "y1": _hy(rate.ci_low),
                        "y2": _hy(rate.ci_high),
                        "stroke": stroke,
                        "stroke-width": 1.5,
                        "opacity": 0.7,
                    },
                )
            )
        parts.append(
            el(
                "circle",
                {"class": "point", "cx": x, "cy": _hy(rate.rate), "r": 4, "fill": stroke},
                el("title", {}, f"{series.label}: {fmt_rate(rate)}"),
            )
        )
    return parts


def history_chart(series: Sequence[HistorySeries], x_labels: Sequence[str], *, title: str) -> Html:
    """Compliance (y, with CI whiskers) over successive runs (x), one line per series."""
    body = _history_axes(x_labels)
    for i, line in enumerate(series):
        body.extend(_series(line, i, len(x_labels)))
    return el(
        "svg",
        {
            "class": "chart history",
            "role": "img",
            "aria-label": title,
            "viewBox": f"0 0 {_H_W} {_H_H}",
            "width": _H_W,
            "height": _H_H,
        },
        body,
    )
