"""Reports of a run graded by several judges: agreement per section, a box per judge, escaping.

The run is built by hand (the eval side is tested through the CLI in
tests/cli/test_eval_judges.py); one judge's name is hostile markup, which must stay text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import browser_support
import pytest
from browser_support import open_page

from specwright import Calibration, ConfusionMatrix, render_report
from specwright._results import (
    JudgeVerdict,
    RunHeader,
    RunResult,
    SampleResult,
    majority_verdict,
    summarize_run,
)

browser = browser_support.browser  # the module-scoped fixture

EVIL = '<script>alert("judge")</script>'
GRADERS = ("openai/judge-a", "openai/judge-b", EVIL)


def _run() -> RunResult:
    table = {
        "clear": [(True, True, True), (False, False, False)],
        "murky": [(True, False, False), (False, True, True)],
    }
    samples = [
        SampleResult(
            scenario_id=f"{section}/example-{n}", kind="example", section_id=section,
            compliant=majority_verdict(verdicts),
            judges=tuple(
                JudgeVerdict(grader=g, compliant=v, score=6 if v else 2)
                for g, v in zip(GRADERS, verdicts, strict=True)
            ),
        )
        for section, rows in table.items()
        for n, verdicts in enumerate(rows, 1)
    ]  # fmt: skip
    trusted = Calibration(
        grader=GRADERS[0], spec_hash="h", accuracy=1.0, kappa=1.0, n_scored=4, n_unscored=0,
        confusion=ConfusionMatrix(tp=2, tn=2),
    )  # fmt: skip
    header = RunHeader(
        run_id="r1", model="openai/model", grader=GRADERS[0], graders=GRADERS, spec_hash="h",
        created=datetime(2026, 1, 2, tzinfo=UTC), calibration=trusted,
        judge_calibrations={GRADERS[0]: trusted},
    )  # fmt: skip
    return summarize_run(header, samples)


def test_json_report_round_trips_every_judge() -> None:
    run = _run()
    data = json.loads(render_report([run], "json"))
    assert data["graders"] == list(GRADERS)
    # murky: both items split 1-2 -> P = 1/3, half the verdicts T -> Pe = 1/2, kappa -1/3.
    assert data["judge_agreement_by_section"]["murky"]["fleiss_kappa"] == pytest.approx(-1 / 3)
    assert data["judge_agreement_by_section"]["clear"]["fleiss_kappa"] == 1.0
    assert RunResult.model_validate(data) == run


def test_markdown_names_each_judge_and_escapes_them() -> None:
    markdown = render_report([_run()], "markdown", min_kappa=0.4)
    assert "## Agreement between judges" in markdown and "<script>" not in markdown
    assert "openai/judge-a: judge trusted" in markdown
    assert "openai/judge-b: judge not calibrated" in markdown
    assert "> **Warning:** openai/judge-b: This run's judge was never checked" in markdown


@browser_support.pytestmark[0]  # marked "browser"
@browser_support.pytestmark[1]  # skipped without Debian chromium
def test_html_judges_section_in_chromium(browser: Any, tmp_path: Path) -> None:
    w = open_page(browser, render_report([_run()], "html"), tmp_path)
    page = w.page
    section = page.locator("#judges")
    assert section.is_visible()
    rows = section.locator("table.agreement tr")
    assert rows.count() == 4  # head, all sections, clear, murky
    murky = section.locator('tr[data-section="murky"] td')
    assert murky.nth(1).inner_text() == "-0.33" and murky.nth(2).inner_text() == "2"
    assert EVIL in section.inner_text()  # the hostile name is shown as text
    # One verdict box per judge in the headline: the trusted one, and two warnings.
    assert page.locator("#headline .judge-of").count() == 3
    assert page.locator("#headline .judge-warning").count() == 2
    assert page.locator("#calibration .card").count() == 3  # each judge's calibration
    w.assert_quiet()  # no script ran, no dialog, no request beyond the page
    page.close()
