"""One token and spec-text model: the compiler and the judge's budgets price text alike, and
estimates say they are estimates."""

from __future__ import annotations

import random

from specwright._chain import _tokens
from specwright._chain._compiler import compile_prompt
from specwright._chain._spec_index import SpecIndex
from specwright._chain._spec_text import whole_spec_text
from specwright._eval import _prompt

from .conftest import chain_spec, conv


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
