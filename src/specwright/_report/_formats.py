"""Report formats by name: the registries of the run-report and the history renderers.

A format is a name and a renderer: :data:`REPORT_FORMATS` maps it to a function from a
:class:`~specwright._report._input.ReportInput` (runs side by side, or a run against its
baseline) to text, :data:`HISTORY_FORMATS` to a function from a
:class:`~specwright._report._history.History` to text. The built-ins (``html``, ``markdown``,
``json``) are imported on first use; a plugin adds a format through the
``specwright.report_formats`` and ``specwright.history_formats`` entry-point groups::

    [project.entry-points."specwright.report_formats"]
    csv = "my_package.reports:render_csv"

The CLI's ``--format`` choices are the registries' names, so a plugin's format is usable
from ``specwright report`` and ``specwright history`` as soon as it is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_args

from specwright._registry import Registry

if TYPE_CHECKING:
    from specwright._report._input import ReportInput

__all__ = [
    "BUILTIN_FORMATS",
    "FORMAT_BY_SUFFIX",
    "HISTORY_FORMATS",
    "REPORT_FORMATS",
    "HistoryRenderer",
    "ReportFormat",
    "ReportRenderer",
]

ReportFormat: TypeAlias = Literal["html", "markdown", "json"]
"""The built-in formats of a report or a history; a plugin's format is any other name its
registry holds."""

BUILTIN_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
"""Every :data:`ReportFormat`, in the order options list them."""

FORMAT_BY_SUFFIX: dict[str, ReportFormat] = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
}
"""The format an output file's suffix asks for (a plugin's format is asked for by name)."""

ReportRenderer: TypeAlias = "Callable[[ReportInput], str]"
"""Renders runs (and the diff against a baseline, when there is one) as text."""

HistoryRenderer: TypeAlias = Callable[[Any], str]
"""Renders the history of indexed runs (a :class:`specwright._report._history.History`) as text.

Typed loosely on purpose: naming ``History`` here would make this module and the history
module import each other, and the registry only checks that an entry is callable."""


def _check_renderer(entry: object) -> Callable[..., str]:
    if not callable(entry):
        raise TypeError(f"expected a function returning text, got {type(entry).__name__}")
    return entry


def _renderers(page: str, builtins: Mapping[str, str]) -> Registry[Any]:
    """The registry of ``page`` formats (entry-point group ``specwright.<page>_formats``)."""
    return Registry(
        f"{page} format", f"specwright.{page}_formats", builtins=builtins, check=_check_renderer
    )


REPORT_FORMATS: Registry[ReportRenderer] = _renderers(
    "report",
    {
        "html": "specwright._report._html:render_html",
        "markdown": "specwright._report._markdown:render_markdown",
        "json": "specwright._report._json:render_json",
    },
)
"""Run-report renderers by format name (``html``, ``markdown``, ``json`` and plugins')."""

HISTORY_FORMATS: Registry[HistoryRenderer] = _renderers(
    "history",
    {  # the history page's renderers live beside the History they render
        "html": "specwright._report._history:_html",
        "markdown": "specwright._report._history:_markdown",
        "json": "specwright._report._history:_json",
    },
)
"""History renderers by format name (``html``, ``markdown``, ``json`` and plugins')."""
