"""Spec markdown in reports: rendered with markdown-it-py, raw HTML off, only safe links."""

from __future__ import annotations

import re

import pytest
import report_factory as factory

from specwright._report._prose import ProseLinks, render_prose

LINKS = ProseLinks(
    titles={"follow_chain": "Follow the chain of command", "gone": "A gone section"},
    anchors={"follow_chain": "sec-0"},
    footnotes={"8ep1": "smp-0-0-1"},
)


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](//evil.example/x)",
        "[x](ftp://evil.example/x)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "![x](http://127.0.0.1:9/pixel.png)",
    ],
)
def test_only_http_and_in_page_links_become_links(link: str) -> None:
    html = render_prose(link, LINKS)
    assert "<img" not in html
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs(html)), html
    assert "javascript:" not in "".join(hrefs(html)).lower()


@pytest.mark.parametrize("payload", factory.PAYLOADS)
def test_raw_html_is_text(payload: str) -> None:
    html = render_prose(payload, LINKS)
    assert re.search(r"<(script|img|iframe|svg|style|link)\b", html) is None
    assert 'href="javascript' not in html


def test_cross_references_resolve_to_the_page_or_to_text() -> None:
    html = render_prose("See [?](#follow_chain), [?](#gone) and [the rule](#nowhere).", LINKS)
    assert '<a href="#sec-0">Follow the chain of command</a>' in html
    assert "A gone section" in html and 'href="#gone"' not in html
    assert "the rule" in html and 'href="#nowhere"' not in html


def test_external_links_do_not_leak_the_referrer() -> None:
    html = render_prose("[docs](https://example.com/a?b=1&c=2)", LINKS)
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a>' in html


def test_footnotes_link_to_their_first_sample() -> None:
    html = render_prose("Prompts[^8ep1] and[^none] here.", LINKS)
    assert '<a href="#smp-0-0-1" class="fn">[8ep1]</a>' in html
    assert "[none]" in html and "[^" not in html


def test_markdown_structure_and_typography() -> None:
    html = render_prose("# T\n\n- **a** --- b\n- `<c>`\n\n```\n<d>\n```", LINKS)
    assert "<h1>T</h1>" in html and "<strong>a</strong> — b" in html
    assert "<code>&lt;c&gt;</code>" in html and "&lt;d&gt;" in html


def test_pathological_input_renders_in_bounded_time() -> None:
    import time

    text = "[" * 20000 + "a" + "](" * 20000 + "`" * 20000 + "*" * 20000
    start = time.perf_counter()
    render_prose(text, LINKS)
    assert time.perf_counter() - start < 5.0


_PIECES = ("[", "]", "(", ")", "<", ">", "#", "^", "!", "`", "*", "\n", " ", "javascript:",
           "https://e.x/", "&#106;", '"', "'", "[?](#follow_chain)", "[^8ep1]",
           "<script>")  # fmt: skip
_ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "br",
                 "hr", "h1", "h2", "h3", "h4", "h5", "h6"}  # fmt: skip


def test_seeded_random_markdown_keeps_the_invariants() -> None:
    import random
    import time

    rng = random.Random(20251126)
    base = "See [?](#follow_chain) and [docs](https://example.com). Text[^8ep1] **b** `c`."
    start = time.perf_counter()
    for _ in range(400):
        chars = list(base)
        for _ in range(rng.randint(1, 12)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(_PIECES))
        html = render_prose("".join(chars), LINKS)
        tags = set(re.findall(r"<([a-z0-9]+)[\s>]", html))
        assert tags <= _ALLOWED_TAGS, (tags, html)
        for href in hrefs(html):
            assert href.startswith(("#sec-0", "#smp-0-0-1", "http://", "https://")), html
        assert re.search(r"<a [^>]*(on\w+|style|src)=", html) is None
    assert time.perf_counter() - start < 20
