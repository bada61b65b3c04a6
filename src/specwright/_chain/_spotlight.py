"""Spotlighting: isolate no-authority content between per-request random boundary markers.

A boundary is ``<<<untrusted:TOKEN:N>>>`` … ``<<</untrusted:TOKEN:N>>>`` with ``TOKEN`` from
:func:`secrets.token_hex`, drawn again while it occurs anywhere in the request, so content can
neither contain nor guess the real markers. Marker-like text inside isolated content (our
marker shape with any token, and ``</untrusted>``-style tags) is neutralised as well, so that
it cannot even look like a boundary. Modes: ``delimit`` (markers only), ``datamark`` (also
replace spaces inside isolated content with a mark character) and ``encode`` (base64).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from specwright._errors import ConfigurationError

__all__ = [
    "DATAMARK",
    "Boundary",
    "SpotlightMode",
    "check_mode",
    "neutralise",
    "new_boundary",
    "transform",
]

SpotlightMode: TypeAlias = Literal["delimit", "datamark", "encode"]
"""How isolated content is presented."""

DATAMARK = "\u02c6"
"""The default datamark character (ˆ) that replaces spaces inside isolated content."""

_MARKER_LIKE = re.compile(r"<(<<\s*/?\s*untrusted|\s*/\s*untrusted(?:_text)?\s*>)", re.IGNORECASE)
_MAX_DRAWS = 64


@dataclass(frozen=True)
class Boundary:
    """The per-request token and the markers built from it."""

    token: str
    """Random hex, absent from every text of the request."""

    def begin(self, block: int) -> str:
        """The opening marker of isolated block ``block``."""
        return f"<<<untrusted:{self.token}:{block}>>>"

    def end(self, block: int) -> str:
        """The closing marker of isolated block ``block``."""
        return f"<<</untrusted:{self.token}:{block}>>>"

    @property
    def begin_pattern(self) -> str:
        """The opening marker with ``N`` for the block number (for the preamble)."""
        return f"<<<untrusted:{self.token}:N>>>"

    @property
    def end_pattern(self) -> str:
        """The closing marker with ``N`` for the block number."""
        return f"<<</untrusted:{self.token}:N>>>"

    def wrap(self, block: int, body: str) -> str:
        """``body`` between block ``block``'s markers, each on its own line."""
        return f"{self.begin(block)}\n{body}\n{self.end(block)}"


def new_boundary(texts: Iterable[str], token_factory: Callable[[], str] | None = None) -> Boundary:
    """A boundary whose token occurs in none of ``texts``.

    ``token_factory`` (default: 8 random bytes as hex) exists so that tests can force
    collisions; a factory that keeps colliding raises :class:`ConfigurationError`.
    """
    factory = token_factory or (lambda: secrets.token_hex(8))
    corpus = "\x00".join(texts)
    for _ in range(_MAX_DRAWS):
        token = factory()
        if token and token not in corpus:
            return Boundary(token)
    raise ConfigurationError("could not draw a boundary token absent from the request")


def neutralise(text: str) -> str:
    """Defuse marker-like text: its leading ``<`` becomes ``‹`` (U+2039)."""
    return _MARKER_LIKE.sub(lambda m: "\u2039" + m.group(1), text)


def transform(text: str, mode: SpotlightMode, mark: str = DATAMARK) -> str:
    """``text`` neutralised and transformed for ``mode``: the body of an isolated block."""
    return _TRANSFORMS[mode](neutralise(text), mark)


def _delimit(text: str, mark: str) -> str:
    return text


def _datamark(text: str, mark: str) -> str:
    return text.replace(" ", mark)


def _encode(text: str, mark: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


_TRANSFORMS: dict[SpotlightMode, Callable[[str, str], str]] = {
    "delimit": _delimit,
    "datamark": _datamark,
    "encode": _encode,
}


def check_mode(mode: str) -> SpotlightMode:
    """``mode`` if it is a known spotlighting mode, else :class:`ConfigurationError`."""
    if mode not in _TRANSFORMS:
        raise ConfigurationError(
            f"unknown spotlight mode {mode!r} (known: {', '.join(_TRANSFORMS)})"
        )
    return mode
