"""Import directions between packages: the seams the architecture document promises.

Data flows spec → chain → eval → results → report, and the CLI composes them. Every unit of
the package stands on a floor (:data:`FLOORS`) and imports only from floors below it, so no
stage reaches back up: reports see only ``RunResult`` (the CLI hands them runs it loaded), the
chain core knows nothing of Inspect, and the results contract imports neither; within a
package no modules import each other in a circle. Checked on the source (``import``
statements and module names in string literals, which catches ``importlib.import_module``),
so a lazy import counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "specwright"

# The house, lowest floor first. A unit (a top-level module or package of specwright) may
# import only units on lower floors; units on one floor never import each other. A new unit
# must be placed here before it can land.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("_errors", "_version"),
    ("_frozen", "_jsonio", "_public", "_registry", "_validation"),
    ("_settings",),  # the one reader of the environment
    ("_html", "_llm", "_model"),  # safe HTML; model calls; the spec
    ("_chat", "_reader"),  # write: the dialect read
    ("_layers", "_lint", "_stats", "_writer"),  # write: composed, checked, written
    ("_chain", "_spec_diff"),  # enforce: the chain of command; write: spec diffs
    ("_results",),  # the eval → report contract, the store, people's feedback
    ("_carry", "_scenarios", "_site", "_training"),  # scenario files; site; training data
    ("_eval", "_report", "_serve"),  # evaluate; report; the gateway
    ("_generate",),  # generation (its adaptive search runs the eval's judge)
    ("_revise",),  # revise: disagreements, proposals
    ("_studio",),  # the studio: people review, decide and revise in a local web app
    ("_cli", "_schema"),  # the composition root
    ("__init__", "__main__", "chain"),  # the public API
)
FLOOR: dict[str, int] = {unit: floor for floor, units in enumerate(FLOORS) for unit in units}


def _unit(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def _target(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "specwright" or (len(parts) > 1 and not parts[1].strip("_")):
        return None  # not ours, or a prefix in a string ("specwright._")
    return parts[1] if len(parts) > 1 else "__init__"


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


def _upward_imports() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        unit = _unit(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _named_modules(tree):
            target = _target(name)
            if target is None or target == unit:
                continue
            if FLOOR.get(target, len(FLOORS)) >= FLOOR.get(unit, -1):
                found.append(f"{path.relative_to(SRC)}:{line}: {name}")
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for _, named in _named_modules(tree):
            imported = named
            while imported and imported not in modules:  # `from pkg.mod import name`
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                graph[name].add(imported)  # a package's own __init__ is not an edge back
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_unit_has_a_floor() -> None:
    units = {_unit(path) for path in SRC.rglob("*.py")}
    assert sorted(units - set(FLOOR)) == []


def test_units_import_only_lower_floors() -> None:
    assert _upward_imports() == []


def test_no_module_imports_itself_in_a_circle() -> None:
    assert _cycles(_module_graph()) == []


def test_the_circle_finder_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


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


def test_no_class_name_is_defined_twice() -> None:
    # One record per concept, and no two concepts under one name (a `Verdict` in three
    # packages read as one thing and was three).
    seen: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name, []).append(str(path.relative_to(SRC)))
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}
