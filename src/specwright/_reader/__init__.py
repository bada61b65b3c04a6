"""Reader for the Model Spec markdown dialect: ``model_spec.md`` plus ``examples/*.md``.

Modules, by concern: ``_lines`` (fences, inline links and footnote tags), ``_headings``
(``## Title {#id authority=root}``), ``_messages`` (the ``<user>…</user>`` conversation
dialect), ``_settings`` (``<settings>`` values), ``_document`` (the section tree and its
blocks), ``_spec`` (files → :class:`~specwright.Spec`) and ``_example`` (the shipped spec).
Malformed input raises :class:`~specwright.SpecError`; nothing else escapes.
"""

from __future__ import annotations

from specwright._reader._example import example_spec_path, load_example_spec
from specwright._reader._spec import parse_messages, parse_spec, read_spec

__all__ = [
    "example_spec_path",
    "load_example_spec",
    "parse_messages",
    "parse_spec",
    "read_spec",
]
