"""Inline SVG charts: compliance bars with 95% CI whiskers, part summary bars, history lines.

No JavaScript and no external resources: plain SVG elements with presentation attributes
(inline ``style`` attributes would be blocked by the report's Content-Security-Policy); every
element also carries a class, so that the style sheet recolours text and grid lines in dark
mode. Labels are fitted to their column by a conservative estimate of their rendered width
(wrapped to two lines, then shortened with an ellipsis; the full text is the tooltip), so no
label is clipped by the chart's edge at any page width: the SVG scales as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from specwright._html._escape import Html, el
from specwright._report._view import RateRow, fmt_rate
from specwright._results import Rate

__all__ = [
    "PALETTE",
    "HistorySeries",
    "bar_chart",
    "fit_label",
    "history_chart",
    "legend",
    "part_bar",
    "text_width",
]

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")

_LABEL_W = 260
_PLOT_W = 420
_BAR_H = 14
_GAP = 10
_TOP = 24
_LABEL_SIZE = 12
_LINE_H = 14

# Rough glyph widths in em for a sans-serif face, rounded up: the estimate must never be
# narrower than what the browser draws, or a label would overflow its column.
_NARROW = frozenset("iljtfrI.,:;'|!()[]{} ")
_WIDE = frozenset("mwMW@%&")


def text_width(value: str, size: float) -> float:
    """An upper estimate of ``value``'s rendered width in pixels at font ``size``."""
    em = 0.0
    for ch in value:
        if ch in _NARROW:
            em += 0.36
        elif ch in _WIDE:
            em += 0.98
        elif ch.isascii():
            em += 0.74 if ch.isupper() else 0.62
        else:
            em += 1.05
    return em * size


def _cut(words: list[str], width: float, size: float) -> tuple[str, list[str]]:
    """The longest prefix of ``words`` that fits ``width``, and the words left over."""
    line = ""
    for i, word in enumerate(words):
        candidate = f"{line} {word}".strip()
        if text_width(candidate, size) > width:
            return line, words[i:]
        line = candidate
    return line, []


