"""Every ``python`` block in the README and in docs/*.md runs, in order, per file.

Blocks that need a live model or server are fenced as ``python notest`` and only shown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests._paths import REPO_ROOT

_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```", re.S | re.M)
# Docs whose examples need fixtures (runs, servers) are run by their own area's test instead.
_OWN_TEST = {
    "dialect.md": "tests/reader/test_docs.py",
    "report.md": "tests/report/test_report_docs.py",
}
_DOCS = [
    REPO_ROOT / "README.md",
    *sorted(p for p in (REPO_ROOT / "docs").glob("*.md") if p.name not in _OWN_TEST),
]


def test_docs_with_their_own_test_have_it() -> None:
    for test in _OWN_TEST.values():
        assert (REPO_ROOT / test).is_file(), test


def _blocks(path: Path) -> list[str]:
    return _BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [p for p in _DOCS if _blocks(p)], ids=lambda p: p.name)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for index, block in enumerate(_blocks(path), start=1):
        code = compile(block, f"{path.name}[python block {index}]", "exec")
        exec(code, namespace)
