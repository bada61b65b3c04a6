"""Protection of the studio's state-changing requests against cross-site requests.

Two checks, as datasette does with asgi-csrf, and both must pass on every POST:

- **a token**: each browser gets a random token in a ``SameSite=Strict``, ``HttpOnly``
  cookie, and every form carries the same token in a hidden field; a POST whose field does
  not equal its cookie is refused (another site can make a browser send the cookie, but
  cannot read it to put it in the form);
- **the origin**: a POST's ``Origin`` (or, without one, its ``Referer``) must be the origin the
  request was sent to, and ``Sec-Fetch-Site``, when the browser sends it, must say
  ``same-origin``.

The ``Host`` itself is checked against the served hosts for every request (against DNS
rebinding) by :class:`specwright._studio._guard.Guard`.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

__all__ = ["COOKIE", "FIELD", "refusal", "token"]

COOKIE = "specwright_csrf"
"""The cookie holding the browser's token."""
FIELD = "csrftoken"
"""The form field that must repeat it."""

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}\Z")


def token(request: Request) -> tuple[str, bool]:
    """The browser's token, and whether it is new (and must be set as a cookie)."""
    current = request.cookies.get(COOKIE, "")
    if _TOKEN.match(current):
        return current, False
    return secrets.token_urlsafe(32), True


def refusal(request: Request, form: dict[str, str]) -> str | None:
    """Why a POST is refused as cross-site, or ``None`` when it may proceed."""
    cookie = request.cookies.get(COOKIE, "")
    sent = form.get(FIELD, "")
    if not (_TOKEN.match(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())):
        return "the form's security token is missing or stale: reload the page and try again"
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return "a request from another site was refused"
    origin = request.headers.get("origin") or _origin_of(request.headers.get("referer"))
    if origin is not None and origin != _own_origin(request):
        return "a request from another origin was refused"
    return None


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
