from __future__ import annotations

import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specwright._html._escape import Html, el, json_for_script, text


@given(st.text())
def test_text_escapes_everything_and_round_trips(value: str) -> None:
    escaped = text(value)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert html.unescape(escaped) == value


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_json_for_script_cannot_close_the_block_and_round_trips(value: object) -> None:
    safe = json_for_script(json.dumps(value, ensure_ascii=False))
    assert "<" not in safe and ">" not in safe
    assert json.loads(safe) == value


def test_el_escapes_children_and_attributes_but_keeps_html() -> None:
    inner = el("b", {}, "<i>")
    out = el("p", {"title": '"><script>'}, "a<b", inner, None, [1, "&"])
    assert out == '<p title="&quot;&gt;&lt;script&gt;">a&lt;b<b>&lt;i&gt;</b>1&amp;</p>'
    assert isinstance(out, Html)


@pytest.mark.parametrize("name", ["onclick", "onerror", "style", "src", "srcdoc", "formaction"])
def test_el_refuses_dangerous_attributes(name: str) -> None:
    with pytest.raises(ValueError, match="not allowed"):
        el("a", {name: "x"})


@pytest.mark.parametrize("href", ["javascript:alert(1)", "http://example.com", "#", "# x", "//x"])
def test_el_refuses_links_out_of_the_page(href: str) -> None:
    with pytest.raises(ValueError, match="in-page"):
        el("a", {"href": href})


def test_boolean_attributes() -> None:
    assert el("details", {"open": True, "id": None, "class": False}) == "<details open></details>"
