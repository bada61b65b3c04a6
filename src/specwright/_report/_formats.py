"""The output formats of every rendered page (reports and history), and their file suffixes."""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

__all__ = ["FORMAT_BY_SUFFIX", "REPORT_FORMATS", "ReportFormat"]

ReportFormat: TypeAlias = Literal["html", "markdown", "json"]
"""How a report or a history is rendered."""

REPORT_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
"""Every :data:`ReportFormat`, in the order options list them."""

FORMAT_BY_SUFFIX: dict[str, ReportFormat] = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
}
"""The format an output file's suffix asks for."""
