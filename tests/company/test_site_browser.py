"""``specwright site`` in real headless Chromium: render, search, no errors, no network, inert
payloads, and results from a real SQLite store."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from specwright import ResultsStore, read_spec
from specwright._cli import main
from tests.company.conftest import SpecWriter, write_spec_dir
from tests.report import browser_support
from tests.report.browser_support import CHROMIUM, Watched, open_file

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not found at /usr/bin/chromium"
    ),
]
browser = browser_support.browser  # the module-scoped fixture, shared with the report's tests
NORTHWIND = Path(__file__).parent / "data" / "northwind"


def open_site(browser: Any, spec_path: Path, out: Path, *extra: str) -> Watched:
    assert main(["site", str(spec_path), "-o", str(out), *extra]) == 0
    return open_file(browser, out / "index.html", width=1300)


def visible_sections(page: Any) -> int:
    return int(page.locator("section.spec-section:visible").count())


def test_a_composed_spec_renders_with_badges_provenance_and_links(
    browser: Any, overlay: SpecWriter, tmp_path: Path
) -> None:
    path = overlay(
        "overrides: [tone]\n",
        "# Acme {#acme}\n\nSee [?](#r_root) and the tone rule[^acme1].\n\n"
        "# Tone {#tone authority=user}\n\nBe formal.\n",
        {"acme1": "Examples for [^acme1]:\n\n**Example**: q\n\n~~~xml\n<user>\nHi\n</user>\n~~~\n"},
    )
    spec = read_spec(path)
    w = open_site(browser, path, tmp_path / "site")
    page = w.page
    assert page.title() == "Acme layer"
    assert page.locator("nav > ul li").count() == len(list(spec.walk()))
    assert visible_sections(page) == len(list(spec.walk()))
    assert page.locator("#r_root .badge.root").first.inner_text().lower() == "root"
    assert page.locator("#r_user_detail .badge.inherited").count() == 1
    acme = page.locator("#acme")
    assert acme.locator("a[href='#r_root']").inner_text() == "Root rule"  # [?] resolved
    assert page.locator("#acme .provenance").inner_text().startswith("From layer Acme layer")
    tone = page.locator("#tone .provenance").inner_text()
    assert "overrides the guideline section of Base spec" in tone
    hrefs = page.eval_on_selector_all("main a", "as => as.map(a => a.getAttribute('href'))")
    assert "#prompts-acme1" in hrefs
    for href in hrefs:  # every in-page link lands on an element
        assert page.locator(f"[id='{href[1:]}']").count() == 1, href
    page.click("a[href='#prompts-acme1']")
    w.assert_quiet()


def test_the_real_spec_site_search_and_examples(
    browser: Any, real_spec: Path, tmp_path: Path
) -> None:
    spec = read_spec(real_spec)
    w = open_site(browser, real_spec, tmp_path / "site")
    page = w.page
    total = len(list(spec.walk()))
    assert visible_sections(page) == total
    labels = page.locator("main .label").all_inner_texts()
    answers = [a.label for _, e in spec.examples() for a in e.answers]
    assert sorted(labels) == sorted(answers)
    assert page.locator("main .example").count() == len(list(spec.examples()))
    page.fill("#sw-search", "sycophantic")
    expected = [
        s.id
        for s in spec.walk()
        if "sycophantic"
        in " ".join([s.title, s.id, s.body, *(e.title for e in s.examples)]).lower()
    ]
    assert 0 < len(expected) < total
    assert visible_sections(page) == len(expected)
    assert page.locator("#sw-search-count").inner_text() == f"{len(expected)} of {total} sections"
    assert page.locator("#toc-avoid_sycophancy").is_visible()
    page.fill("#sw-search", "")
    assert visible_sections(page) == total
    hrefs = page.eval_on_selector_all(
        "main a[href^='#']", "as => as.map(a => a.getAttribute('href'))"
    )
    missing = [h for h in set(hrefs) if page.locator(f"[id='{h[1:]}']").count() == 0]
    # Only references the spec itself leaves dangling (no section with that id) may miss.
    dangling = {r.target for r in spec.cross_references() if spec.get(r.target) is None}
    assert {m.removeprefix("#") for m in missing} <= dangling
    w.assert_quiet()


PAYLOADS = [
    "<script>window.pwned = 1; alert('script')</script>",
    '<img src="http://127.0.0.1:9/x.png" onerror="alert(\'img\')">',
    "[click me](javascript:alert('link'))",
    "![pixel](http://127.0.0.1:9/pixel.png)",
    '<a href="javascript:alert(1)" onclick="alert(2)">a</a>',
    "<iframe src='http://127.0.0.1:9/'></iframe>",
]


def test_injected_payloads_stay_inert(browser: Any, tmp_path: Path) -> None:
    hostile = "\n\n".join(PAYLOADS)
    text = (
        f"# Evil <script>alert('title')</script> {{#evil authority=user}}\n\n{hostile}\n\n"
        f'!!! meta "Commentary"\n    {PAYLOADS[0]}\n\n'
        f"**Example**: {PAYLOADS[2]}\n\n~~~xml\n<user>\n{PAYLOADS[1]}\n</user>\n<comparison>\n"
        f"<assistant> <!-- BAD: {PAYLOADS[0]} -->\n{PAYLOADS[4]}\n"
        "</assistant>\n</comparison>\n~~~\n"
    )
    path = write_spec_dir(tmp_path / "evil", text)
    w = open_site(browser, path, tmp_path / "site")
    page = w.page
    assert page.evaluate("window.pwned") is None
    assert page.locator("main script, main img, main iframe").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => a.name))"
    )
    assert handlers == []
    # In-page links only: an external link in spec text navigates when clicked (that is
    # what a link is); loading the page fetches nothing, which assert_quiet checks.
    for link in page.locator("main a[href^='#']").all():
        link.click()
    body = page.locator("main").inner_text()
    assert "<script>window.pwned = 1;" in body and "javascript:alert('link')" in body
    assert page.locator("script").count() == 2  # the search index and the site's own script
    w.assert_quiet()


def _report_factory() -> Any:
    path = Path(__file__).resolve().parents[1] / "report" / "report_factory.py"
    spec = importlib.util.spec_from_file_location("company_report_factory", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_LONG_CODE = "`" + "x" * 400 + "`"
_LAYOUT_BODY = f"""# Acme {{#acme}}

