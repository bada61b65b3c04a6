"""Settings in one place: no module but ``specwright._settings`` touches the environment.

Checked on the source: every use of ``os.environ``, ``os.environb``, ``os.getenv``,
``os.putenv``, ``os.unsetenv`` (or the names imported from ``os``) outside ``_settings.py`` fails,
except the writes listed in :data:`WRITES`, each an assignment of one variable for processes
that specwright starts and that read it back through the settings object.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "specwright"

_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})

WRITES = {
    # `specwright serve --workers N`: uvicorn starts the workers and they build their app from
    # SPECWRIGHT_GATEWAY_CONFIG, read through Settings.gateway_config: the environment is the
    # only channel into a process uvicorn spawns.
    "_cli/serve.py",
}
"""Modules that may assign one ``os.environ[...]`` item (never read one)."""


def _uses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Each use of the environment: its line and ``read`` or ``write``."""
    stores = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in _NAMES:
                    yield node.lineno, "read"
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in _NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            write = node.attr == "environ" and id(node) in stores
            yield node.lineno, "write" if write else "read"


def _offences(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name == "_settings.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, use in sorted(_uses(tree)):
            if use == "write" and name in WRITES:
                continue
            found.append(f"{name}:{line}: {use}s the environment (use specwright._settings)")
    return found


def test_only_the_settings_module_reads_the_environment() -> None:
    assert _offences(SRC) == []


def test_the_check_sees_every_form(tmp_path: Path) -> None:
    (tmp_path / "_cli").mkdir()
    (tmp_path / "_cli" / "serve.py").write_text(
        "import os\nos.environ['A'] = 'b'\nx = os.environ.get('A')\n", encoding="utf-8"
    )
    (tmp_path / "m.py").write_text(
        "import os\nfrom os import getenv\nos.environ.setdefault('A', 'b')\n"
        "os.getenv('A')\nos.environ['A'] = 'b'\n",
        encoding="utf-8",
    )
    (tmp_path / "_settings.py").write_text("import os\nos.environ.get('A')\n", encoding="utf-8")
    assert _offences(tmp_path) == [
        "_cli/serve.py:3: reads the environment (use specwright._settings)",
        "m.py:2: reads the environment (use specwright._settings)",
        "m.py:3: reads the environment (use specwright._settings)",
        "m.py:4: reads the environment (use specwright._settings)",
        "m.py:5: writes the environment (use specwright._settings)",
    ]


def test_a_library_default_never_overrides_the_user(monkeypatch: pytest.MonkeyPatch) -> None:
    from specwright._settings import tune_library_default

    monkeypatch.setenv("SPECWRIGHT_TEST_WAIT_POLICY", "")  # recorded: undone after the test
    monkeypatch.delenv("SPECWRIGHT_TEST_WAIT_POLICY")
    assert tune_library_default("SPECWRIGHT_TEST_WAIT_POLICY", "PASSIVE") == "PASSIVE"
    monkeypatch.setenv("SPECWRIGHT_TEST_WAIT_POLICY", "ACTIVE")
    assert tune_library_default("SPECWRIGHT_TEST_WAIT_POLICY", "PASSIVE") == "ACTIVE"
