"""Render a spec as one self-contained HTML page: TOC, sections, examples, search.

Spec text is untrusted. Markdown goes through markdown-it with raw HTML and images off, so
``<script>`` or ``<img onerror=…>`` in a spec become text and nothing is fetched; links
markdown-it deems unsafe (``javascript:``, ``data:`` …) stay text. Everything else is built
with the report's escaping builder, and the page's CSP runs only the site's own script.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from specwright._frozen import FrozenModel
from specwright._html._escape import Html, el, join, json_for_script
from specwright._model import (
    Attachment,
    Commentary,
    EvalPrompt,
    Example,
    Message,
    Prose,
    Section,
    Spec,
    UntrustedPart,
)
from specwright._site._assets import SITE_CSS, SITE_SCRIPT, site_csp

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["SectionResult", "render_site", "write_site"]

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+\Z")
_AUTO_REF = re.compile(r"\[\?\]\(#([^)\s]+)\)")
_REF = re.compile(r"\]\(#([^)\s]+)\)")
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


class SectionResult(FrozenModel):
    """A section's latest compliance from the results store."""

    rate: float | None
    n: int
    model: str
    created: datetime
    same_spec: bool
    """Whether the run evaluated this very spec (same content hash)."""


# Element ids the page uses besides sections': a section id with one of these prefixes gets
# the hashed form, so that `#<id>` (what `show` prints) never names another element.
_RESERVED_PREFIXES = ("sw-", "toc-", "ex-", "prompts-", "s-")


def anchor(kind: str, name: str) -> str:
    """A fragment-safe element id for a section id or an eval tag (any characters).

    A section's anchor is its id itself when the id is fragment-safe (``#avoid_abuse``, as
    ``specwright show`` prints it); other ids, and other kinds, carry a prefix.
    """
    if _SAFE_ID.match(name):
        if kind == "s" and not name.startswith(_RESERVED_PREFIXES):
            return name
        return f"{kind}-{name}"
    return f"{kind}-x{hashlib.sha256(name.encode()).hexdigest()[:12]}"


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # No raw HTML and no images: spec text can neither inject markup nor make the page fetch.
    # Typographic replacements write the Model Spec's `---` as an em dash, as its site does.
    return (
        MarkdownIt("commonmark", {"html": False, "typographer": True})
        .enable("replacements")
        .disable("image")
    )


def render_markdown(text: str, spec: Spec) -> Html:
    """Markdown of ``spec`` as safe HTML, with cross references and footnotes resolved."""

    def title(match: re.Match[str]) -> str:
        target = spec.get(match.group(1))
        name = target.title if target is not None else match.group(1)
        return f"[{name.replace('[', '(').replace(']', ')')}](#{match.group(1)})"

    def ref(match: re.Match[str]) -> str:
        return f"](#{anchor('s', match.group(1))})"

    def footnote(match: re.Match[str]) -> str:
        return f"[[{match.group(1)}]](#{anchor('prompts', match.group(1))})"

    text = _FOOTNOTE.sub(footnote, _REF.sub(ref, _AUTO_REF.sub(title, text)))
    return Html(_markdown().render(text))


# --------------------------------------------------------------------------- conversations


def _message(message: Message) -> Html:
    parts = []
    for part in message.parts:
        if isinstance(part, Attachment):
            parts.append(el("p", {"class": "where"}, f"[{part.media}: {part.name}]"))
        elif isinstance(part, UntrustedPart):
            parts.append(el("div", {"class": "untrusted", "title": "untrusted"}, part.text))
        else:
            parts.append(el("pre", {}, part.text))
    gap = el("p", {"class": "where"}, "[…]") if message.gap_before else ""
    return el("div", {"class": "msg"}, gap, el("span", {"class": "role"}, message.role), parts)