Our rules --- the company's own. A long token: {_LONG_CODE}.

## Deep {{#acme_deep authority=user}}

### Deeper {{#acme_deeper}}

#### Deepest {{#acme_deepest}}

##### Deepest still {{#acme_deepest_still}}

Body text under a level-5 heading.
"""


@pytest.mark.parametrize("width", [700, 1400])
def test_the_site_fits_its_window_and_reads_as_written(
    browser: Any, overlay: SpecWriter, tmp_path: Path, width: int
) -> None:
    # Issue 24.6: one long inline code made a 1,738 px page at 1,400 px; anchors were
    # `#s-<id>` where `show` prints `<id>`; the layer's sections came last and unmarked; the
    # search box had no visible label; nested headings were smaller than body text; `---`.
    path = overlay("", _LAYOUT_BODY)
    spec = read_spec(path)
    assert main(["site", str(path), "-o", str(tmp_path / "site")]) == 0
    w = open_file(browser, tmp_path / "site" / "index.html", width=width)
    page = w.page
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{scroll} px wide in a {width} px window"
    for section in spec.walk():
        assert page.locator(f"section[id='{section.id}']").count() == 1, section.id
    toc = page.eval_on_selector_all("nav > ul a", "as => as.map(a => a.getAttribute('href'))")
    assert toc == [f"#{s.id}" for s in spec.walk()]
    own = [s.id for s in spec.walk() if s.provenance and s.provenance.layer_index == 1]
    first = page.eval_on_selector_all("nav a", "as => as.map(a => a.getAttribute('href'))")
    assert first[: len(own)] == [f"#{i}" for i in own]
    assert page.get_by_label("Search the spec").count() == 1
    assert page.get_by_text("Search the spec").is_visible()
    body_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)"
    )
    sizes = page.eval_on_selector_all(
        "main section > :is(h2, h3, h4, h5, h6)",
        "hs => hs.map(h => [h.tagName, parseFloat(getComputedStyle(h).fontSize)])",
    )
    assert {tag for tag, _ in sizes} >= {"H2", "H3", "H4", "H5", "H6"}
    assert all(px > body_px for _, px in sizes), (body_px, sizes)
    text = page.locator("main").inner_text()
    assert "---" not in text and "Our rules — the company's own." in text
    w.assert_quiet()


def test_results_from_the_store(browser: Any, tmp_path: Path) -> None:
    factory = _report_factory()
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(factory.spec().model_dump_json(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    with ResultsStore(url) as store:
        store.add(factory.run_a())
        store.add(factory.run_b())
    w = open_site(browser, spec_path, tmp_path / "site", "--results", "--db", url)
    page = w.page
    text = page.locator("#be_honest .result").inner_text()
    # run_b is the latest run covering be_honest: 10 of 10 compliant, an earlier spec version.
    assert text.startswith("Latest result: 100% compliant (n=10), openai/model-b, 2025-06-10")
    assert "earlier version" in text
    privacy = page.locator("#protect_privacy .result").inner_text()
    assert privacy.startswith("Latest result: 100% compliant (n=4), openai/model-b")  # 1 unscored
    w.assert_quiet()


def test_site_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", str(tmp_path / "missing"), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["site", str(NORTHWIND), "-o", str(blocker / "sub")]) == 2


def test_the_diff_page_is_quiet_and_inert(browser: Any, tmp_path: Path) -> None:
    old = write_spec_dir(tmp_path / "a", "# S {#s authority=user}\n\nSafe.\n")
    new = write_spec_dir(
        tmp_path / "b", f"# S {{#s authority=root}}\n\n{PAYLOADS[0]} {PAYLOADS[1]} {PAYLOADS[2]}\n"
    )
    page_path = tmp_path / "diff.html"
    assert main(["diff", str(old), str(new), "--html", "-o", str(page_path)]) == 0
    page = browser.new_page()
    watched = Watched(page, page_path.as_uri())
    page.on("console", lambda m: watched.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.on("request", lambda r: watched.requests.append(r.url))
    page.on("dialog", lambda d: (watched.dialogs.append(d.message), d.dismiss()))
    page.goto(watched.url)
    assert page.locator("main ins").count() >= 1 and page.locator("main del").count() == 1
    assert page.locator(".badge.worse").inner_text() == "authority-raised"
    assert page.evaluate("window.pwned") is None and page.locator("main img").count() == 0
    watched.assert_quiet()
