"""The HTML page shell shared by the run report and the history report."""

from __future__ import annotations

from specwright._html._assets import CSS, SCRIPT, content_security_policy
from specwright._html._escape import Html, el, json_for_script

__all__ = ["page"]


def page(title: str, subtitle: str, body: Html, *, data_json: str | None = None) -> str:
    """A complete, self-contained document: CSP, style, body, optional data and script.

    ``data_json`` is embedded in a non-executable ``application/json`` block (escaped so
    that no string inside it can close the block) for tools that want the numbers back.
    """
    head = el(
        "head",
        {},
        el("meta", {"charset": "utf-8"}),
        el("meta", {"http-equiv": "Content-Security-Policy", "content": content_security_policy()}),
        el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        el("meta", {"name": "referrer", "content": "no-referrer"}),
        el("title", {}, title),
        # An empty data: icon stops the browser from asking the network for /favicon.ico.
        el("link", {"rel": "icon", "href": "data:,"}),
        Html(f"<style>{CSS}</style>"),
    )
    data = (
        Html(
            '<script type="application/json" id="specwright-data">'
            f"{json_for_script(data_json)}</script>"
        )
        if data_json is not None
        else Html("")
    )
    header = el("header", {}, el("h1", {}, title), el("p", {}, subtitle))
    document = el(
        "html",
        {"lang": "en"},
        head,
        el("body", {}, header, el("main", {}, body), data, Html(f"<script>{SCRIPT}</script>")),
    )
    return f"<!DOCTYPE html>\n{document}\n"