def _ellipsis(value: str, width: float, size: float) -> str:
    if text_width(value, size) <= width:
        return value
    while value and text_width(value + "…", size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


def fit_label(label: str, width: float, size: float, max_lines: int = 2) -> list[str]:
    """Wrap ``label`` into at most ``max_lines`` lines of at most ``width`` px (estimated)."""
    # No label longer than this can fit; cutting first keeps the fitting linear in practice.
    words = label[: int(max_lines * width / (0.36 * size)) + 1].split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line, rest = _cut(words, width, size)
        if not line:  # a single word wider than the column
            line, rest = words[0], words[1:]
        if rest and len(lines) == max_lines - 1:
            line, rest = " ".join([line, *rest]), []
        lines.append(_ellipsis(line, width, size))
        words = rest
    return lines or [""]


def colour(index: int) -> str:
    """The series colour for run ``index``."""
    return PALETTE[index % len(PALETTE)]


def legend(labels: Sequence[str], captions: Sequence[str] = ()) -> Html:
    """A legend as an HTML list (so that it wraps), one swatch per series.

    ``captions`` (one per label) name what the short label stands for: model, judge, spec.
    """
    items = [
        el(
            "li",
            {},
            el(
                "svg",
                {"width": 12, "height": 12, "aria-hidden": "true", "class": "swatch"},
                el("rect", {"width": 12, "height": 12, "fill": colour(i)}),
            ),
            " ",
            el("span", {"class": "legend-label"}, label),
            el("span", {"class": "legend-caption"}, captions[i]) if i < len(captions) else None,
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
    base: dict[str, object] = {"x": x, "y": y, "font-size": size, "fill": "#555",
                               "class": "tick"}  # fmt: skip
    return el("text", _attrs(base, attrs), *children)


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
        tip = el("title", {}, f"{run_label}: no scored samples")
        return [_text(_x(0) + 4, mid, tip, "no scored samples", class_="na",
                      dominant_baseline="middle", fill="#777")]  # fmt: skip
    bar = el("rect", {"class": "bar", "x": _x(0), "y": y, "height": _BAR_H,
                      "width": round(_x(rate.rate) - _x(0), 1), "fill": colour(run_index),
                      "data-run": run_index},
             el("title", {}, f"{run_label}: {fmt_rate(rate)}"))  # fmt: skip
    value = _text(_x(1) + 6, mid, f"{rate.rate * 100:.0f}%", class_="value",
                  dominant_baseline="middle", fill="#333")  # fmt: skip
    return [bar, *_whisker(rate, mid), value]


def _row_height(lines: int, runs: int) -> float:
    return max(runs * _BAR_H, lines * _LINE_H)


def _row(row: RateRow, lines: list[str], run_labels: Sequence[str], y0: float) -> Html:
    height = _row_height(len(lines), len(run_labels))
    first = y0 + height / 2 - (len(lines) - 1) * _LINE_H / 2
    spans = [el("tspan", {"x": _LABEL_W - 8, "y": round(first + k * _LINE_H, 1)}, line)
             for k, line in enumerate(lines)]  # fmt: skip
    label = _text(_LABEL_W - 8, first, el("title", {}, f"{row.label} ({row.key})"), spans,
                  size=_LABEL_SIZE, class_="row-label", text_anchor="end",
                  dominant_baseline="middle", fill="#1f2328")  # fmt: skip
    bar_top = y0 + (height - len(run_labels) * _BAR_H) / 2
    bars = [part for i, rate in enumerate(row.rates)
            for part in _bar(rate, i, run_labels[i], bar_top + i * _BAR_H)]  # fmt: skip
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
    fitted = [fit_label(row.label, _LABEL_W - 16, _LABEL_SIZE) for row in rows]
    heights = [_row_height(len(lines), len(run_labels)) + _GAP for lines in fitted]
    height = _TOP + sum(heights) + 4
    width = _LABEL_W + _PLOT_W + 48  # room for the value labels right of the plot
    body: list[Html] = _axis(height)
    y = float(_TOP)
    for row, lines, row_h in zip(rows, fitted, heights, strict=True):
        group = _row(row, lines, run_labels, y + _GAP / 2)
        target = link(row)
        body.append(el("a", {"href": target}, group) if target else group)
        y += row_h
    return el("svg", {"class": "chart", "role": "img", "aria-label": title,
                      "viewBox": f"0 0 {width} {height}", "width": width, "height": height},
              body)  # fmt: skip


def part_bar(rates: Sequence[Rate | None], run_labels: Sequence[str]) -> Html:
    """A compact bar per run for a part's summary line (no text inside: it cannot clip)."""
    width, bar_h = 200, 8
    bars: list[Html] = [
        el("rect", {"class": "track", "x": 0, "y": 0, "width": width,
                    "height": len(rates) * (bar_h + 2), "fill": "#eaeef2"})
    ]  # fmt: skip
    for i, rate in enumerate(rates):
        if rate is None or rate.rate is None:
            continue
        y = i * (bar_h + 2) + 1
        tip = el("title", {}, f"{run_labels[i]}: {fmt_rate(rate)}")
        bars.append(el("rect", {"class": "bar part-bar", "x": 0, "y": y, "height": bar_h,
                                "width": round(rate.rate * width, 1), "fill": colour(i),
                                "data-run": i}, tip))  # fmt: skip
        if rate.ci_low is not None and rate.ci_high is not None:
            lo, hi = round(rate.ci_low * width, 1), round(rate.ci_high * width, 1)
            bars.append(_line("ci", lo, hi, y + bar_h / 2, y + bar_h / 2, stroke_width=1.2))
    height = len(rates) * (bar_h + 2)
    return el("svg", {"class": "part-chart", "aria-hidden": "true", "width": width,
                      "height": height, "viewBox": f"0 0 {width} {height}"}, bars)  # fmt: skip


@dataclass(frozen=True)
class HistorySeries:
    """One line of a history chart: one model judged by one grader on one spec version."""

    label: str
    """The series name: model, judge and spec version."""
    points: tuple[tuple[int, Rate], ...]
    """``(x index, rate)`` pairs, x ascending."""
    tips: tuple[str, ...] = ()
    """Per point, what its tooltip names (run number, model, date, spec version, judge)."""


_H_W, _H_H, _H_LEFT, _H_BOTTOM, _H_RIGHT = 720, 250, 64, 46, 48
_X_LABEL_SPACE = 56  # minimum distance between two x labels, so that they never overlap


def _hx(index: int, count: int) -> float:
    span = _H_W - _H_LEFT - _H_RIGHT
    return round(_H_LEFT + (span / 2 if count <= 1 else index * span / (count - 1)), 1)


def _hy(value: float) -> float:
    return round(10 + (1 - max(0.0, min(1.0, value))) * (_H_H - _H_BOTTOM - 10), 1)


def _x_ticks(count: int) -> list[int]:
    """Which x positions get a label: every ``step``-th, so labels keep their distance."""
    if count <= 1:
        return list(range(count))
    gap = (_H_W - _H_LEFT - _H_RIGHT) / (count - 1)
    step = max(1, -(-_X_LABEL_SPACE // int(max(gap, 1))))
    return list(range(0, count, step))


def _history_axes(x_labels: Sequence[tuple[str, str]]) -> list[Html]:
    parts: list[Html] = []
    for tick in (0.0, 0.5, 1.0):
        y = _hy(tick)
        parts.append(_line("grid", _H_LEFT, _H_W - 10, y, y, stroke="#ddd"))
        parts.append(_text(_H_LEFT - 6, y, f"{tick * 100:.0f}%", text_anchor="end",
                           dominant_baseline="middle"))  # fmt: skip
    for i in _x_ticks(len(x_labels)):
        x, y = _hx(i, len(x_labels)), _H_H - _H_BOTTOM + 16
        top, bottom = x_labels[i]
        spans = [el("tspan", {"x": x, "y": y}, top), el("tspan", {"x": x, "y": y + 13}, bottom)]
        parts.append(_text(x, y, spans, class_="x-label", text_anchor="middle"))
    return parts


def _point(rate: Rate, x: float, stroke: str, tip: str) -> list[Html]:
    assert rate.rate is not None
    parts: list[Html] = []
    if rate.ci_low is not None and rate.ci_high is not None:
        parts.append(_line("ci", x, x, _hy(rate.ci_low), _hy(rate.ci_high), stroke=stroke,
                           stroke_width=1.5, opacity=0.7))  # fmt: skip
    title = el("title", {}, f"{tip}: {fmt_rate(rate)}")
    parts.append(el("circle", {"class": "point", "cx": x, "cy": _hy(rate.rate), "r": 4,
                               "fill": stroke}, title))  # fmt: skip
    return parts


def _series(series: HistorySeries, index: int, count: int) -> Html:
    stroke = colour(index)
    dash = None if index < len(PALETTE) else "6 3"  # colours repeat: tell lines apart
    tips = series.tips or tuple(series.label for _ in series.points)
    scored = [(_hx(x, count), rate, tip) for (x, rate), tip in zip(series.points, tips,
              strict=True) if rate.rate is not None]  # fmt: skip
    parts: list[Html] = []
    if len(scored) > 1:
        points = " ".join(f"{x},{_hy(rate.rate or 0.0)}" for x, rate, _ in scored)
        parts.append(el("polyline", {"class": "line", "points": points, "fill": "none",
                                     "stroke": stroke, "stroke-width": 2,
                                     "stroke-dasharray": dash}))  # fmt: skip
    for x, rate, tip in scored:
        parts.extend(_point(rate, x, stroke, tip))
    return el("g", {"class": "series", "data-series": index}, parts)


def history_chart(
    series: Sequence[HistorySeries], x_labels: Sequence[tuple[str, str]], *, title: str
) -> Html:
    """Compliance (y, with CI whiskers) over successive runs (x), one line per series.

    ``x_labels`` holds two lines per run (e.g. ``#3`` and its date); when runs crowd the
    axis only every n-th run is labelled (each point's tooltip still names its run).
    """
    body = _history_axes(x_labels)
    for i, line in enumerate(series):
        body.append(_series(line, i, len(x_labels)))
    return el("svg", {"class": "chart history", "role": "img", "aria-label": title,
                      "viewBox": f"0 0 {_H_W} {_H_H}", "width": _H_W, "height": _H_H},
              body)  # fmt: skip
