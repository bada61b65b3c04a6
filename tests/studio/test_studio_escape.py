"""The report's XSS payloads, in every string a model, a judge, a spec or a draft can hold,
stay text on every studio page: no tag, attribute or link of theirs reaches the markup."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.report import report_factory as factory
from tests.studio.conftest import Env, studio_env

PAYLOAD = " ".join(factory.PAYLOADS)
_TAGS = {
    "html", "head", "meta", "title", "link", "style", "body", "header", "nav", "main", "h1",
    "h2", "p", "a", "section", "div", "table", "thead", "tbody", "tr", "th", "td", "span",
    "ul", "li", "pre", "strong", "form", "input", "label", "textarea", "button", "h3",
    "details", "summary", "code",
}  # fmt: skip


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Env]:
    run = factory.hostile_run()
    run = run.model_copy(update={"run_id": "run-a-0001"})
    made = studio_env(tmp_path, run, PAYLOAD)
    made.studio.reviewer = PAYLOAD
    yield made
    made.studio.index.close()


def _pages(env: Env) -> Iterator[tuple[str, str]]:
    client = env.client()
    yield "/", client.get("/").text
    for where in ("all", "failed", "unscored", "feedback"):
        yield f"run {where}", client.get("/runs/run-a-0001", params={"filter": where}).text
    sample = {"scenario": "be_honest/example-1", "epoch": "1"}
    html = client.get("/runs/run-a-0001/sample", params=sample).text
    yield "sample", html
    from tests.studio.conftest import token_of, version_of

    form = {"csrftoken": token_of(html), "version": str(version_of(html)), **sample}
    form |= {"verdict": "compliant", "note": PAYLOAD}
    assert client.post("/runs/run-a-0001/verdict", data=form).status_code == 303
    yield "sample with feedback", client.get("/runs/run-a-0001/sample", params=sample).text
    yield "drafts", client.get("/drafts").text
    yield "spec", client.get("/spec").text
    yield "draft edit", client.get("/drafts/0/edit", params={"id": "draft-1"}).text
    yield "404", client.get("/runs/" + PAYLOAD.replace("/", "")).text


def test_payloads_stay_text_on_every_page(hostile: Env) -> None:
    for name, html in _pages(hostile):
        parser = _Markup()
        parser.feed(html)
        assert set(parser.tags) <= _TAGS, (name, set(parser.tags) - _TAGS)
        assert not [a for a, _ in parser.attrs if a.startswith("on") or a == "style"], name
        for attr, value in parser.attrs:
            if attr in ("href", "action", "src"):
                assert value.startswith(("/", "#", "data:,")), (name, value)
                assert not value.startswith("//"), (name, value)
        assert parser.tags.count("link") == 1 and parser.tags.count("style") == 1, name


def test_the_payloads_were_on_the_pages(hostile: Env) -> None:
    pages = dict(_pages(hostile))
    assert "&lt;script&gt;window.__pwned" in pages["sample"]
    assert "&lt;script&gt;window.__pwned" in pages["drafts"]
    assert "openai/&lt;script&gt;window.__pwned" in pages["spec"]
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned" in pages["draft edit"]
    assert "&lt;script&gt;window.__pwned" in pages["sample with feedback"]