def _example(example: Example, spec: Spec) -> Html:
    answers = []
    for answer in example.answers:
        note = f": {answer.explanation}" if answer.explanation else ""
        ref = ""
        if answer.reference is not None:
            ref = el("a", {"href": "#" + anchor("s", answer.reference)}, f" #{answer.reference}")
        answers.append(
            el(
                "div",
                {"class": f"answer {answer.label}"},
                el("span", {"class": f"label {answer.label}"}, answer.label),
                note,
                ref,
                _message(answer.message),
            )
        )
    return el(
        "div",
        {"class": "example", "id": anchor("ex", example.id)},
        el("h4", {}, "Example: ", render_inline(example.title, spec)),
        [_message(m) for m in example.messages],
        answers,
    )


def render_inline(text: str, spec: Spec) -> Html:
    """One line of markdown (a title) without the paragraph around it."""
    rendered = render_markdown(text, spec).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return Html(rendered)


# --------------------------------------------------------------------------- sections


def _badge(spec: Spec, section: Section) -> Html:
    level = spec.effective_authority(section.id)
    if level is None:
        return Html("")
    inherited = section.authority is None
    classes = f"badge {level}" + (" inherited" if inherited else "")
    tip = f"{level} (inherited)" if inherited else level
    return el("span", {"class": classes, "title": tip}, level)


def _provenance(section: Section) -> Html:
    origin = section.provenance
    if origin is None or (origin.layer_index == 0 and origin.replaced is None):
        return Html("")
    where = f"{origin.location.file}:{origin.location.line}" if origin.location else ""
    text = [f"From layer {origin.layer} ", el("span", {"class": "where"}, where)]
    if origin.replaced is not None:
        old = origin.replaced
        old_where = f"{old.location.file}:{old.location.line}" if old.location else ""
        text += [
            f"; overrides the {old.authority or 'unlevelled'} section of {old.layer} ",
            el("span", {"class": "where"}, old_where),
        ]
    return el("div", {"class": "provenance"}, text)


def _result(result: SectionResult | None) -> Html:
    if result is None:
        return Html("")
    rate = "no scored samples" if result.rate is None else f"{result.rate:.0%} compliant"
    spec_note = "" if result.same_spec else " (an earlier version of the spec)"
    when = result.created.strftime("%Y-%m-%d")
    line = f"Latest result: {rate} (n={result.n}), {result.model}, {when}{spec_note}"
    return el("p", {"class": "result"}, line)


def _prompts(spec: Spec, section: Section) -> Html:
    blocks = []
    for tag in section.eval_tags:
        prompts: list[EvalPrompt] = [p for p in spec.eval_prompts if p.tag == tag]
        items = [
            el(
                "li",
                {},
                el("span", {"class": "sid"}, p.id),
                " ",
                p.title,
                [_message(m) for m in p.messages],
            )
            for p in prompts
        ]
        blocks.append(
            el(
                "details",
                {"class": "prompts", "id": anchor("prompts", tag)},
                el("summary", {}, f"Eval prompts [{tag}] ({len(prompts)})"),
                el("ol", {}, items),
            )
        )
    return join(blocks)


def _section(spec: Spec, section: Section, results: dict[str, SectionResult]) -> Html:
    blocks: list[Html] = []
    for block in section.blocks:
        if isinstance(block, Prose):
            blocks.append(render_markdown(block.markdown, spec))
        elif isinstance(block, Commentary):
            body = render_markdown(block.markdown, spec)
            blocks.append(el("div", {"class": "commentary"}, el("strong", {}, block.title), body))
        else:
            blocks.append(_example(block, spec))
    heading = f"h{min(section.depth + 1, 6)}"
    return el(
        "section",
        {"class": "spec-section", "id": anchor("s", section.id), "data-section": section.id},
        el(
            heading,
            {},
            section.title,
            " ",
            _badge(spec, section),
            " ",
            el("span", {"class": "sid"}, f"#{section.id}"),
        ),
        _provenance(section),
        _result(results.get(section.id)),
        blocks,
        _prompts(spec, section),
    )


