"""YAML front matter (``---`` … ``---`` at the top of ``model_spec.md``) and the default title.

Front matter holds what the body cannot say: the spec's ``title``, ``version`` and an
optional ``description``. Values are read as the text written, so an unquoted ``1.10`` or
``2025-12-18`` stays that string instead of becoming a float or a date.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

import yaml

from specwright._errors import SpecError
from specwright._model import Section
from specwright._reader._layer_header import LAYER_KEYS, LayerHeader, layer_header

__all__ = ["FrontMatter", "document_title", "render_front_matter", "split_front_matter"]

FrontMatterKey = Literal["title", "version", "description"]
_KEYS: tuple[str, ...] = get_args(FrontMatterKey)
_FENCE = "---"
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class FrontMatter:
    """The values a front matter block sets; ``None`` where it sets nothing."""

    title: str | None = None
    version: str | None = None
    description: str | None = None
    layer: LayerHeader | None = None
    """``extends:`` and the other layering keys, when the spec is a layer on a base."""


def split_front_matter(lines: list[str], file: str) -> tuple[FrontMatter | None, list[str]]:
    """Split off a leading front matter block; its lines become blank to keep line numbers."""
    # Editors on Windows may save a byte order mark before the opening fence.
    if not lines or lines[0].lstrip("\ufeff").rstrip() != _FENCE:
        return None, lines
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if end is None:
        raise SpecError(
            "front matter is not closed",
            file=file,
            line=1,
            hint="end the front matter with a `---` line before the first heading",
        )
    values, layer_nodes = _parse_yaml("\n".join(lines[1:end]), file)
    layer = layer_header(layer_nodes, file, _line) if layer_nodes else None
    return FrontMatter(**values, layer=layer), [""] * (end + 1) + lines[end + 1 :]


def _compose(text: str, file: str) -> yaml.Node | None:
    # Composing builds nodes only: no tags are constructed, so no YAML can run code.
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem, line = error.problem or error.context or "not YAML", _line(mark)
        column = mark.column + 1 if mark is not None else 1
    except yaml.reader.ReaderError as error:
        problem, column = error.reason, 1
        line = text.count("\n", 0, max(error.position, 0)) + 2
    except (yaml.YAMLError, RecursionError):  # the composer recurses on nested collections
        problem, line, column = "not plain YAML, or nested too deeply", 1, 1
    raise SpecError(
        f"malformed front matter: {' '.join(problem.split())}",
        file=file,
        line=line,
        column=column,
        hint="front matter is `key: value` lines, e.g. `title: My spec`",
    )


def _parse_yaml(text: str, file: str) -> tuple[dict[str, str | None], dict[str, yaml.Node]]:
    node = _compose(text, file)
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        raise _shape_error("front matter is not a mapping", file, node)
    values: dict[str, str | None] = {}
    layer_nodes: dict[str, yaml.Node] = {}  # read by specwright._layers
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name in LAYER_KEYS:
            if name in layer_nodes:
                raise _shape_error(f"front matter key {name!r} given twice", file, key)
            layer_nodes[name] = value
            continue
        if name not in _KEYS:
            raise SpecError(
                f"unknown front matter key {name!r}",
                file=file,
                line=_line(key.start_mark),
                hint=f"use {', '.join(_KEYS + LAYER_KEYS)}",
            )
        if name in values:
            raise _shape_error(f"front matter key {name!r} given twice", file, key)
        if not isinstance(value, yaml.ScalarNode):
            raise _shape_error(f"front matter {name!r} is not a single value", file, value)
        # The scalar as written: `1.10` stays "1.10", `2025-12-18` stays a string, not a date.
        values[name] = None if value.tag == _NULL_TAG else value.value
    return values, layer_nodes


def _line(mark: yaml.Mark | None) -> int:
    # The YAML text starts on the file's second line, after the opening `---`.
    return mark.line + 2 if mark is not None else 1


def _shape_error(message: str, file: str, node: yaml.Node) -> SpecError:
    return SpecError(
        message,
        file=file,
        line=_line(node.start_mark),
        hint="front matter is `key: value` lines with text values, e.g. `version: '1.0'`",
    )


def document_title(sections: Iterable[Section]) -> str | None:
    """The title of the one level-1 heading when a document has exactly one; else ``None``."""
    tops = [section.title for root in sections for section in root.walk() if section.depth == 1]
    return tops[0] if len(tops) == 1 else None


def render_front_matter(values: dict[str, str]) -> str:
    """The ``---`` block for ``values`` (in the given order), quoting what YAML would retype."""
    body = yaml.safe_dump(
        values, sort_keys=False, allow_unicode=True, default_flow_style=False, width=math.inf
    )
    return f"{_FENCE}\n{body}{_FENCE}"
