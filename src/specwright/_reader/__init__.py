"""Reader for the Model Spec markdown dialect: ``model_spec.md`` plus ``examples/*.md``.

Modules, by concern: ``_lines`` (fences, inline links and footnote tags), ``_headings``
(``## Title {#id authority=root}``), ``_messages`` (the ``<user>…</user>`` conversation
dialect: comparisons and labels), ``_message_body`` (one message's text, ``<untrusted>``,
``<settings>`` and attachments), ``_cursor`` (the parser's position and tag grammar),
``_settings`` (``<settings>`` values), ``_front_matter`` (``---`` title, version and
description; the default title), ``_document`` (the section tree and its blocks),
``_spec`` (files → one layer's :class:`~specwright.Spec`; composing it on its base is
:mod:`specwright._layers`' job), ``_export`` (spec JSON exports) and
``_example`` (the shipped spec).
Malformed input raises :class:`~specwright.SpecError`; nothing else escapes.
"""

from __future__ import annotations

from specwright._reader._example import example_spec_path, load_example_spec
from specwright._reader._spec import parse_layer, parse_messages, read_layer

__all__ = [
    "example_spec_path",
    "load_example_spec",
    "parse_layer",
    "parse_messages",
    "read_layer",
]
