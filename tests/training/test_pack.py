"""``pack``: within budget, every line traceable to a section, root rules first."""

from __future__ import annotations

import re

import pytest

from specwright import Spec, read_spec
from specwright._chain._tokens import create_token_counter
from specwright._errors import ConfigurationError
from specwright._training import pack_spec
from tests._factories import small_spec
from tests._paths import require_real_spec

_SECTION_REF = re.compile(r"§([\w-]+)")


@pytest.fixture(scope="module")
def real_spec() -> Spec:
    return read_spec(require_real_spec())


@pytest.mark.parametrize("budget", [1000, 2000, 8000])
def test_real_spec_pack_stays_within_budget_and_names_its_sections(
    real_spec: Spec, budget: int
) -> None:
    packed = pack_spec(real_spec, budget)
    counter = create_token_counter("approx")
    assert packed.tokens == counter.count(packed.text) <= budget
    assert packed.tokens > budget * 0.8, "the budget should be used, not wasted"
    referenced = set(_SECTION_REF.findall(packed.text))
    assert set(packed.summarised) <= referenced
    assert all(real_spec.get(section_id) is not None for section_id in referenced)
    for line in packed.text.splitlines():
        if line.startswith("- "):
            assert _SECTION_REF.search(line), f"untraceable line: {line[:80]}"


def test_more_budget_summarises_more_and_root_comes_first(real_spec: Spec) -> None:
    small, large = pack_spec(real_spec, 1000), pack_spec(real_spec, 8000)
    assert len(small.summarised) < len(large.summarised)
    assert set(small.summarised) <= set(large.summarised)
    roots = {s.id for s in real_spec.walk() if real_spec.effective_authority(s.id) == "root"}
    # With a small budget, every section summarised is a root section (root goes first).
    assert set(small.summarised) <= roots
    assert large.with_example, "an 8k pack has room for examples"


def test_chain_core_always_included_and_too_small_budget_is_an_error() -> None:
    packed = pack_spec(small_spec(), 400)
    assert "# Chain of command" in packed.text
    with pytest.raises(ConfigurationError, match="too small for the chain-of-command core"):
        pack_spec(small_spec(), 50)


_ORDER_SPEC = """# Rules {#rules}

## Be kind {#kind authority=user}

Be kind to the user.

## The chain of command {#chain_of_command authority=root}

Follow orders by level.

## Never lie {#never_lie authority=root}

Act under the [?](#chain_of_command) at all times --- no exceptions.
"""


def test_rules_are_listed_highest_authority_first_and_read_as_prose() -> None:
    # Issue 24.6: a [user] rule came before [root] ones under "highest authority first", and
    # the text read "under the The chain of command" with a literal `---`.
    from specwright import parse_spec

    packed = pack_spec(parse_spec(_ORDER_SPEC), 2000)
    rules = [line for line in packed.text.splitlines() if line.startswith("- [")]
    assert [line.split("]")[0] for line in rules] == ["- [root", "- [root", "- [user"]
    assert "(§chain_of_command)" in rules[0] and "(§never_lie)" in rules[1]
    assert "under the chain of command at all times — no exceptions." in rules[1]
    assert "---" not in packed.text and "the The" not in packed.text
