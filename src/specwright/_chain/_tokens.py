"""Token counters, and the one token model the compiler and the judge's budgets share.

``approx`` (the default) needs nothing: it counts word pieces and punctuation the way BPE
tokenizers for English roughly do (short words one token, long words one more per four
characters, digits in threes, each punctuation mark one). Its counts are **estimates**: they
have not been measured against a real tokenizer here (the encodings cannot be downloaded
offline), so every figure made with it is labelled as an estimate where it is shown.
``tiktoken`` is exact but needs its encoding file, which is downloaded on first use; it raises
:class:`ConfigurationError` when that is impossible.

:func:`estimate_tokens` and :func:`clip_to_tokens` are that same estimate for code that has no
counter to hand (the grader prompt's budgets), so the compiler's preamble and the judge's
prompt are priced by one model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

from specwright._errors import ConfigurationError
from specwright._registry import Registry

__all__ = [
    "TOKEN_COUNTERS",
    "ApproxTokenCounter",
    "TiktokenCounter",
    "TokenCounter",
    "clip_to_tokens",
    "create_token_counter",
    "estimate_tokens",
    "is_exact",
    "token_counter",
]

# One piece per match: a word (letters), up to three digits (digit runs cost one token per
# three), or one punctuation mark. The classes are disjoint, so one pass finds the same
# pieces as a pass per class would.
_PIECE = re.compile(r"[^\W\d_]+|\d{1,3}|[^\w\s]|_")
_LONG = 10  # words this long cost one token more per four characters past six


@runtime_checkable
class TokenCounter(Protocol):
    """Counts tokens of a text."""

    name: str
    """The registry name (``approx``, ``tiktoken``). A counter whose counts are exact also
    sets ``exact = True``; without it, its counts are shown as estimates."""

    def count(self, text: str) -> int:
        """The number of tokens in ``text``."""
        ...


TokenCounterFactory = Callable[..., TokenCounter]
"""What the registry holds: usually the counter class."""

TOKEN_COUNTERS: Registry[TokenCounterFactory] = Registry(
    "token counter", "specwright.token_counters"
)
"""Token counters by name; plugins add theirs through ``specwright.token_counters``."""

_F = TypeVar("_F", bound=TokenCounterFactory)


def token_counter(name: str) -> Callable[[_F], _F]:
    """Register a token counter factory under ``name``."""
    return TOKEN_COUNTERS.register(name)


def create_token_counter(name: str = "approx", **options: Any) -> TokenCounter:
    """Build the token counter registered as ``name``."""
    return TOKEN_COUNTERS.get(name)(**options)


@token_counter("approx")
class ApproxTokenCounter:
    """An approximate, dependency-free counter (see the module docstring)."""

    name = "approx"
    exact = False

    def count(self, text: str) -> int:
        """Approximate BPE token count of ``text``."""
        # One regex pass (in C); only pieces of _LONG characters or more are words that cost
        # extra (digit pieces have at most three, punctuation one).
        pieces = _PIECE.findall(text)
        return len(pieces) + sum((len(p) - 6) // 4 for p in pieces if len(p) >= _LONG)


@token_counter("tiktoken")
class TiktokenCounter:
    """Exact counts with ``tiktoken``; its encoding must be loadable (cached or downloadable)."""

    name = "tiktoken"
    exact = True

    def __init__(self, encoding: str = "o200k_base") -> None:
        try:
            import tiktoken

            self._encoding = tiktoken.get_encoding(encoding)
        except ImportError:
            raise ConfigurationError("tiktoken is not installed (pip install tiktoken)") from None
        except ValueError:
            raise ConfigurationError(f"tiktoken knows no encoding {encoding!r}") from None
        except OSError as exc:  # requests' errors are OSErrors: offline and not cached
            raise ConfigurationError(
                f"tiktoken encoding {encoding!r} is not available offline ({type(exc).__name__}); "
                "use the 'approx' counter or set TIKTOKEN_CACHE_DIR to a directory holding it"
            ) from exc

    def count(self, text: str) -> int:
        """Exact token count of ``text``."""
        return len(self._encoding.encode(text, disallowed_special=()))


def is_exact(counter: TokenCounter) -> bool:
    """Whether ``counter``'s counts are exact (otherwise they are estimates)."""
    return bool(getattr(counter, "exact", False))


_APPROX = ApproxTokenCounter()
_TRUNCATED = "\n[… truncated]"


def estimate_tokens(text: str) -> int:
    """The ``approx`` estimate of ``text``, at least one token."""
    return max(1, _APPROX.count(text))


def clip_to_tokens(text: str, tokens: int, counter: TokenCounter | None = None) -> str:
    """``text`` if it fits ``tokens``, else its head plus a truncation mark that fits."""
    counter = counter or _APPROX
    if counter is _APPROX and len(text) <= tokens:
        return text  # fast path: the estimate never exceeds one token per character
    total = counter.count(text)
    if total <= tokens:
        return text
    cut = len(text)
    used = total + counter.count(_TRUNCATED)
    for _ in range(12):  # proportional shrinking: one or two rounds reach the budget
        cut = min(cut - 1, int(cut * tokens / max(1, used) * 0.97))
        if cut <= 0:
            break
        head = text[:cut].rstrip() + _TRUNCATED
        used = counter.count(head)
        if used <= tokens:
            return head
    return _TRUNCATED.strip()
