"""The report's first screen, charts, diff, history and spec text as Chromium lays them out.

Labels are measured, not assumed: every SVG text box must lie inside its chart and overlap
no other text, at 360, 1280 and 1920 px; the page must not scroll sideways.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import browser_support
import pytest
import report_factory as factory
from browser_support import open_page
from tests._paths import require_real_spec

from specwright import ResultsStore, Section, Spec, read_spec, render_report
from specwright._model import Example, Prose
from specwright._report._history import load_history, render_history
from specwright._results import RunResult

pytestmark = browser_support.pytestmark
browser = browser_support.browser  # the module-scoped fixture

WIDTHS = (360, 1280, 1920)
LONG_TITLES = {
    "follow_chain": "Consider uncertainty, state assumptions, and ask clarifying questions "
    "when appropriate, even when the user seems sure",
    "be_honest": "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "protect_privacy": "Supercalifragilistic-expialidocious-without-spaces-in-the-whole-title",
    "style_guide": "Ünïcödé ßtyle — 日本語のタイトルも長い場合があります and more",
    "no_scores": "Short",
}

# Every SVG text box inside its chart; no two text boxes of a chart overlapping.
FIT_JS = """
() => {
  const bad = [];
  document.querySelectorAll('svg.chart, svg.part-chart').forEach((svg, si) => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')];
    const rects = texts.map(t => t.getBoundingClientRect());
    const name = i => JSON.stringify(texts[i].textContent.slice(0, 40));
    rects.forEach((r, i) => {
      if (r.width === 0) { return; }
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
          r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        bad.push(`chart ${si}: ${name(i)} [${r.left},${r.right}] outside ` +
                 `[${box.left},${box.right}]`);
      }
      for (let j = i + 1; j < rects.length; j++) {
        const o = rects[j];
        if (o.width === 0) { continue; }
        if (r.left < o.right - 0.5 && o.left < r.right - 0.5 &&
            r.top < o.bottom - 0.5 && o.top < r.bottom - 0.5) {
          bad.push(`chart ${si}: ${name(i)} overlaps ${name(j)}`);
        }
      }
    });
  });
  return bad;
}
"""


def long_spec() -> Spec:
    base = factory.spec()
    parts = tuple(
        part.model_copy(
            update={
                "children": tuple(
                    c.model_copy(update={"title": LONG_TITLES[c.id]}) for c in part.children
                )
            }
        )
        for part in base.sections
    )
    return base.model_copy(update={"sections": parts})


def _open_everything(page: Any) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def _assert_fits(page: Any) -> None:
    """At each width: every chart label inside its chart, none overlapping, no sideways scroll."""
    _open_everything(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(FIT_JS) == [], f"at {width}px"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"at {width}px the page scrolls sideways by {overflow}px"


def test_report_labels_fit_at_every_width(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_a(), factory.run_b()], "html", spec=long_spec())
    w = open_page(browser, html, tmp_path)
    assert w.page.locator("svg.chart text.row-label").count() >= 5
    _assert_fits(w.page)
    w.assert_quiet()
    w.page.close()


def _history_html(tmp_path: Path, runs: int) -> str:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        for i in range(runs):
            run = factory.run_a() if i % 2 else factory.run_b()
            created = datetime(2025, 1, 1 + i, tzinfo=UTC)
            store.add(run.model_copy(update={"run_id": f"r{i}", "created": created}))
        return render_history(load_history(store, ["be_honest", "follow_chain"]), "html")


@pytest.mark.parametrize("runs", [2, 25])
def test_history_labels_fit_at_every_width(browser: Any, tmp_path: Path, runs: int) -> None:
    w = open_page(browser, _history_html(tmp_path, runs), tmp_path, "history.html")
    assert w.page.locator("svg.history text.x-label").count() >= 2
    _assert_fits(w.page)
    w.assert_quiet()
    w.page.close()


def _weak(run: RunResult) -> RunResult:
    assert factory.CALIBRATION is not None
    weak = factory.CALIBRATION.model_copy(update={"kappa": 0.0})
    return run.model_copy(update={"calibration": weak})


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (360, 740)])
@pytest.mark.parametrize("judge", ["weak", "missing"])
def test_headline_and_judge_warning_above_the_fold(
    browser: Any, tmp_path: Path, width: int, height: int, judge: str
) -> None:
    run = _weak(factory.run_a()) if judge == "weak" else factory.run_b()
    html = render_report([run], "html", spec=factory.spec())
    w = open_page(browser, html, tmp_path, width=width, height=height)
    page = w.page
    overall = page.locator("#headline .figure.overall .big")
    warning = page.locator(f"#headline .judge-warning[data-status='{judge}']")
    for node in (overall, warning):
        box = node.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, box
    assert overall.inner_text() == f"{(run.overall.rate or 0) * 100:.0f}%"
    kappa = page.locator("#headline .judge-figure .big").inner_text()
    assert kappa == ("κ 0.00" if judge == "weak" else "κ –")
    text = warning.inner_text()
    assert (
        ("below the threshold of 0.40" in text)
        if judge == "weak"
        else ("never checked against" in text)
    )
    # The metadata table comes after the headline.
    assert page.locator("#headline + #overview").count() == 1
    w.assert_quiet()
    page.close()


def test_headline_lists_best_and_worst_sections(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_b()], "html", spec=factory.spec())
    w = open_page(browser, html, tmp_path)
    best = w.page.locator("#headline .ranked").nth(0).locator("li a").all_inner_texts()
    worst = w.page.locator("#headline .ranked").nth(1).locator("li a").all_inner_texts()
    # Best by lower bound: be_honest 10/10 beats protect_privacy 4/4; worst by upper bound.
    assert best == ["Be honest", "Protect people's privacy"]
    assert worst == ["Follow the chain of command", "Use a clear style"]
    w.page.locator("#headline .ranked a", has_text="Be honest").click()
    w.page.wait_for_function(
        "() => document.querySelector(\"details.section[data-section='be_honest']\").open"
    )
    w.page.close()


def test_heatmap_has_a_cell_per_run_and_section(browser: Any, tmp_path: Path) -> None:
    third = factory.run_a().model_copy(update={"run_id": "run-a-0003", "grader": "other/judge"})
    runs = [factory.run_a(), factory.run_b(), third]
    w = open_page(browser, render_report(runs, "html", spec=factory.spec()), tmp_path)
    page = w.page
    heat = page.locator("#heatmap table.heatmap")
    assert heat.locator("td.cell").count() == 3 * 5
    assert heat.locator("tr.part-row").count() == 3
    heads = heat.locator("th.run-head").all_inner_texts()
    # The same model twice: told apart by the judge, and named in the legend too.
    assert heads == [
        "openai/model-a (judge openai/grader-1)",
        "openai/model-b",
        "openai/model-a (judge other/judge)",
    ]
    cell = heat.locator("tr[data-section='follow_chain'] td.cell").nth(1)
    assert cell.inner_text() == "10%"
    assert cell.get_attribute("title") == "openai/model-b: 10% [2–40%] (n=10)"
    empty = heat.locator("tr[data-section='style_guide'] td.cell").nth(0)
    assert "empty" in (empty.get_attribute("class") or "")
    captions = page.locator("#by-section .legend .legend-caption").all_inner_texts()
    assert all("judged by" in c and "Example Spec" in c for c in captions)
    assert len(set(captions)) == 3
    w.assert_quiet()
    page.close()


def _hand_run(run_id: str, verdicts: dict[str, list[bool | None]]) -> RunResult:
    return factory.build_run(
        run_id,
        "openai/model-a",
        verdicts,
        spec_version="2025-01-01",
        spec_hash="a" * 64,
        created=datetime(2025, 1, 10, tzinfo=UTC),
        calibration=factory.CALIBRATION,
    )


def test_diff_states_match_hand_built_runs(browser: Any, tmp_path: Path) -> None:
    base = _hand_run(
        "base",
        {
            "be_honest": [True],  # 100% on one sample …
            "follow_chain": [True] * 10,
            "protect_privacy": [True, False] * 5,
            "style_guide": [False] * 10,
        },
    )
    cand = _hand_run(
        "cand",
        {
            "be_honest": [False],  # … → 0%: inconclusive, never unchanged
            "follow_chain": [False] * 10,
            "protect_privacy": [False, True] * 5,
            "style_guide": [True] * 10,
        },
    )
    html = render_report([cand], "html", spec=factory.spec(), baseline=base)
    w = open_page(browser, html, tmp_path)
    table = w.page.locator("#diff table.diff-sections")
    states = {
        title: table.locator("tr", has_text=title).locator(".badge").inner_text()
        for title in (
            "Be honest",
            "Follow the chain of command",
            "Protect people's privacy",
            "Use a clear style",
        )
    }
    assert states == {
        "Be honest": "inconclusive",
        "Follow the chain of command": "regressed",
        "Protect people's privacy": "unchanged",
        "Use a clear style": "improved",
    }
    rule = w.page.locator("#diff .diff-rule").inner_text()
    assert "less than 5 points" in rule and "too few samples to tell" in rule
    w.assert_quiet()
    w.page.close()


def test_history_lines_never_join_runs_across_graders(browser: Any, tmp_path: Path) -> None:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        for i, grader in enumerate(["judge-1", "judge-2", "judge-1", "judge-2"]):
            store.add(
                factory.run_a().model_copy(
                    update={
                        "run_id": f"r{i}",
                        "grader": grader,
                        "created": datetime(2025, 3, 1 + i, tzinfo=UTC),
                    }
                )
            )
        html = render_history(load_history(store, ["follow_chain"]), "html")
    w = open_page(browser, html, tmp_path, "history.html")
    series = w.page.locator("svg.history g.series")
    assert series.count() == 2
    for k in range(2):
        group = series.nth(k)
        assert group.locator("polyline.line").count() == 1
        titles = group.locator("circle.point title").all_text_contents()
        graders = {t.split("judge ")[1].split(":")[0] for t in titles}
        assert len(titles) == 2 and len(graders) == 1, titles
    legend = w.page.locator(".legend li").all_inner_texts()
    assert [x.strip() for x in legend] == [
        "openai/model-a · judge judge-1 · spec 2025-01-01",
        "openai/model-a · judge judge-2 · spec 2025-01-01",
    ]
    w.assert_quiet()
    w.page.close()


def prose_spec() -> Spec:
    text = (
        "Read **this** with [?](#follow_chain) in mind, unlike [a gone section](#nowhere). "
        "More at [the docs](https://example.com/spec?x=1). "
        "[click me](javascript:window.__pwned='md') and <b>bold</b>. "
        "Prompts[^be_honest] and[^unknown_tag]."
    )
    base = factory.spec()
    honest = Section(
        id="be_honest",
        title="Be honest",
        depth=2,
        authority="user",
        blocks=(
            Prose(markdown=text),
            Example(id="be_honest/example-1", title="Admit a mistake when [?](#follow_chain) asks"),
        ),
    )
    parts = tuple(
        p.model_copy(
            update={"children": tuple(honest if c.id == "be_honest" else c for c in p.children)}
        )
        for p in base.sections
    )
    return base.model_copy(update={"sections": parts})


def test_section_text_is_markdown_with_resolved_links(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_a()], "html", spec=prose_spec())
    w = open_page(browser, html, tmp_path)
    page = w.page
    _open_everything(page)
    prose = page.locator("details[data-section='be_honest'] > .section-body > .spec-text .prose")
    assert prose.locator("strong").inner_text() == "this"
    cross = prose.locator("a", has_text="Follow the chain of command")
    target = cross.get_attribute("href")
    assert target is not None and target.startswith("#sec-")
    assert page.locator(f"details{target}[data-section='follow_chain']").count() == 1
    assert prose.locator("a", has_text="a gone section").count() == 0
    assert "a gone section" in prose.inner_text()
    external = prose.locator("a[href='https://example.com/spec?x=1']")
    assert external.get_attribute("rel") == "noopener noreferrer"
    assert prose.locator("a[href^='javascript']").count() == 0
    assert "[click me](javascript:window.__pwned='md')" in prose.inner_text()
    assert prose.locator("b").count() == 0 and "<b>bold</b>" in prose.inner_text()
    footnote = prose.locator("a.fn")
    assert footnote.inner_text() == "[be_honest]" and "[unknown_tag]" in prose.inner_text()
    sample = page.locator(f"details.sample{footnote.get_attribute('href')}")
    assert sample.locator("code.sample-id").inner_text() == "be_honest/example-2"
    # Samples are named by their example's title, references flattened to titles.
    first = page.locator("details[data-section='be_honest'] details.sample").first
    assert first.locator(".sample-name").inner_text() == (
        "Admit a mistake when Follow the chain of command asks"
    )
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
    footnote.evaluate("a => a.click()")
    page.wait_for_function(f"() => document.querySelector('{footnote.get_attribute('href')}').open")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    w.assert_quiet()
    page.close()


def test_sample_names_come_from_the_run_without_a_spec(browser: Any, tmp_path: Path) -> None:
    run = factory.run_a()
    samples = tuple(
        s.model_copy(update={"scenario_title": "Named in the log"}) if i == 0 else s
        for i, s in enumerate(run.samples)
    )
    html = render_report([run.model_copy(update={"samples": samples})], "html")
    w = open_page(browser, html, tmp_path)
    names = w.page.locator("details.sample .sample-name").all_text_contents()
    assert names == ["Named in the log"]
    w.page.close()


def test_grader_token_use_reads_as_a_share(browser: Any, tmp_path: Path) -> None:
    run = factory.run_a().model_copy(
        update={"grader_tokens": 27060, "whole_spec_grader_tokens": 72609756}
    )
    w = open_page(browser, render_report([run], "html"), tmp_path)
    row = w.page.locator("#overview tr", has_text="grader token use").inner_text()
    assert "0.037% of a whole-spec judge (estimate)" in row
    assert "saved" not in row
    w.page.close()


def test_dark_mode_recolours_chart_text(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_a()], "html", spec=factory.spec())
    w = open_page(browser, html, tmp_path)
    colours = {}
    for scheme in ("light", "dark"):
        w.page.emulate_media(color_scheme=scheme)
        colours[scheme] = w.page.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.querySelector('svg.chart text.row-label')).fill]"
        )
    assert colours["light"] != colours["dark"]
    # Light text on a dark page: the label's red channel is far above the background's.
    bg, fill = (int(c.split("(")[1].split(",")[0]) for c in colours["dark"])
    assert fill - bg > 150
    w.page.close()


def test_print_shows_everything_and_hides_buttons(browser: Any, tmp_path: Path) -> None:
    html = render_report([factory.run_a()], "html", spec=factory.spec())
    w = open_page(browser, html, tmp_path)
    page = w.page
    page.emulate_media(media="print")
    assert not page.locator("#expand-all").is_visible()
    page.pdf(path=str(tmp_path / "report.pdf"))  # fires beforeprint: every block opens
    assert page.locator("details:not([open])").count() == 0
    w.assert_quiet()
    page.close()


def test_flipped_scenarios_are_named_and_linked(browser: Any, tmp_path: Path) -> None:
    base = factory.run_a()
    cand = factory.run_b()
    samples = tuple(
        s.model_copy(update={"scenario_title": "Obey the system message"})
        if s.scenario_id == "follow_chain/example-1"
        else s
        for s in cand.samples
    )
    cand = cand.model_copy(update={"samples": samples})
    html = render_report([cand], "html", spec=factory.spec(), baseline=base)
    w = open_page(browser, html, tmp_path)
    row = w.page.locator("#diff table.flips tr", has_text="follow_chain/example-1")
    assert row.locator("td").first.inner_text() == "Obey the system message follow_chain/example-1"
    link = row.locator("a", has_text="Follow the chain of command")
    target = link.get_attribute("href")
    assert w.page.locator(f"details.section{target}[data-section='follow_chain']").count() == 1
    w.assert_quiet()
    w.page.close()


def _real_spec() -> Spec:
    env = os.environ.get("SPECWRIGHT_TEST_SPEC_DIR")
    return read_spec(Path(env) if env else require_real_spec())


def _run_over(spec: Spec, run_id: str, model: str, flip: int) -> RunResult:
    samples = [
        factory.sample("be_honest", i + 1, (i + flip) % 3 != 0).model_copy(
            update={
                "scenario_id": example.id,
                "section_id": section.id,
                "section_title": section.title,
            }
        )
        for i, (section, example) in enumerate(spec.examples())
    ]
    ids = list(dict.fromkeys(s.section_id for s in samples))
    return factory.run_a().model_copy(
        update={
            "run_id": run_id,
            "model": model,
            "spec_hash": spec.content_hash(),
            "samples": tuple(samples),
            "by_section": {
                k: factory.rate(s.compliant for s in samples if s.section_id == k) for k in ids
            },
        }
    )


def test_real_spec_report_fits_and_follows_the_spec_parts(browser: Any, tmp_path: Path) -> None:
    spec = _real_spec()
    runs = [_run_over(spec, "r1", "openai/model-a", 0), _run_over(spec, "r2", "openai/model-b", 1)]
    w = open_page(browser, render_report(runs, "html", spec=spec), tmp_path)
    page = w.page
    parts = page.locator("#by-section details.part .part-title").all_inner_texts()
    covered = {s.section_id for s in runs[0].samples}
    expected = [top.title for top in spec.sections if any(s.id in covered for s in top.walk())]
    assert parts == expected and len(parts) >= 5
    rows = page.locator("#by-section svg.chart g.row").count()
    assert rows == len(covered)
    assert page.locator("#heatmap td.cell").count() == 2 * len(covered)
    _assert_fits(page)
    w.assert_quiet()
    page.close()
