"""Markdown primitives every markdown page shares: escaped prose, code spans, pipe tables."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["md_code", "md_table", "md_text"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def md_text(value: object) -> str:
    """Escape a string for markdown prose or a table cell (one line, no HTML, no links)."""
    flat = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", flat)


def md_code(value: object) -> str:
    """A code span that survives any backticks inside ``value``."""
    flat = " ".join(str(value).split()).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A pipe table; cells must already be escaped."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]
