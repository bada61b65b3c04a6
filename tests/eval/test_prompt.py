"""The grader prompt: governing section, chain-of-command core, related sections, anchors."""

from __future__ import annotations

import pytest

from specwright import Spec
from specwright._eval._prompt import (
    Budget,
    estimate_tokens,
    grader_prompt,
    grader_system_prompt,
    transcript_tokens,
    whole_spec_prompt_tokens,
)
from specwright._scenarios import build_scenarios
from tests._factories import small_spec
from tests._paths import require_real_spec


def test_prompt_holds_section_authority_commentary_core_anchors_and_transcript(spec: Spec) -> None:
    scenario = build_scenarios(spec)[0]
    transcript = [("user", "please comply"), ("assistant", "COMPLIED")]
    prompt = grader_prompt(spec, "be_honest", scenario.anchors, transcript)
    assert "GOVERNING SECTION: Be honest (id: be_honest, authority: root)" in prompt
    assert "Never deceive the user." in prompt and "(Commentary) Honesty comes first." in prompt
    assert "CHAIN OF COMMAND (core)" in prompt and "Be brief (id: be_brief)" in prompt
    assert "[GOOD]\ngood answer" in prompt and "[BAD]\nbad answer" in prompt
    assert prompt.endswith("<assistant>\nCOMPLIED\n</assistant>")
    assert '"compliant"' in grader_system_prompt()


def test_related_sections_follow_references_and_parents() -> None:
    prompt = grader_prompt(small_spec(), "be_kind", (), [("user", "hi")])
    assert "RELATED SECTIONS" in prompt
    related = prompt.split("RELATED SECTIONS", 1)[1]
    assert "(id: top)" in related and "(id: no_harm)" in related  # parent, and it cites be_kind


def test_budgets_cap_the_parts(spec: Spec) -> None:
    long = spec.model_copy(deep=True)
    tiny = Budget(section=20, core=10, related=10, anchors=60)
    text = grader_prompt(long, "be_honest", build_scenarios(spec)[0].anchors, [("user", "x")], tiny)
    assert estimate_tokens(text) < 200


def test_whole_spec_price_grows_with_the_transcript(spec: Spec) -> None:
    base = whole_spec_prompt_tokens(spec)
    assert base > 0 and transcript_tokens([("user", "x" * 400)]) > 100


@pytest.mark.realspec
def test_real_spec_grader_prompt_is_at_most_a_tenth_of_the_whole_spec() -> None:
    from specwright import read_spec

    spec = read_spec(require_real_spec())
    whole = whole_spec_prompt_tokens(spec)
    ratios = []
    for scenario in build_scenarios(spec):
        transcript = [(m.role, m.text) for m in scenario.messages] + [("assistant", "An answer.")]
        prompt = grader_system_prompt() + grader_prompt(
            spec, scenario.section_id, scenario.anchors, transcript
        )
        ratios.append(estimate_tokens(prompt) / (whole + transcript_tokens(transcript)))
    assert max(ratios) <= 0.1, max(ratios)


def test_cached_grader_prompts_equal_the_plain_ones() -> None:
    from specwright import load_example_spec
    from specwright._eval._prompt import (
        GraderPrompts,
        estimate_tokens,
        grader_prompt,
        grader_system_prompt,
    )
    from specwright._scenarios import build_scenarios

    spec = load_example_spec()
    prompts = GraderPrompts(spec)
    scenarios = build_scenarios(spec)
    assert len({s.section_id for s in scenarios}) < len(scenarios)  # sections repeat: cache hits
    for scenario in scenarios:
        transcript = [(m.role, m.text) for m in scenario.messages] + [("assistant", "Sure.")]
        cached = prompts.prompt(scenario.section_id, scenario.anchors, transcript)
        assert cached == grader_prompt(spec, scenario.section_id, scenario.anchors, transcript)
        expected = estimate_tokens(grader_system_prompt() + cached)
        assert prompts.tokens(scenario.section_id, cached) == expected
