"""The HTTP protocol uvicorn runs the gateway with: httptools' parser plus a header timeout.

uvicorn closes a keep-alive connection that stays idle after an answer, but not one that
opens and never finishes its headers, nor one that starts a next request and stalls: 200 such
connections stayed open for as long as a probe waited (75 s). Here every request's headers
must arrive within ``header_timeout`` seconds of the connection or of the request's first
byte; otherwise the connection is closed. An answer sent meanwhile does not stop the clock of a
pipelined request whose headers have begun (it used to: such headers could trickle forever);
between requests, idle, uvicorn's keep-alive timeout applies. The body has its own timeout in
the app (a 408).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HEADER_TIMEOUT_STATE", "GuardedHttpProtocol", "uvicorn_options"]

HEADER_TIMEOUT_STATE = "specwright.header_timeout"
"""The lifespan state key that carries the header timeout to every connection."""

_DEFAULT_HEADER_TIMEOUT = 10.0


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose headers do not arrive in time."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        timeout = self.app_state.get(HEADER_TIMEOUT_STATE, _DEFAULT_HEADER_TIMEOUT)
        self._header_timer = self.loop.call_later(timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """The options every gateway server passes to uvicorn (the CLI's and the tests')."""
    return {"http": GuardedHttpProtocol, "timeout_keep_alive": 5}
