"""The core import stays light: heavy extras load only when a feature that needs them runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "inspect_ai",
    "sqlalchemy",
    "openai",
    "httpx",
    "aiohttp",
    "playwright",
    "starlette",
    "uvicorn",
)


def test_import_specwright_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, specwright, specwright.chain\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "", f"`import specwright` imported: {proc.stdout.strip()}"


def test_cli_help_loads_no_heavy_dependency() -> None:
    code = (
        "import sys\n"
        "from specwright._cli import main\n"
        "main(['--help'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY=\n" in proc.stdout or proc.stdout.rstrip().endswith("HEAVY="), proc.stdout
