"""One token and spec-text model: the compiler and the judge's budgets price text alike, and
estimates say they are estimates."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from specwright._chain import _tokens
from specwright._chain._compiler import compile_prompt
from specwright._chain._spec_index import SpecIndex
from specwright._chain._spec_text import whole_spec_text
from specwright._eval import _prompt

from .conftest import chain_spec, conv

_PER_CLASS = [re.compile(p) for p in (r"[^\W\d_]+", r"\d{1,3}", r"[^\w\s]|_")]


def _count_per_class(text: str) -> int:
    """The estimate as first written, one regex pass per class: the reference."""
    long_words = re.findall(r"[^\W\d_]{10,}", text)
    return sum(len(r.findall(text)) for r in _PER_CLASS) + sum(
        (len(w) - 6) // 4 for w in long_words
    )


_TEXT = st.lists(
    st.sampled_from([*"aZé ß_\t\n.,!—…0123456789²½٣\u200b", "word", "internationalisation"])
    | st.text(max_size=3),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_one_pass_estimate_counts_as_the_pass_per_class(text: str) -> None:
    assert _tokens.ApproxTokenCounter().count(text) == _count_per_class(text)


def test_one_pass_estimate_on_the_spec_texts() -> None:
    text = whole_spec_text(chain_spec()) + _tokens.__doc__  # type: ignore[operator]
    assert _tokens.estimate_tokens(text) == _count_per_class(text)


def test_judge_and_compiler_share_the_estimate_and_the_spec_text() -> None:
    spec = chain_spec()
    assert _prompt.estimate_tokens is _tokens.estimate_tokens
    text = "Hello, world: 12345 internationalisation!"
    assert _tokens.estimate_tokens(text) == _tokens.ApproxTokenCounter().count(text)
    judge_whole = _prompt.whole_spec_prompt_tokens(spec)
    system = _tokens.estimate_tokens(_prompt.grader_system_prompt() + "\n\n")
    spec_only = _tokens.estimate_tokens(whole_spec_text(spec))
    assert abs(judge_whole - (system + spec_only)) <= 2  # one join between the two texts
    assert SpecIndex.build(spec).whole_spec_tokens == _tokens.estimate_tokens(whole_spec_text(spec))


def test_clip_fits_the_budget() -> None:
    rng = random.Random(7)
    words = ["a", "internationalisation", "12345", "!", "spec", "—", "tokens"]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 400)))
        budget = rng.randint(5, 300)
        clipped = _tokens.clip_to_tokens(text, budget)
        assert _tokens.estimate_tokens(clipped) <= max(budget, 4)
        assert clipped == text or clipped.endswith("[… truncated]")


def test_estimates_are_labelled() -> None:
    compiled = compile_prompt(chain_spec(), conv(("user", "hi")))
    assert compiled.tokens_exact is False and compiled.counter == "approx"
    assert not _tokens.is_exact(_tokens.ApproxTokenCounter())
    assert "within about 20%" not in (_tokens.__doc__ or "")
