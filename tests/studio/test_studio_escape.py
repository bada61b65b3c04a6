"""The report's XSS payloads, in every string a model, a judge, a spec or a draft can hold,
stay text on every studio page: no tag, attribute or link of theirs reaches the markup."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.report import report_factory as factory
from tests.studio.conftest import Env, studio_env

PAYLOAD = " ".join(factory.PAYLOADS)
_TAGS = {
    "html", "head", "meta", "title", "link", "style", "body", "header", "nav", "main", "h1",
    "h2", "p", "a", "section", "div", "table", "thead", "tbody", "tr", "th", "td", "span",
    "ul", "li", "pre", "strong", "form", "input", "label", "textarea", "button", "h3",
    "details", "summary", "code", "ins", "del", "h4",
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
    yield from _revision_pages(env, client)


def _revision_pages(env: Env, client: TestClient) -> Iterator[tuple[str, str]]:
    """A proposal citing a sample whose feedback note, comment and reason hold the payloads."""
    from specwright._layers._read import read_spec
    from tests.studio.test_studio_revision_review import BASE, _propose, form_of

    spec_file, proposal = env.tmp / "spec.md", env.tmp / "proposal.md"
    spec_file.write_text(BASE, encoding="utf-8")
    _propose(spec_file, proposal, PAYLOAD)
    env.studio.spec, env.studio.spec_path = read_spec(spec_file), spec_file
    env.studio.proposals = [proposal]
    html = client.get("/revisions/0").text
    form = form_of(html, "/revisions/0/comments") | {"text": PAYLOAD}
    assert client.post("/revisions/0/comments", data=form).status_code == 303
    html = client.get("/revisions/0").text
    form = form_of(html, "/revisions/0") | {"decision": "approved", "reason": PAYLOAD}
    assert client.post("/revisions/0", data=form).status_code == 303
    yield "revisions", client.get("/revisions").text
    yield "revision", client.get("/revisions/0").text


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
    assert pages["revision"].count("&lt;script&gt;window.__pwned") >= 3  # note, comment, reason
