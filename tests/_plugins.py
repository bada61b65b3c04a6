"""An installed plugin, as specwright sees one: a module and a ``.dist-info`` whose
``entry_points.txt`` names it, on a directory put on ``PYTHONPATH`` of a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def install_plugin(site: Path, module: str, source: str, entry_points: str) -> Path:
    """Write ``module.py`` (``source``) and a distribution declaring ``entry_points`` (the
    ``entry_points.txt`` text) into ``site``; return ``site``."""
    info = site / f"{module}_dist-0.1.dist-info"
    info.mkdir(parents=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}-dist\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return site


def run_python(site: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``python argv…`` in a fresh process that sees specwright's source and ``site``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(site), str(ROOT)])}
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def run_cli(site: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``specwright argv…`` in a fresh process that sees the plugins installed in ``site``."""
    return run_python(site, "-m", "specwright", *argv)
