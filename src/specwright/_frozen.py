"""The one base class of specwright's immutable, typed records."""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import sys
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenModel", "attribute_docstrings"]


class FrozenModel(BaseModel):
    """An immutable pydantic model that refuses unknown fields and documents its attributes.

    Every typed record (the spec model, results, reports, store rows) derives from it, so that
    "frozen, strict about fields, attribute docstrings as field descriptions" holds everywhere.
    """

    # Start-up cost is the command line's, so a record is built when first used (defer_build)
    # and its attribute docstrings are read once per module, below, instead of by pydantic's
    # `use_attribute_docstrings`, which parses each class's source twice while walking frames:
    # ~40% of the time `specwright check` spent importing its models.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Deferred, so no schema exists yet: descriptions set now reach every schema built.
        docs = attribute_docstrings(cls)
        for name, field in cls.__pydantic_fields__.items():
            if field.description is None and name in docs:
                field.description = docs[name]


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstring under each annotated attribute of ``cls``, by attribute name.

    What pydantic's ``use_attribute_docstrings`` reads: a string literal that directly follows
    an annotated assignment in the class body. ``{}`` when the source cannot be read.
    """
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None)
    if filename is None:
        return {}
    own = set(inspect.get_annotations(cls))
    # The module's top-level class blocks first (most of a module is functions: half the
    # parsing a command's start-up spent here); its whole source when the class is not among
    # them (a class in a function or a branch) or they do not parse alone.
    for whole in (False, True):
        candidates = _module_docstrings(filename, whole).get(cls.__qualname__, [])
        # Two classes of one name in one scope (test helpers in branches): the one whose
        # annotated attributes are this class's.
        for annotated, docs in candidates:
            if annotated == own:
                return docs
    return candidates[0][1] if candidates else {}


_Entry = tuple[set[str], dict[str, str]]


@functools.cache
def _module_docstrings(filename: str, whole: bool) -> dict[str, list[_Entry]]:
    """Every class in the module (``whole``) or in its top-level class blocks, by qualified
    name: its annotated names and docstrings."""
    source = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(source if whole else _top_level_class_blocks(source))
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, list[_Entry]] = {}
    _visit(tree.body, "", found)
    return found


def _top_level_class_blocks(source: str) -> str:
    """The lines of ``source`` from each ``class`` at column 0 to the next other statement
    there (a closing bracket at column 0 ends a header, not the block)."""
    kept: list[str] = []
    inside = False
    for line in source.splitlines(keepends=True):
        if line[:1] not in ("", " ", "\t", "\r", "\n", "#", ")", "]", "}"):
            inside = line.startswith("class ")
        if inside:
            kept.append(line)
    return "".join(kept)


def _visit(body: list[ast.stmt], prefix: str, found: dict[str, list[_Entry]]) -> None:
    for node in body:
        if isinstance(node, ast.ClassDef):
            qualname = prefix + node.name
            found.setdefault(qualname, []).append(_class_docstrings(node))
            _visit(node.body, qualname + ".", found)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _visit(node.body, f"{prefix}{node.name}.<locals>.", found)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            # Classes defined under `if TYPE_CHECKING:`, `try:` or `with` keep their scope.
            for block in _blocks(node):
                _visit(block, prefix, found)


def _blocks(node: ast.If | ast.Try | ast.With) -> list[list[ast.stmt]]:
    if isinstance(node, ast.If):
        return [node.body, node.orelse]
    if isinstance(node, ast.Try):
        return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
    return [node.body]


def _class_docstrings(node: ast.ClassDef) -> _Entry:
    annotated: set[str] = set()
    docs: dict[str, str] = {}
    target: str | None = None
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            target = statement.target.id
            annotated.add(target)
            continue
        if (
            target is not None
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            docs[target] = inspect.cleandoc(statement.value.value)
        target = None
    return annotated, docs
