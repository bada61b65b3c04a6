"""Spec text as HTML: markdown-it-py with raw HTML off, links resolved or dropped.

Section prose is untrusted (a spec is a file anyone can edit). The renderer is CommonMark
with ``html`` disabled (tags show as text), images disabled (no fetch, no ``<img>``), and a
link validator that accepts only ``http(s)`` URLs and in-page fragments, so a
``javascript:`` or ``data:`` link stays plain text. In-page links then go through
:class:`ProseLinks`: a cross reference ``[?](#id)`` gets the section's title as its text and
points at that section's block in the report when the report shows it, else it becomes plain
text; a footnote ``[^tag]`` (an eval prompt file) links to the first sample from that file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from specwright._html._escape import Html

__all__ = ["ProseLinks", "render_prose"]

_FOOTNOTE = re.compile(r"\[\^([A-Za-z0-9_.-]+)\]")
_EXTERNAL = re.compile(r"https?://[^\s<>\"'`]+\Z", re.IGNORECASE)


@dataclass(frozen=True)
class ProseLinks:
    """Where in-page references point in this report."""

    titles: Mapping[str, str] = field(default_factory=dict)
    """Section id → title (for ``[?](#id)``)."""
    anchors: Mapping[str, str] = field(default_factory=dict)
    """Section id → element id of its block in this page."""
    footnotes: Mapping[str, str] = field(default_factory=dict)
    """Footnote tag → element id of the first sample from that eval prompt file."""


def _validate_link(url: str) -> bool:
    return url.startswith("#") or bool(_EXTERNAL.match(url))


@cache
def _parser() -> MarkdownIt:
    # Typographic replacements only (``---`` → em dash, as the spec's authors intend);
    # quotes stay as written.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
    md.enable("replacements")
    md.disable("image")
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _link(href: str, content: str, cls: str | None = None) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrSet("href", href)
    if cls:
        opening.attrSet("class", cls)
    return [opening, _text(content), Token("link_close", "a", -1)]


def _footnotes(token: Token, links: ProseLinks) -> list[Token]:
    """Split a text token at ``[^tag]`` marks, linking those with a sample in the page."""
    out: list[Token] = []
    last = 0
    for match in _FOOTNOTE.finditer(token.content):
        out.append(_text(token.content[last : match.start()]))
        tag = match.group(1)
        target = links.footnotes.get(tag)
        out.extend(_link("#" + target, f"[{tag}]", "fn") if target else [_text(f"[{tag}]")])
        last = match.end()
    out.append(_text(token.content[last:]))
    return [t for t in out if t.type != "text" or t.content]


def _resolve_links(children: list[Token], links: ProseLinks) -> list[Token]:
    out: list[Token] = []
    dropping: list[bool] = []  # per open link: whether its open/close tags are dropped
    for i, token in enumerate(children):
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            target = href[1:] if href.startswith("#") else None
            # In-page links the page cannot resolve, and anything but http(s) (an empty
            # destination, say), become plain text.
            external = target is None and bool(_EXTERNAL.match(href))
            drop = (target not in links.anchors) if target is not None else not external
            if target is not None and not drop:
                token.attrSet("href", "#" + links.anchors[target])
            if not href.startswith("#"):
                token.attrSet("rel", "noopener noreferrer")
            nxt = children[i + 1] if i + 1 < len(children) else None
            if target and nxt is not None and nxt.type == "text" and nxt.content == "?":
                nxt.content = links.titles.get(target, target)
            dropping.append(drop)
            if not drop:
                out.append(token)
        elif token.type == "link_close":
            if not (dropping.pop() if dropping else False):
                out.append(token)
        elif token.type == "text" and "[^" in token.content:
            out.extend(_footnotes(token, links))
        else:
            out.append(token)
    return out


def render_prose(markdown: str, links: ProseLinks) -> Html:
    """Render spec markdown as safe HTML (see the module docstring for what is allowed)."""
    md = _parser()
    tokens = md.parse(markdown)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _resolve_links(token.children, links)
    return Html(md.renderer.render(tokens, md.options, {}))
