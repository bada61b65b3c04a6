"""The core import stays light: heavy extras load only when a feature that needs them runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specwright._reader import example_spec_path

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


# --------------------------------------------------------------------------- start-up of the CLI
# What a command imports and which models it builds bound its start-up whatever the machine's
# load (benchmarks/bench_cli.py measures the time itself): `--version` and `--help` need no
# pydantic at all, and the spec commands none of the stages they do not run.

_REPORT = """
import json, sys
from specwright._cli import main
main(sys.argv[1:])
loaded = sorted(sys.modules)
built = []
if "pydantic" in sys.modules:
    from pydantic import BaseModel
    todo = list(BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("specwright") and cls.__pydantic_complete__:
            built.append(cls.__qualname__)
print("\\nSTARTUP=" + json.dumps({"modules": loaded, "built": sorted(set(built))}))
"""

_OTHER_STAGES = (
    "specwright._chain",
    "specwright._results",
    "specwright._eval",
    "specwright._report",
    "specwright._revise",
    "specwright._training",
    "specwright._generate",
    "specwright._site",
    "specwright._serve",
)


def _start_up(argv: list[str]) -> tuple[set[str], list[str]]:
    """The modules loaded and the specwright models built by one command in a new process."""
    proc = subprocess.run(
        [sys.executable, "-c", _REPORT, *argv], capture_output=True, text=True, check=False
    )
    line = proc.stdout.rsplit("STARTUP=", 1)
    assert len(line) == 2, proc.stderr
    found = json.loads(line[1])
    return set(found["modules"]), found["built"]


def _ours(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "specwright" or m.startswith("specwright.")}


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_build_nothing(flag: str) -> None:
    modules, built = _start_up([flag])
    assert "pydantic" not in modules and built == []
    assert _ours(modules) <= {
        "specwright",
        "specwright._cli",
        "specwright._cli._exit",  # the exit codes: click and an enum, nothing built
        "specwright._errors",
        "specwright._version",
    }


@pytest.mark.parametrize("command", ["lint", "show"])
def test_spec_commands_load_the_spec_stages_only(command: str) -> None:
    modules, built = _start_up([command, str(example_spec_path())])
    stray = sorted(m for m in _ours(modules) if m.startswith(_OTHER_STAGES))
    assert stray == []
    # The settings live on pydantic alone: pydantic-settings loaded asyncio, dotenv and more.
    assert not {"pydantic_settings", "asyncio"} & modules
    # The spec model and the settings: a model of another stage means something eager.
    assert len(built) <= 16, built


def test_check_builds_the_chain_but_no_later_stage(tmp_path: Path) -> None:
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps([{"role": "user", "content": "Book me a flight."}]))
    modules, built = _start_up(["check", str(chat), "--spec", str(example_spec_path())])
    later = tuple(s for s in _OTHER_STAGES if s != "specwright._chain")
    assert sorted(m for m in _ours(modules) if m.startswith(later)) == []
    assert not {"pydantic_settings", "asyncio", *HEAVY} & modules
    # The deterministic interpreter runs: the LLM interpreter's options are declared without
    # importing it or the model door it asks through.
    assert sorted(m for m in _ours(modules) if "_llm" in m) == []
    # The spec model, the conversation and its resolution, the settings (19): one more is a
    # model built for nothing.
    assert len(built) <= 19, built


def test_the_cli_benchmark_measures_each_command(tmp_path: Path) -> None:
    # Smoke test of benchmarks/bench_cli.py: its commands are the targets' and one runs.
    from tests._benchmarks import load_benchmark

    bench = load_benchmark("bench_cli")
    argvs = bench.commands(tmp_path / "chat.json")
    assert next(iter(argvs)) == "python -c pass"
    assert set(argvs) - {"python -c pass"} == set(bench.TARGET_MS)
    wall, cpu = bench.measure(argvs["--version"], 1, tmp_path / "pycache")
    assert wall > 0 and cpu >= 0


def test_a_report_of_run_json_files_imports_no_inspect(tmp_path: Path) -> None:
    # The eval package (Inspect: seconds of start-up) loads when an Inspect log is read.
    from specwright import render_report
    from tests.report.report_factory import run_a

    run = tmp_path / "run.json"
    run.write_text(render_report([run_a()], "json"), encoding="utf-8")
    modules, _ = _start_up(["report", str(run), "--format", "markdown"])
    assert "inspect_ai" not in modules and "specwright._eval" not in modules
