"""Revision review in real headless Chromium over a real uvicorn: follow a cited sample,
comment, approve, and find the spec written and the thread kept; hostile text stays inert."""

from __future__ import annotations

from typing import Any

import pytest

from specwright._layers._read import read_spec
from tests.report.browser_support import CHROMIUM
from tests.studio.conftest import Env
from tests.studio.test_studio_browser import browser, served  # noqa: F401  (fixtures)
from tests.studio.test_studio_revision_review import BASE, _propose

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not found at /usr/bin/chromium"
    ),
]
PAYLOAD = "<script>window.__pwned = 'comment'</script><img src=x onerror=\"window.__pwned=1\">"


def test_a_person_comments_on_and_approves_a_revision(
    browser: Any,  # noqa: F811
    served: tuple[Env, str],  # noqa: F811
) -> None:
    env, base = served
    spec_file, proposal = env.tmp / "spec.md", env.tmp / "proposal.md"
    spec_file.write_text(BASE, encoding="utf-8")
    _propose(spec_file, proposal, PAYLOAD)
    env.studio.spec, env.studio.spec_path = read_spec(spec_file), spec_file
    env.studio.proposals = [proposal]
    page, errors = browser.new_page(), []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/revisions")
    page.get_by_role("link", name=str(proposal)).click()
    cited = page.locator("section[data-section='be_honest'] li[data-sample] a").first
    cited.click()  # the cited sample's own page
    assert "be_honest/example-1" in page.locator("h1").inner_text()
    page.go_back()
    page.locator("#comment-text").fill(PAYLOAD)
    page.locator("#add-comment").click()
    assert "Your comment was saved." in page.locator(".flash").inner_text()
    assert PAYLOAD in page.locator("ul.comments").inner_text()  # shown as text
    page.locator("#reason").fill("clearer about doubt")
    page.locator("#approve-revision").click()
    assert page.locator("#written").count() == 1
    assert page.locator("#approve-revision").count() == 0
    assert "say when you are unsure" in read_spec(spec_file).section("be_honest").body
    assert page.evaluate("window.__pwned") is None and errors == []
    page.close()
