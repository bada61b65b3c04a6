"""The HTML pages in real headless Chromium: rendering, charts, drill-down, no network, no XSS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import browser_support
import pytest
import report_factory as factory
from browser_support import open_page

from specwright import ResultsStore, render_report
from specwright._report._history import load_history, render_history

pytestmark = browser_support.pytestmark
browser = browser_support.browser  # the module-scoped fixture


def test_report_renders_with_charts_and_no_network(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_a(), factory.run_b()], "html", spec=factory.spec())
    w = open_page(browser, html, tmp_path)
    page = w.page
    assert page.title() == "Compliance report: openai/model-a vs openai/model-b"
    # One section chart per part (three parts), authority, tag.
    assert page.locator("svg.chart").count() == 5
    assert page.locator("#by-section details.part").count() == 3
    # Scored (section, run) pairs: A has 3 scored sections, B has 4.
    assert page.locator("#by-section svg.chart rect.bar").count() == 7
    assert page.locator("#by-section svg.chart line.ci").count() == 7
    assert page.locator("#by-section svg.chart line.ci-cap").count() == 14
    # Part summary bars: parts with a scored section, per run (A: 2 parts, B: 3).
    assert page.locator("#by-section rect.part-bar").count() == 5
    assert page.locator("#by-authority rect.bar").count() == 7
    assert page.locator("#by-section .legend li").count() == 2
    assert page.locator("#headline .no-calibration").is_visible()
    assert page.locator("details.section").count() == 5
    w.assert_quiet()
    page.close()


def test_drill_down_shows_transcripts_and_judge(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_a(), factory.run_b()], "html", spec=factory.spec())
    w = open_page(browser, html, tmp_path)
    page = w.page
    section = page.locator("details.section[data-section='be_honest']")
    sample = section.locator("details.sample").first
    assert not sample.is_visible()
    section.locator("summary").first.click()
    assert section.locator(".run-col").count() == 2
    assert sample.is_visible()
    transcript = sample.locator(".transcript pre").first
    assert not transcript.is_visible()
    sample.locator(":scope > summary").click()
    assert transcript.is_visible()
    assert "You are a helpful assistant." in transcript.inner_text()
    judge = sample.locator(".judge")
    assert "The answer does not follow be honest." in judge.inner_text()
    assert "follow_chain — Follow the chain of command" in judge.locator(".cited").inner_text()
    w.assert_quiet()
    page.close()


def test_chart_links_and_buttons_open_sections(browser: Any, tmp_path: Path) -> None:
    w = open_page(browser, render_report([factory.run_a()], "html"), tmp_path)
    page = w.page
    target = page.locator("details#sec-1")
    assert target.get_attribute("open") is None
    # Without a spec, one group holds every section, open from the start.
    assert page.locator("#by-section details.part[open]").count() == 1
    page.locator("#by-section a[href='#sec-1'] rect.bar").first.click()
    page.wait_for_function("document.getElementById('sec-1').open")
    page.locator("#expand-all").click()
    # Everything: parts, sections, samples, grader samples, spec text.
    assert page.locator("details.section[open]").count() == 4
    assert page.locator("details:not([open])").count() == 0
    assert page.locator("details.sample[open]").count() == 27
    page.locator("#collapse-all").click()
    assert page.locator("details[open]").count() == 0
    w.assert_quiet()
    page.close()


def _hostile_html(*, with_csp: bool) -> str:
    payload = " ".join(factory.PAYLOADS)
    html = render_report([factory.hostile_run()], "html", spec=factory.spec(payload))
    if not with_csp:  # escaping alone must hold, without the CSP's second line of defence
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
        assert "Content-Security-Policy" not in html
    return html


@pytest.mark.parametrize("with_csp", [True, False], ids=["csp", "escaping-only"])
def test_injected_scripts_do_not_run(browser: Any, tmp_path: Path, with_csp: bool) -> None:
    w = open_page(browser, _hostile_html(with_csp=with_csp), tmp_path)
    page = w.page
    page.locator("#expand-all").click()
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.locator("details.sample summary").first.click()
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, iframe, link[rel=stylesheet], svg[onload]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    # The payloads are shown as text.
    assert page.get_by_text("<script>window.__pwned = 'script'</script>").count() > 0
    assert page.locator("body").is_visible()
    w.assert_quiet()
    page.close()


def test_diff_report_renders(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_b()], "html", baseline=factory.run_a())
    w = open_page(browser, html, tmp_path)
    page = w.page
    assert page.locator("#diff .diff-sections .badge.regressed").count() == 1
    assert page.locator("#diff .diff-sections .badge.improved").count() == 1
    assert page.locator("#diff .diff-sections .badge.inconclusive").count() == 1
    assert "How states are decided." in page.locator("#diff .diff-rule").inner_text()
    assert page.locator("#diff .flips tr").count() == 1 + 19
    w.assert_quiet()
    page.close()


def test_history_page_renders(browser: Any, tmp_path: Path) -> None:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.add(factory.run_a())
        store.add(factory.run_b())
        html = render_history(load_history(store), "html")
    w = open_page(browser, html, tmp_path, "history.html")
    page = w.page
    assert page.locator("svg.history").count() == 5
    follow = page.locator("section[data-section='follow_chain']")
    assert follow.locator("circle.point").count() == 2
    assert follow.locator("line.ci").count() == 2
    assert page.locator("section[data-section='no_scores'] circle.point").count() == 0
    w.assert_quiet()
    page.close()


def test_history_page_keeps_injected_payloads_inert(browser: Any, tmp_path: Path) -> None:
    hostile = factory.hostile_run()
    assert hostile.calibration is not None
    weak = hostile.model_copy(
        update={
            "run_id": "run-<script>window.__pwned='id'</script>",
            "grader": "<img src=x onerror=\"window.__pwned='grader'\">",
            "calibration": hostile.calibration.model_copy(update={"kappa": 0.0}),
        }
    )
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.add(hostile)
        store.add(weak)
        html = render_history(load_history(store), "html")
    w = open_page(browser, html, tmp_path, "history.html")
    page = w.page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, iframe, script:not([type='application/json'])").count() == 1
    assert page.locator(".judge-warning li").count() == 1
    assert "<script>window.__pwned='model'</script>" in page.locator("table.runs").inner_text()
    w.assert_quiet()
    page.close()
