"""What every studio request passes and every response carries, as one plain ASGI middleware.

- **The host**: a request whose ``Host`` is not one the studio serves is refused (400) before
  any view runs. A page on ``evil.example`` whose name an attacker re-points at 127.0.0.1
  (DNS rebinding) reaches the studio with its own name in ``Host``, so it is refused. The
  name is compared without its port, IPv6 literals in their brackets (``[::1]:8765``) and
  compressed (``[0:0:0:0:0:0:0:1]`` is ``[::1]``), as RFC 9110 writes them.
- **The headers**: the strict Content-Security-Policy of the pages and their neighbours.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specwright._studio import _pages

__all__ = ["LOOPBACK", "Guard", "host_name"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""The names every studio serves: it listens on loopback unless told otherwise."""


def host_name(value: str) -> str | None:
    """The name of a ``Host`` value, or of a ``--host``/``--allow-host`` setting: lowercased,
    without its port or an IPv6 literal's brackets; ``None`` when it is malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, port = value[1:].partition("]")
        if not bracket or not _ipv6(name):
            return None
    elif value.count(":") > 1:  # a bare IPv6 literal: a setting (a Host header brackets it)
        return ipaddress.IPv6Address(value).compressed if _ipv6(value) else None
    else:
        name, colon, rest = value.partition(":")
        port = colon + rest
    if port and not (port.startswith(":") and port[1:].isdigit() and len(port) <= 6):
        return None
    if not name:
        return None
    return ipaddress.IPv6Address(name).compressed if ":" in name else name


def _ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


class Guard:
    """Refuses requests for other hosts; adds the security headers to every response."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str] = ()) -> None:
        self.app = app
        names = (host_name(h) for h in (*LOOPBACK, *hosts))
        self.hosts = frozenset(n for n in names if n is not None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = Headers(scope=scope).get("host", "")
        if host_name(sent) not in self.hosts:
            await self._refuse(sent)(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _refuse(sent: str) -> HTMLResponse:
        message = (
            f"this studio does not serve the host {sent[:200]!r}; "
            "start it with --allow-host NAME to serve another name"
        )
        return HTMLResponse(_pages.message_page("Unknown host", message), status_code=400)

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = _pages.CONTENT_SECURITY_POLICY
                headers["x-content-type-options"] = "nosniff"
                headers["referrer-policy"] = "same-origin"
                headers["cache-control"] = "no-store"
            await send(message)

        return send_with_headers
