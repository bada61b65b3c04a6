"""The studio in real headless Chromium over a real uvicorn on 127.0.0.1: a person reviews a
sample with clicks and the verdict is in the feedback store; hostile text stays inert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright._results._store import ResultsStore
from tests.report import browser_support
from tests.report import report_factory as factory
from tests.report.browser_support import CHROMIUM
from tests.studio import conftest
from tests.studio.conftest import Env, studio_env

uvicorn = pytest.importorskip("uvicorn")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not found at /usr/bin/chromium"
    ),
]
browser = browser_support.browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Env, str]]:
    run = factory.hostile_run().model_copy(update={"run_id": "run-a-0001"})
    env = studio_env(tmp_path, run, " ".join(factory.PAYLOADS))
    with conftest.served(env) as base:
        yield env, base
    env.studio.index.close()


def test_a_person_reviews_a_sample_with_clicks(browser: Any, served: tuple[Env, str]) -> None:
    env, base = served
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + "/")
    page.get_by_role("link", name="run-a-0001").click()
    page.locator("a[data-filter='non-compliant']").click()
    assert page.locator("#total").inner_text().startswith("11 samples")
    page.locator("tr[data-sample='be_honest/example-1'] a").click()
    page.locator("#note").fill("the judge missed the caveat")
    page.locator("#mark-compliant").click()
    assert "Your verdict was saved." in page.locator(".flash").inner_text()
    assert "the judge missed the caveat" in page.locator("ul.feedback").inner_text()
    # By keyboard: the next sample of the same filter, then a verdict, with Enter and Space.
    page.locator("#next-sample").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**example-2**")
    assert "filter=non-compliant" in page.url
    page.locator("#mark-noncompliant").focus()
    page.keyboard.press("Space")
    page.wait_for_url("**saved=1**")
    assert page.evaluate("window.__pwned") is None  # no payload ran on any page
    assert errors == []
    assert all(url.startswith(base) for url in requests), requests
    with ResultsStore(env.url) as store:
        item, by_keys = store.feedback()
    assert (item.verdict, item.author, item.note) == (
        "compliant", "alice", "the judge missed the caveat"
    )  # fmt: skip
    assert (by_keys.scenario_id, by_keys.verdict) == ("be_honest/example-2", "non-compliant")
    page.close()


def test_a_second_reviewer_is_told_the_sample_changed(
    browser: Any, served: tuple[Env, str]
) -> None:
    env, base = served
    sample = f"{base}/runs/run-a-0001/sample?scenario=be_honest%2Fexample-2&epoch=1"
    alice, bob = browser.new_context(), browser.new_context()
    first, second = alice.new_page(), bob.new_page()
    first.goto(sample)
    second.goto(sample)
    first.locator("#mark-noncompliant").click()
    assert first.locator(".flash").count() == 1
    second.locator("#mark-compliant").click()
    assert "Changed since you opened it" in second.locator("h1").inner_text()
    with ResultsStore(env.url) as store:
        assert [f.verdict for f in store.feedback()] == ["non-compliant"]
    alice.close()
    bob.close()


def test_isolated_blocks_are_visible_boxes(browser: Any, tmp_path: Path) -> None:
    from tests.studio.test_studio_received import SAMPLE, _compiled, _run, _transcript

    compiled = _compiled(delegate=True)
    env = studio_env(tmp_path, _run(_transcript(compiled)))
    with conftest.served(env) as base:
        page = browser.new_page()
        page.goto(f"{base}/runs/run-a-0001/sample?scenario={SAMPLE['scenario']}&epoch=1")
        boxes = page.locator(".isolated")
        assert boxes.count() == len(compiled.isolated) == 2
        for n in range(boxes.count()):
            box = boxes.nth(n)
            assert box.is_visible()
            style = box.evaluate("e => getComputedStyle(e).borderTopStyle")
            delegated = "delegated" in (box.get_attribute("class") or "")
            assert style == ("solid" if delegated else "dashed")  # the page's own stylesheet
        labels = page.locator(".iso-label").all_inner_texts()
        assert "no authority" in labels[0] and "developer authority" in labels[1]
        # The preamble is folded until asked for; the token is in it.
        preamble = page.locator("details.preamble pre")
        assert not preamble.is_visible()
        page.locator("details.preamble summary").click()
        assert preamble.is_visible() and compiled.boundary_token in preamble.inner_text()
        page.close()
    env.studio.index.close()
