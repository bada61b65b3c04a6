"""Report formats on the generic registry: the built-ins, and a plugin's format, added by an
entry point or by code, rendering run reports, diffs and histories from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import report_factory as factory
from tests._plugins import install_plugin, run_cli, run_python

from specwright import ConfigurationError, diff_runs, render_report
from specwright._cli import main
from specwright._report._formats import BUILTIN_FORMATS, HISTORY_FORMATS, REPORT_FORMATS
from specwright._report._history import History, render_history

PLUGIN = """
def render_csv(report):
    lines = ["run,compliance"]
    lines += [f"{run.run_id},{run.overall.rate:.2f}" for run in report.runs]
    if report.diff is not None:
        lines.append(f"diff,{len(report.diff.regressions)} regressions")
    return "\\n".join(lines) + "\\n"


def history_csv(history):
    return "".join(f"history,{run.run_id}\\n" for run in history.runs)


NOT_A_FUNCTION = 42
"""

ENTRY_POINTS = """
[specwright.report_formats]
csv = csv_reports:render_csv
notfn = csv_reports:NOT_A_FUNCTION
broken = no_such_module_anywhere:render

[specwright.history_formats]
csv = csv_reports:history_csv
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return install_plugin(tmp_path / "site", "csv_reports", PLUGIN, ENTRY_POINTS)


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(render_report([factory.run_a()], "json"), encoding="utf-8")
    b.write_text(render_report([factory.run_b()], "json"), encoding="utf-8")
    return a, b


def test_the_builtin_formats_are_the_registries_names() -> None:
    for registry in (REPORT_FORMATS, HISTORY_FORMATS):
        assert set(BUILTIN_FORMATS) <= set(registry.names())
        assert all(callable(registry.get(name)) for name in BUILTIN_FORMATS)
    empty = History(runs=(), sections=())
    assert render_history(empty, "json").startswith("{")
    with pytest.raises(ConfigurationError, match=r"unknown history format 'pdf' \(known: html"):
        render_history(empty, "pdf")
    with pytest.raises(ConfigurationError, match=r"unknown report format 'pdf' \(known: html"):
        render_report([factory.run_a()], "pdf")


def test_a_plugin_format_renders_reports_diffs_and_histories(
    site: Path, runs: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = runs
    done = run_cli(site, "report", str(a), str(b), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rates = [f"{r.run_id},{r.overall.rate:.2f}" for r in (factory.run_a(), factory.run_b())]
    assert done.stdout.splitlines() == ["run,compliance", *rates]
    diff = run_cli(site, "report", "--baseline", str(a), str(b), "--format", "csv")
    assert diff.returncode == 0, diff.stderr
    regressions = len(diff_runs(factory.run_a(), factory.run_b()).regressions)
    assert regressions and diff.stdout.splitlines()[-1] == f"diff,{regressions} regressions"
    db = f"sqlite:///{tmp_path / 'results.sqlite'}"
    history = run_cli(site, "history", "--results-db", db, "--add", str(a), "--format", "csv")
    assert history.returncode == 0, history.stderr
    assert history.stdout == "history,run-a-0001\n"
    shown = run_cli(site, "history", "--help")
    assert "--format [html|markdown|json|csv]" in " ".join(shown.stdout.split()), shown.stdout


def test_bad_plugin_formats_are_one_line_errors(site: Path, runs: tuple[Path, Path]) -> None:
    a, _ = runs
    unknown = run_cli(site, "report", str(a), "--format", "pdf")
    assert unknown.returncode == 2 and "'pdf' is not one of" in unknown.stderr
    assert "'csv'" in unknown.stderr
    broken = run_cli(site, "report", str(a), "--format", "broken")
    assert broken.returncode == 2 and "cannot load report format" in broken.stderr
    notfn = run_cli(site, "report", str(a), "--format", "notfn")
    assert notfn.returncode == 2 and "report format 'notfn': expected a function" in notfn.stderr
    for done in (unknown, broken, notfn):
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    # The built-ins still work beside a broken plugin.
    fine = run_cli(site, "report", str(a), "--format", "markdown")
    assert fine.returncode == 0 and fine.stdout.startswith("#"), fine.stderr


CODE_PLUGIN = """
import sys

from specwright._cli import main
from specwright._report._formats import HISTORY_FORMATS, REPORT_FORMATS


@REPORT_FORMATS.register("ids")
def ids(report):
    return " ".join(run.run_id for run in report.runs) + "\\n"


HISTORY_FORMATS.add("ids", lambda history: f"{len(history.runs)} runs\\n")
sys.exit(main(sys.argv[1:]))
"""


def test_a_format_registered_in_code_is_usable_from_the_cli(
    tmp_path: Path, runs: tuple[Path, Path]
) -> None:
    a, b = runs
    done = run_python(tmp_path, "-c", CODE_PLUGIN, "report", str(a), str(b), "--format", "ids")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "run-a-0001 run-b-0002\n"
    db = f"sqlite:///{tmp_path / 'results.sqlite'}"
    argv = ["history", "--results-db", db, "--add", str(a), "--add", str(b), "--format", "ids"]
    history = run_python(tmp_path, "-c", CODE_PLUGIN, *argv)
    assert history.returncode == 0 and history.stdout == "2 runs\n", history.stderr


def test_json_flag_and_another_format_contradict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'results.sqlite'}"
    assert main(["history", "--results-db", db, "--json", "--format", "html"]) == 2
    assert "--json contradicts --format html" in capsys.readouterr().err
