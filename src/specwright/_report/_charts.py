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


def _attrs(base: dict[str, object], extra: dict[str, object]) -> dict[str, object]:
    # Keyword arguments spell dashes as underscores (text_anchor) and class as class_.
    base.update({name.rstrip("_").replace("_", "-"): value for name, value in extra.items()})
    return base


def _text(x: float, y: float, *children: object, size: int = 10, **attrs: object) -> Html:
    return el("text", _attrs({"x": x, "y": y, "font-size": size, "fill": "#555"}, attrs),
              *children)  # fmt: skip


def _line(
    cls: str, x1: float, x2: float, y1: float, y2: float, *, stroke: str = "#222", **attrs: object
) -> Html:
    base: dict[str, object] = {"class": cls, "x1": x1, "x2": x2, "y1": y1, "y2": y2,
                               "stroke": stroke}  # fmt: skip
    return el("line", _attrs(base, attrs))


def _axis(height: float) -> list[Html]:
    parts: list[Html] = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _x(tick)
        parts.append(_line("grid", x, x, _TOP - 6, height, stroke="#ddd"))
        parts.append(_text(x, _TOP - 10, f"{tick * 100:.0f}%", text_anchor="middle"))
    return parts


def _short(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _whisker(rate: Rate, mid: float) -> list[Html]:
    if rate.ci_low is None or rate.ci_high is None:
        return []
    lo, hi = _x(rate.ci_low), _x(rate.ci_high)
    return [
        _line("ci", lo, hi, mid, mid, stroke_width=1.5),
        *(_line("ci-cap", x, x, mid - 4, mid + 4, stroke_width=1.5) for x in (lo, hi)),
    ]


def _bar(rate: Rate | None, run_index: int, run_label: str, y: float) -> list[Html]:
    mid = y + _BAR_H / 2
    if rate is None or rate.rate is None:
        return [_text(_x(0) + 4, mid, f"{run_label}: no scored samples", class_="na",
                      dominant_baseline="middle", fill="#777")]  # fmt: skip
    bar = el("rect", {"class": "bar", "x": _x(0), "y": y, "height": _BAR_H,
                      "width": round(_x(rate.rate) - _x(0), 1), "fill": colour(run_index),
                      "data-run": run_index},
             el("title", {}, f"{run_label}: {fmt_rate(rate)}"))  # fmt: skip
    value = _text(_x(1) + 6, mid, f"{rate.rate * 100:.0f}%", class_="value",
                  dominant_baseline="middle", fill="#333")  # fmt: skip
    return [bar, *_whisker(rate, mid), value]


def _row(row: RateRow, run_labels: Sequence[str], y0: float) -> Html:
    label = _text(_LABEL_W - 8, y0 + len(run_labels) * _BAR_H / 2,
                  el("title", {}, f"{row.label} ({row.key})"), _short(row.label), size=12,
                  class_="row-label", text_anchor="end", dominant_baseline="middle",
                  fill="#1f2328")  # fmt: skip
    bars = [part for i, rate in enumerate(row.rates)
            for part in _bar(rate, i, run_labels[i], y0 + i * _BAR_H)]  # fmt: skip
    return el("g", {"class": "row", "data-section": row.key}, label, bars)


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
    width = _LABEL_W + _PLOT_W + 48  # room for the value labels right of the plot
    body: list[Html] = _axis(height)
    for r, row in enumerate(rows):
        group = _row(row, run_labels, _TOP + r * group_h)
        target = link(row)
        body.append(el("a", {"href": target}, group) if target else group)
    return el("svg", {"class": "chart", "role": "img", "aria-label": title,
                      "viewBox": f"0 0 {width} {height}", "width": width, "height": height},
              body)  # fmt: skip


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
        parts.append(_line("grid", _H_LEFT, _H_W - 10, y, y, stroke="#ddd"))
        parts.append(_text(_H_LEFT - 6, y, f"{tick * 100:.0f}%", text_anchor="end",
                           dominant_baseline="middle"))  # fmt: skip
    for i, label in enumerate(x_labels):
        x, y = _hx(i, len(x_labels)), _H_H - _H_BOTTOM + 14
        parts.append(_text(x, y, _short(label), class_="x-label", text_anchor="end",
                           transform=f"rotate(-30 {x} {y})"))  # fmt: skip
    return parts


def _point(rate: Rate, x: float, stroke: str, label: str) -> list[Html]:
    assert rate.rate is not None
    parts: list[Html] = []
    if rate.ci_low is not None and rate.ci_high is not None:
        parts.append(_line("ci", x, x, _hy(rate.ci_low), _hy(rate.ci_high), stroke=stroke,
                           stroke_width=1.5, opacity=0.7))  # fmt: skip
    tip = el("title", {}, f"{label}: {fmt_rate(rate)}")
    parts.append(el("circle", {"class": "point", "cx": x, "cy": _hy(rate.rate), "r": 4,
                               "fill": stroke}, tip))  # fmt: skip
    return parts


def _series(series: HistorySeries, index: int, count: int) -> list[Html]:
    stroke = colour(index)
    scored = [(_hx(x, count), rate) for x, rate in series.points if rate.rate is not None]
    parts: list[Html] = []
    if len(scored) > 1:
        points = " ".join(f"{x},{_hy(rate.rate or 0.0)}" for x, rate in scored)
        parts.append(el("polyline", {"class": "line", "points": points, "fill": "none",
                                     "stroke": stroke, "stroke-width": 2}))  # fmt: skip
    for x, rate in scored:
        parts.extend(_point(rate, x, stroke, series.label))
    return parts


def history_chart(series: Sequence[HistorySeries], x_labels: Sequence[str], *, title: str) -> Html:
    """Compliance (y, with CI whiskers) over successive runs (x), one line per series."""
    body = _history_axes(x_labels)
    for i, line in enumerate(series):
        body.extend(_series(line, i, len(x_labels)))
    return el("svg", {"class": "chart history", "role": "img", "aria-label": title,
                      "viewBox": f"0 0 {_H_W} {_H_H}", "width": _H_W, "height": _H_H},
              body)  # fmt: skip