def _own(spec: Spec, section: Section) -> bool:
    """Whether a composed spec's section comes from its own (last) layer."""
    origin = section.provenance
    return (
        len(spec.layers) > 1 and origin is not None and origin.layer_index == len(spec.layers) - 1
    )


def _toc(spec: Spec, sections: tuple[Section, ...]) -> Html:
    items = [
        el(
            "li",
            {"id": "toc-" + anchor("s", s.id), "class": "own" if _own(spec, s) else None},
            el("a", {"href": "#" + anchor("s", s.id)}, s.title),
            " ",
            _badge(spec, s),
            _toc(spec, s.children) if s.children else "",
        )
        for s in sections
    ]
    return el("ul", {}, items)


def _own_sections(spec: Spec) -> Html:
    """A composed spec's own sections, listed first in the contents."""
    own = [s for s in spec.walk() if _own(spec, s)]
    if not own:
        return Html("")
    links = [el("li", {}, el("a", {"href": "#" + anchor("s", s.id)}, s.title)) for s in own]
    title = spec.layers[-1].title
    return el(
        "div",
        {"class": "own-sections"},
        el("p", {"class": "toc-head"}, f"{title}: its own sections ({len(own)})"),
        el("ul", {}, links),
        el("p", {"class": "toc-head"}, "All sections"),
    )


def _search_index(spec: Spec) -> str:
    entries = []
    for section in spec.walk():
        words = [section.title, section.id, section.body, *(e.title for e in section.examples)]
        entries.append({"anchor": anchor("s", section.id), "text": " ".join(words).lower()})
    return json.dumps(entries, ensure_ascii=False)


def render_site(spec: Spec, results: dict[str, SectionResult] | None = None) -> str:
    """The whole site as one HTML document."""
    results = results or {}
    layers = " ← ".join(layer.title for layer in reversed(spec.layers))
    subtitle = " · ".join(
        part
        for part in (
            spec.version or "",
            f"{sum(1 for _ in spec.walk())} sections",
            f"layers: {layers}" if layers else "",
            spec.description or "",
        )
        if part
    )
    head = el(
        "head",
        {},
        el("meta", {"charset": "utf-8"}),
        el("meta", {"http-equiv": "Content-Security-Policy", "content": site_csp()}),
        el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        el("meta", {"name": "referrer", "content": "no-referrer"}),
        el("title", {}, spec.title or "spec"),
        el("link", {"rel": "icon", "href": "data:,"}),
        Html(f"<style>{SITE_CSS}</style>"),
    )
    nav = el(
        "nav",
        {"aria-label": "Table of contents"},
        el(
            "label",
            {"class": "search-label"},
            "Search the spec",
            el("input", {"type": "search", "id": "sw-search"}),
        ),
        el("p", {"id": "sw-search-count", "role": "status"}),
        _own_sections(spec),
        _toc(spec, spec.sections),
    )
    preamble = render_markdown(spec.preamble, spec) if spec.preamble.strip() else ""
    main = el("main", {}, preamble, [_section(spec, s, results) for s in spec.walk()])
    body = el(
        "body",
        {},
        el("header", {}, el("h1", {}, spec.title or "spec"), el("p", {}, subtitle)),
        el("div", {"class": "layout"}, nav, main),
        Html(
            '<script type="application/json" id="sw-search-index">'
            f"{json_for_script(_search_index(spec))}</script>"
        ),
        Html(f"<script>{SITE_SCRIPT}</script>"),
    )
    return f"<!DOCTYPE html>\n{el('html', {'lang': 'en'}, head, body)}\n"


def write_site(
    spec: Spec, directory: Path, results: dict[str, SectionResult] | None = None
) -> Path:
    """Write ``directory/index.html``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "index.html"
    target.write_text(render_site(spec, results), encoding="utf-8")
    return target
