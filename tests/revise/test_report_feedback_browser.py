"""The report's per-sample feedback commands and per-section counts, in headless Chromium.

The command shown is run back through the CLI exactly as a shell would split it, so a run
path with a space and a quote and a scenario id with ``$`` must survive the copy.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from specwright._cli import main
from specwright._results._store import ResultsStore
from tests.report import browser_support
from tests.report import report_factory as factory
from tests.report.browser_support import open_file

pytestmark = browser_support.pytestmark
browser = browser_support.browser  # the module-scoped fixture, shared with the report's tests

ODD = "be_honest/ask $HOME `now`"


def _run_file(tmp_path: Path) -> Path:
    path = tmp_path / "my logs" / "it's run.json"
    path.parent.mkdir()
    run = factory.build_run("r1", "model-a", {"be_honest": [True, False], "style_guide": [True]},
                            spec_version="v", spec_hash="h" * 64,
                            created=datetime(2026, 1, 1, tzinfo=UTC), calibration=None,
                            epochs=2)  # fmt: skip
    samples = tuple(
        s.model_copy(update={"scenario_id": ODD}) if s.scenario_id == "be_honest/example-1" else s
        for s in run.samples
    )
    run = run.model_copy(update={"samples": samples, "log_path": str(path)})
    path.write_text(run.model_dump_json(), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", url)
    return url


def _commands(page: Any, scenario: str, epoch: int) -> list[str]:
    sample = page.locator("details.sample").filter(
        has=page.locator("code.sample-id", has_text=scenario)
    ).filter(has_text=f"epoch {epoch}")  # fmt: skip
    assert sample.count() == 1
    return [t.strip() for t in sample.locator("pre.cmd").all_inner_texts()]


def test_copied_commands_are_exact_and_counts_show(
    browser: Any, tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _run_file(tmp_path)
    assert main(["feedback", "add", str(path), "be_honest/example-2@2", "--verdict",
                 "compliant", "--author", "ann"]) == 0  # fmt: skip
    report = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(report)]) == 0
    w = open_file(browser, report)
    page = w.page
    summary = page.locator("details.section[data-section='be_honest'] > summary")
    assert "feedback: 1 (1 overrule the judge)" in summary.inner_text()
    style = page.locator("details.section[data-section='style_guide'] > summary")
    assert "feedback" not in style.inner_text()
    page.locator("#expand-all").click()
    # The judge said compliant on the odd sample: overruling it comes first, unclear last.
    expected = [
        shlex.join(["specwright", "feedback", "add", str(path), f"{ODD}@2", "--verdict", v])
        for v in ("non-compliant", "compliant", "unclear")
    ]
    assert _commands(page, ODD, 2) == expected
    assert "'" + ODD + "@2'" in expected[0] and "'\"'\"'" in expected[0]  # quoted for a shell
    # Run the first command as a shell would split it: it records exactly that verdict.
    argv = shlex.split(expected[0])
    assert argv[0] == "specwright" and main(argv[1:]) == 0
    with ResultsStore(db) as store:
        latest = store.feedback()[-1]
    assert (latest.scenario_id, latest.epoch, latest.verdict) == (ODD, 2, "non-compliant")
    assert main(shlex.split(expected[2])[1:]) == 0  # the unclear one records what it says
    with ResultsStore(db) as store:
        assert store.feedback()[-1].verdict == "unclear"
    # The adjudicated sample (judge said non-compliant, a person compliant) keeps the judge's
    # verdict as the one to overrule.
    assert _commands(page, "be_honest/example-2", 2)[0].endswith("--verdict compliant")
    w.assert_quiet()
    page.close()


def test_copy_button_with_script_and_plain_selection_without(
    browser: Any, tmp_path: Path, db: str
) -> None:
    path = _run_file(tmp_path)
    report = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(report)]) == 0
    w = open_file(browser, report)
    page = w.page
    page.locator("#expand-all").click()
    row = page.locator(".cmd-row").first
    button = row.locator("button.copy")
    assert button.is_visible()
    button.click()
    page.wait_for_function("document.querySelector('button.copy').textContent !== 'Copy'")
    selected = page.evaluate("window.getSelection().toString()")
    assert selected.strip() == row.locator("pre.cmd").inner_text().strip()
    w.assert_quiet()
    page.close()
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(report.as_uri())
    plain.locator("details.section > summary").first.click()
    plain.locator("details.sample > summary").first.click()
    assert not plain.locator("button.copy").first.is_visible()  # no script: no dead button
    command = plain.locator("pre.cmd").first
    assert command.is_visible() and command.inner_text().startswith("specwright feedback add ")
    context.close()
