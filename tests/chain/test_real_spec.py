"""The real Model Spec's chain-of-command examples, at structure level."""

from __future__ import annotations

from functools import lru_cache

import pytest

from specwright import Spec, read_spec
from specwright._chain._compiler import compile_prompt
from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation
from specwright._chain._interpreter import Annotations, DeterministicInterpreter, RelationNote
from specwright._chain._resolution import resolve
from specwright._chain._tokens import ApproxTokenCounter
from specwright._model import UntrustedPart
from tests._paths import require_real_spec

pytestmark = pytest.mark.realspec

ROLE_AUTHORITY = {
    "system": "system",
    "developer": "developer",
    "user": "user",
    "assistant": "none",
    "tool": "none",
}


@lru_cache(maxsize=1)
def _spec() -> Spec:
    return read_spec(require_real_spec())


@pytest.fixture
def real() -> Spec:
    return _spec()


def _example(spec: Spec, section: str, n: int) -> Conversation:
    (example,) = [e for e in spec.get(section).examples if e.id == f"{section}/example-{n}"]  # type: ignore[union-attr]
    return Conversation.from_messages(example.messages)


def _chain_examples(spec: Spec) -> list[tuple[str, Conversation]]:
    chain = spec.get("chain_of_command")
    assert chain is not None
    return [
        (e.id, Conversation.from_messages(e.messages))
        for section in chain.walk()
        for e in section.examples
    ]


def test_every_chain_of_command_example_gets_authority_by_structure(real: Spec) -> None:
    examples = _chain_examples(real)
    assert len(examples) >= 10
    for example_id, conversation in examples:
        resolution = resolve(real, conversation)
        for part in resolution.parts():
            message = conversation.turns[part.message_index].message
            original = message.parts[part.part_index]
            expected = (
                "none" if isinstance(original, UntrustedPart) else ROLE_AUTHORITY[message.role]
            )
            assert part.authority == expected, (example_id, part)
            if expected == "none":
                assert part.status == "no_authority", (example_id, part)
        roots = [c for c in resolution.candidates if c.origin == "spec" and c.authority == "root"]
        assert roots and all(c.status == "applicable" for c in roots)


def test_untrusted_and_tool_text_never_appear_outside_isolation(real: Spec) -> None:
    for example_id, conversation in _chain_examples(real):
        compiled = compile_prompt(real, conversation)
        token = compiled.boundary_token
        for block in compiled.isolated:
            for turn in compiled.conversation.turns[1:]:
                outside = turn.message.text
                for other in compiled.isolated:
                    begin, end = (
                        f"<<<untrusted:{token}:{other.block}>>>",
                        f"<<</untrusted:{token}:{other.block}>>>",
                    )
                    if begin in outside:
                        head, _, rest = outside.partition(begin)
                        outside = head + rest.partition(end)[2]
                if block.text.strip() and len(block.text.strip()) > 20:
                    assert block.text.strip() not in outside, example_id


def test_malicious_tool_output_has_no_authority(real: Spec) -> None:
    resolution = resolve(real, _example(real, "ignore_untrusted_data", 1))
    tool = [c for c in resolution.message_candidates() if c.role == "tool"]
    assert [(c.authority, c.status, c.kind) for c in tool] == [
        ("none", "no_authority", "tool_output")
    ]


def test_quoted_comment_is_isolated_and_delegation_is_data(real: Spec) -> None:
    spam = _example(real, "ignore_untrusted_data", 2)
    compiled = compile_prompt(real, spam)
    assert [b.kind for b in compiled.isolated] == ["untrusted"]
    assert "PUGCOIN" in compiled.isolated[0].text
    # Example 3 delegates style authority to the quoted preferences: only as data we are given.
    prefs = _example(real, "ignore_untrusted_data", 3)
    parts = prefs.turns[0].message.parts
    without = resolve(real, prefs).get(f"message:0.1:0-{len(parts[1].text or '')}")
    assert without.authority == "none"
    grant = Delegation(grantor="message:0.0", source="message:0.1", level="user", note="style only")
    with_grant = resolve(real, prefs, delegations=[grant]).get(without.id)
    assert (with_grant.authority, with_grant.delegated_by) == (
        "user",
        f"message:0.0:0-{len(parts[0].text or '')}",
    )
    compiled = compile_prompt(real, prefs, delegations=[grant])
    assert "Block 1 has user-level authority" in compiled.preamble


def test_user_cannot_override_developer_in_tutoring_example(real: Spec) -> None:
    tutoring = _example(real, "follow_all_applicable_instructions", 3)
    interp = DeterministicInterpreter(
        Annotations(
            relations=(
                RelationNote(subject="message:1", other="message:0", answer="explicit"),
                RelationNote(subject="*", other="*", answer="none"),
            )
        )
    )
    resolution = resolve(real, tutoring, interpreter=interp)
    developer, user = resolution.message_candidates()
    assert developer.status == "applicable"
    assert (user.status, user.related) == ("misaligned", developer.id)


def test_system_message_cannot_override_root(real: Spec) -> None:
    conversation = _example(real, "follow_all_applicable_instructions", 4)
    interp = DeterministicInterpreter(
        Annotations(
            relations=(
                RelationNote(
                    subject="message:0",
                    other="section:sexual_content_involving_minors",
                    answer="explicit",
                ),
                RelationNote(subject="*", other="*", answer="none"),
            )
        )
    )
    resolution = resolve(real, conversation, interpreter=interp)
    system = resolution.message_candidates()[0]
    assert (system.status, system.related) == (
        "misaligned",
        "section:sexual_content_involving_minors",
    )
    assert resolution.get("section:sexual_content_involving_minors").status == "applicable"


def test_compile_reports_preamble_against_whole_spec(real: Spec) -> None:
    compiled = compile_prompt(
        real, _example(real, "follow_all_applicable_instructions", 1), budget=1500
    )
    assert compiled.whole_spec_tokens > 40_000
    # Issue 9: the budget caps the whole preamble; the most relevant root section is in full
    # and every other root section is named.
    assert compiled.preamble_tokens <= 1500
    assert "follow_all_applicable_instructions" in {s.id for s in compiled.sections}
    assert all(r in compiled.preamble for r in compiled.omitted_roots)
    assert "ignore_untrusted_data" in {s.id for s in compiled.sections} | set(
        compiled.omitted_roots
    )


def test_default_budget_keeps_the_real_preamble_under_2000_tokens(real: Spec) -> None:
    for section, n in [("follow_all_applicable_instructions", 1), ("ignore_untrusted_data", 1)]:
        compiled = compile_prompt(real, _example(real, section, n))
        assert compiled.preamble_tokens < 2000
        assert compiled.preamble_tokens == ApproxTokenCounter().count(compiled.preamble)
