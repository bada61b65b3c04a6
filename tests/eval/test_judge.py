"""The judge: strict parsing, unscored reasons, median aggregation, explicit sampling settings."""

from __future__ import annotations

import asyncio
import json

from inspect_ai.model import GenerateConfig, get_model

from specwright._eval._judge import GraderSettings, aggregate, parse_grade, run_grader
from specwright._results import Grade
from tests.eval.conftest import output


def grade(score: int, compliant: bool, rationale: str = "r") -> str:
    return json.dumps({"score": score, "compliant": compliant, "rationale": rationale})


def test_parse_valid_grade_even_inside_a_code_fence() -> None:
    g = parse_grade("```json\n" + grade(6, True, "fine") + "\n```")
    assert (g.score, g.compliant, g.rationale, g.error) == (6, True, "fine", None)


def test_unparseable_invalid_and_refused_grades_are_unscored_with_a_reason() -> None:
    cases = {
        "I'd rather not.": "unparseable: no JSON object",
        '{"score": 6, "compliant": tru}': "unparseable",
        grade(9, True): "invalid: score",
        '{"score": "6", "compliant": true}': "invalid: score",
        '{"score": 6}': "invalid: compliant",
    }
    for text, reason in cases.items():
        g = parse_grade(text)
        assert g.score is None and g.compliant is None
        assert g.error is not None and g.error.startswith(reason), (text, g.error)
    assert (parse_grade(grade(6, True), refused=True).error or "").startswith("refused")


def test_median_and_majority() -> None:
    grades = [parse_grade(grade(s, c, str(s))) for s, c in [(2, False), (6, True), (7, True)]]
    v = aggregate(grades, tokens=9)
    assert (v.compliant, v.score, v.rationale, v.grader_tokens) == (True, 6.0, "6", 9)


def test_one_scored_sample_is_enough_and_ties_go_to_the_median_score() -> None:
    unscored = Grade(score=None, compliant=None, error="unparseable: x")
    v = aggregate([unscored, parse_grade(grade(3, False)), unscored])
    assert (v.compliant, v.score, v.unscored_reason) == (False, 3.0, None)
    tie = aggregate([parse_grade(grade(5, True)), parse_grade(grade(2, False))])
    assert (tie.compliant, tie.score) == (False, 3.5)


def test_all_unscored_is_unscored_never_a_failure() -> None:
    v = aggregate([Grade(score=None, compliant=None, error="refused: no")] * 3)
    assert v.compliant is None and v.score is None and v.unscored_reason == "refused: no"


def test_run_grader_sets_temperature_and_seed_per_sample() -> None:
    seen: list[GenerateConfig] = []

    def scripted(inputs: object, tools: object, choice: object, config: GenerateConfig) -> object:
        seen.append(config)
        return output(grade(6, True))

    model = get_model("mockllm/model", custom_outputs=scripted)
    settings = GraderSettings(samples=3, temperature=0.2, seed=7)
    verdict = asyncio.run(run_grader(model, "sys", "prompt", settings))
    assert verdict.compliant is True and verdict.grader_tokens == 90 and len(verdict.grades) == 3
    assert sorted(c.seed for c in seen) == [7, 8, 9] and {c.temperature for c in seen} == {0.2}
