"""Import directions between packages: the seams the architecture document promises.

Data flows spec → chain → eval → results → report, and the CLI composes them. A package may
not reach "upstream" into the eval package or the CLI: reports see only ``RunResult`` (the
CLI hands them runs it loaded), the chain core knows nothing of Inspect, and the results
contract imports neither. Checked on the source (``import`` statements and module names in
string literals, which catches ``importlib.import_module``), so a lazy import counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "specwright"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "_report": ("specwright._eval", "specwright._cli"),
    "_chain": ("specwright._eval", "specwright._cli"),
    "_results": ("specwright._eval", "specwright._cli", "specwright._report"),
    # The door for model calls sits below every stage that calls a model.
    "_llm": tuple(
        f"specwright.{stage}"
        for stage in (
            "_chain",
            "_cli",
            "_eval",
            "_generate",
            "_report",
            "_results",
            "_revise",
            "_serve",
        )
    ),
}


def _modules(package: str) -> list[Path]:
    root = SRC / package
    return sorted(root.rglob("*.py")) if root.is_dir() else [SRC / f"{package}.py"]


def _named_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("specwright._")
        ):
            yield node.lineno, node.value


def _violations(package: str) -> list[str]:
    found = []
    for path in _modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _named_modules(tree):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package]):
                found.append(f"{path.relative_to(SRC)}:{line}: {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upstream(package: str) -> None:
    assert _modules(package), f"no modules found for {package}"
    assert _violations(package) == []


def test_the_check_sees_lazy_and_string_imports(tmp_path: Path) -> None:
    # The detector itself: an importlib call and a function-level import are both caught.
    source = (
        "import importlib\n"
        "def f():\n"
        "    from specwright._eval._logs import load_run\n"
        "    return importlib.import_module('specwright._cli')\n"
    )
    names = [name for _, name in _named_modules(ast.parse(source))]
    assert "specwright._eval._logs" in names and "specwright._cli" in names
