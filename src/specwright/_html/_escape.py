"""A tiny HTML builder that escapes every string it is given.

Text from transcripts and specs is untrusted: it reaches the page only through :func:`el`
and :func:`text`, which escape it, never through string formatting. Attribute names are
checked against an allow-list so that no event handler (``on…``) or ``style`` attribute can
be produced, and link targets are limited to in-page fragments or same-origin paths built by
:func:`app_path` (each segment percent-encoded), so no ``javascript:`` URL can appear either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import quote, urlencode

__all__ = ["AppPath", "Html", "app_path", "el", "join", "json_for_script", "text"]


class Html(str):
    """A string that is already safe markup (built by :func:`el`, never from raw input)."""

    __slots__ = ()


class AppPath(str):
    """A same-origin path (``/runs/x?page=2``) built by :func:`app_path`, never from raw input."""

    __slots__ = ()


def app_path(*segments: str, **query: object) -> AppPath:
    """``/seg/seg?key=value``: every segment and value percent-encoded (``None`` values dropped).

    The result always starts with one ``/`` followed by an encoded segment, so it can be
    neither a scheme (``javascript:``) nor a network path (``//host``).
    """
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    pairs = [(k, str(v)) for k, v in query.items() if v is not None]
    return AppPath(path + ("?" + urlencode(pairs) if pairs else ""))


# Only these attributes may be produced: no event handlers, no inline style (the CSP would
# block it anyway), no URLs except in-page fragments (checked below).
_ALLOWED_ATTRS = frozenset(
    {
        "id",
        "class",
        "href",
        "title",
        "lang",
        "charset",
        "name",
        "content",
        "http-equiv",
        "open",
        "role",
        "type",
        "nonce",
        "rel",
        "colspan",
        "aria-label",
        "aria-hidden",
        "viewBox",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "x2",
        "y1",
        "y2",
        "cx",
        "cy",
        "r",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-dasharray",
        "text-anchor",
        "font-size",
        "dominant-baseline",
        "xmlns",
        "points",
        "data-section",
        "data-run",
        "data-verdict",
        "data-series",
        "data-status",
        "data-part",
        "transform",
        "opacity",
        "focusable",
        "hidden",
        # forms (the studio): their targets are checked like links, below
        "action",
        "method",
        "value",
        "for",
        "placeholder",
        "rows",
        "maxlength",
        "required",
        "autocomplete",
        "accesskey",
        "checked",
        "disabled",
        "aria-current",
        "data-sample",
        "data-filter",
    }
)
_FRAGMENT = re.compile(r"#[A-Za-z][A-Za-z0-9_-]*\Z")
_VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})


def text(value: object) -> Html:
    """Escape ``value`` (any object, through ``str``) for use as element content."""
    return Html(html.escape(str(value), quote=True))


def join(parts: Iterable[Html]) -> Html:
    """Concatenate already-safe fragments."""
    return Html("".join(parts))


def el(tag: str, attrs: dict[str, object] | None = None, *children: object) -> Html:
    """Build ``<tag attrs>children</tag>``; strings are escaped, :class:`Html` is kept.

    ``None`` and ``False`` attribute values are dropped, ``True`` gives a bare attribute.
    Children may be nested iterables of strings and :class:`Html`.
    """
    rendered = "".join(_attr(name, value) for name, value in (attrs or {}).items())
    if tag in _VOID:
        return Html(f"<{tag}{rendered}>")
    return Html(f"<{tag}{rendered}>{_children(children)}</{tag}>")


def _attr(name: str, value: object) -> str:
    if name not in _ALLOWED_ATTRS:
        raise ValueError(f"attribute {name!r} is not allowed in reports")
    if value is None or value is False:
        return ""
    if value is True:
        return f" {name}"
    rendered = str(value)
    if name in ("href", "action") and not _allowed_target(name, value):
        raise ValueError(f"only in-page links are allowed in reports, got {rendered!r}")
    return f' {name}="{html.escape(rendered, quote=True)}"'


def _allowed_target(name: str, value: object) -> bool:
    if isinstance(value, AppPath):
        return True
    return name == "href" and (bool(_FRAGMENT.match(str(value))) or value == "data:,")


def _children(children: Iterable[object]) -> str:
    out: list[str] = []
    for child in children:
        if child is None:
            continue
        if isinstance(child, Html):
            out.append(child)
        elif isinstance(child, str | int | float):
            out.append(text(child))
        elif isinstance(child, Iterable):
            out.append(_children(child))
        else:
            out.append(text(child))
    return "".join(out)


def json_for_script(data: str) -> Html:
    """Make a JSON text safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``…, which JSON parsers read back unchanged, so a
    string holding ``</script>`` or ``<!--`` cannot end the block. U+2028/9 are escaped too.
    """
    safe = (
        data.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Html(safe)
