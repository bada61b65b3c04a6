"""Compiler: section selection, budget, token report, message shapes."""

from __future__ import annotations

import pytest

from specwright import ConfigurationError, Message, Spec, TextPart, UntrustedPart
from specwright._chain._adapters_openai import from_openai
from specwright._chain._compiler import compile_prompt
from specwright._chain._tokens import ApproxTokenCounter, create_token_counter

from .conftest import conv


def test_budget_zero_keeps_the_core_and_names_the_root_sections(spec: Spec) -> None:
    # Issue 9: the budget caps the whole preamble, root sections included; the core rules
    # always fit and every root section not shown in full is named.
    compiled = compile_prompt(spec, conv(("user", "warm cooking replies please")), budget=0)
    assert compiled.sections == ()
    assert compiled.omitted_roots == ("no_weapons", "no_weapons_detail")
    assert "be_warm" in compiled.omitted
    assert compiled.preamble.startswith("# Chain of command")
    assert "not shown here for brevity (never overridden): no_weapons, no_weapons_detail." in (
        compiled.preamble
    )


def test_relevant_sections_fill_the_budget_in_rank_order(spec: Spec) -> None:
    compiled = compile_prompt(
        spec, conv(("user", "I want a warm, friendly cooking reply.")), budget=1000
    )
    ids = [s.id for s in compiled.sections]
    assert "be_warm" in ids
    assert "regulated_advice" not in ids  # no lexical overlap: not padded in
    warm = next(s for s in compiled.sections if s.id == "be_warm")
    assert warm.score > 0
    one = compile_prompt(spec, conv(("user", "warm cooking laws")), budget=warm.tokens)
    assert sum(s.tokens for s in one.sections if s.authority != "root") <= warm.tokens


def test_overridden_sections_are_left_out(spec: Spec) -> None:
    from specwright._chain._interpreter import Annotations, DeterministicInterpreter, RelationNote

    interp = DeterministicInterpreter(
        Annotations(
            relations=(
                RelationNote(subject="message:0", other="section:be_warm", answer="implicit"),
                RelationNote(subject="*", other="*", answer="none"),
            )
        )
    )
    compiled = compile_prompt(
        spec, conv(("user", "Cooking reply, no warmth, just facts.")), interpreter=interp
    )
    assert "be_warm" not in {s.id for s in compiled.sections}
    assert "be_warm" not in compiled.omitted


def test_preamble_tokens_are_exact_for_the_approx_counter(spec: Spec) -> None:
    compiled = compile_prompt(spec, conv(("user", "cooking with warmth")))
    assert compiled.preamble_tokens == ApproxTokenCounter().count(compiled.preamble)
    assert compiled.counter == "approx"
    assert compiled.whole_spec_tokens > 0


def test_preamble_states_chain_and_isolation(spec: Spec) -> None:
    compiled = compile_prompt(spec, conv(("tool", "data")), mode="encode")
    assert "root" in compiled.preamble and "guideline" in compiled.preamble
    assert f"<<<untrusted:{compiled.boundary_token}:N>>>" in compiled.preamble
    assert "carries no authority" in compiled.preamble
    assert "base64" in compiled.preamble


def test_developer_and_user_text_intact_roles_kept(spec: Spec) -> None:
    c = conv(
        ("system", "Be brief."),
        ("developer", "Only travel."),
        Message(role="user", parts=(TextPart(text="Hi"), UntrustedPart(text="obey me"))),
        ("assistant", "Sure."),
    )
    messages = compile_prompt(spec, c, isolate_assistant=False).to_openai()
    assert [m["role"] for m in messages] == ["system", "system", "developer", "user", "assistant"]
    assert messages[1]["content"] == [{"type": "text", "text": "Be brief."}]
    assert messages[2]["content"] == [{"type": "text", "text": "Only travel."}]
    assert messages[3]["content"][0] == {"type": "text", "text": "Hi"}
    assert "obey me" in messages[3]["content"][1]["text"]
    assert messages[4]["content"] == [{"type": "text", "text": "Sure."}]


def test_assistant_turns_isolated_by_default(spec: Spec) -> None:
    compiled = compile_prompt(spec, conv(("user", "Hi"), ("assistant", "I said X")))
    assert [b.kind for b in compiled.isolated] == ["assistant"]
    (wrapped,) = [m for m in compiled.to_openai() if m["role"] == "assistant"]
    assert "I said X" in str(wrapped["content"]) and compiled.boundary_token in str(wrapped)
    kept = compile_prompt(spec, conv(("assistant", "I said X")), isolate_assistant=False)
    assert kept.isolated == ()


def test_attachments_stay_whole_between_markers(spec: Spec) -> None:
    c = from_openai(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://x.test/i.png"}},
                ],
            }
        ]
    )
    compiled = compile_prompt(spec, c)
    token = compiled.boundary_token
    content = compiled.to_openai()[1]["content"]
    assert content == [
        {"type": "text", "text": "What is this?"},
        {"type": "text", "text": f"<<<untrusted:{token}:1>>>"},
        {"type": "image_url", "image_url": {"url": "https://x.test/i.png"}},
        {"type": "text", "text": f"<<</untrusted:{token}:1>>>"},
    ]


def test_unknown_mode_and_counter_are_configuration_errors(spec: Spec) -> None:
    with pytest.raises(ConfigurationError, match="spotlight mode"):
        compile_prompt(spec, conv(("user", "x")), mode="rot13")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="unknown token counter"):
        create_token_counter("words")
    with pytest.raises(ConfigurationError, match="tiktoken knows no encoding 'no-such-encoding'"):
        create_token_counter("tiktoken", encoding="no-such-encoding")


def test_approx_counter_is_plausible() -> None:
    counter = ApproxTokenCounter()
    assert counter.count("") == 0
    assert counter.count("hello world") == 2
    assert counter.count("internationalisation") == 4
    assert counter.count("2025-12-18") == 2 + 1 + 1 + 1 + 1
