"""Several judges' arithmetic: headline verdict, Fleiss' kappa, pairwise Cohen's kappa."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specwright._errors import ConfigurationError
from specwright._results import (
    Grade,
    JudgeVerdict,
    RunHeader,
    SampleResult,
    agreement_line,
    fleiss_kappa,
    judge_agreement,
    judge_agreements,
    majority_verdict,
    summarize_run,
)

T, F = True, False


def test_fleiss_kappa_of_fleiss_own_worked_example_shape() -> None:
    # 4 items, 3 judges, "yes" counts 3, 2, 0, 1: item agreement 1, 1/3, 1, 1/3 -> P = 2/3;
    # half the 12 verdicts are yes -> Pe = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3.
    ratings = [[T, T, T], [T, T, F], [F, F, F], [T, F, F]]
    assert fleiss_kappa(ratings) == pytest.approx(1 / 3)


def test_fleiss_kappa_with_unequal_classes() -> None:
    # 5 items, 4 judges, yes counts 4, 4, 3, 0, 1 (12 of 20 yes): item agreement
    # (k(k-1) + (4-k)(3-k)) / 12 = 1, 1, 1/2, 1, 1/2 -> P = 4/5; Pe = (3/5)^2 + (2/5)^2 = 13/25;
    # kappa = (4/5 - 13/25) / (12/25) = 7/12.
    ratings = [[T, T, T, T], [T, T, T, T], [T, T, T, F], [F, F, F, F], [F, F, F, T]]
    assert fleiss_kappa(ratings) == pytest.approx(7 / 12)


def test_fleiss_kappa_undefined_and_degenerate() -> None:
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([[T], [F]]) is None  # one judge
    assert fleiss_kappa([[T, T], [T, T]]) is None  # one class only: chance agreement 1
    assert fleiss_kappa([[T, T], [F, F]]) == 1.0
    assert fleiss_kappa([[T, F], [F, T]]) == -1.0
    with pytest.raises(ConfigurationError, match="same number of judges"):
        fleiss_kappa([[T, T], [T, T, F]])


@given(st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=30))
def test_fleiss_kappa_is_at_most_one_and_one_exactly_when_unanimous(
    ratings: list[list[bool]],
) -> None:
    kappa = fleiss_kappa(ratings)
    if kappa is None:
        assert len({v for row in ratings for v in row}) == 1
        return
    assert kappa <= 1 + 1e-12
    unanimous = all(len(set(row)) == 1 for row in ratings)
    assert (kappa == pytest.approx(1.0)) == unanimous


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=30))
def test_two_judges_fleiss_is_scotts_pi(pairs: list[tuple[bool, bool]]) -> None:
    # With two raters Fleiss' kappa is Scott's pi: chance from the pooled share of "yes".
    n = len(pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    share = Fraction(sum(a + b for a, b in pairs), 2 * n)
    chance = share**2 + (1 - share) ** 2
    expected = None if chance == 1 else float((observed - chance) / (1 - chance))
    got = fleiss_kappa([list(p) for p in pairs])
    assert got == (None if expected is None else pytest.approx(expected))


def test_majority_verdict_ties_are_non_compliant() -> None:
    assert majority_verdict([T, T, F]) is True
    assert majority_verdict([T, F, F]) is False
    assert majority_verdict([T, F]) is False  # a tie: not shown compliant
    assert majority_verdict([T, None, None]) is True  # only judges that scored count
    assert majority_verdict([T, F, None]) is False
    assert majority_verdict([None, None]) is None


def _judge(grader: str, compliant: bool | None) -> JudgeVerdict:
    return JudgeVerdict(grader=grader, compliant=compliant, score=None if compliant is None else 5)


def _sample(sid: str, section: str, *verdicts: bool | None, epoch: int = 1) -> SampleResult:
    judges = tuple(_judge(g, v) for g, v in zip(("a", "b", "c"), verdicts, strict=False))
    return SampleResult(
        scenario_id=sid, kind="example", section_id=section, epoch=epoch,
        compliant=majority_verdict(verdicts), judges=judges,
    )  # fmt: skip


def test_unscored_judges_leave_fleiss_but_not_the_pairs_they_can_make() -> None:
    samples = [
        _sample("s1", "x", T, T, F),
        _sample("s2", "x", T, F, F),
        _sample("s3", "x", T, None, T),  # b unscored: out of Fleiss and of pairs with b
    ]
    found = judge_agreement(samples)
    assert found is not None
    assert found.n == 2 and found.fleiss_kappa == fleiss_kappa([[T, T, F], [T, F, F]])
    ab, ac, bc = found.pairs
    assert (ab.n, ac.n, bc.n) == (2, 3, 2)
    # a vs c over (T,F) (T,F) (T,T): a always T, so the labels sit in one class but the
    # verdicts do not: chance = 3*1 = 3 of 9, kappa = (3*1 - 3) / (9 - 3) = 0.
    assert ac.kappa == 0.0 and ac.agreement == pytest.approx(1 / 3)
    assert ab.graders == ("a", "b")


def test_one_judge_runs_have_no_agreement_and_serialise_as_before() -> None:
    single = SampleResult(scenario_id="s", kind="example", section_id="x", compliant=True)
    assert judge_agreement([single]) is None and judge_agreements([single]) == {}
    header = RunHeader(run_id="r", model="m", grader="g", spec_hash="h",
                       created=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    run = summarize_run(header, [single])
    data = json.loads(run.model_dump_json())
    for key in ("graders", "judge_calibrations", "judge_agreement", "judge_agreement_by_section"):
        assert key not in data
    assert "judges" not in data["samples"][0]


def test_per_section_agreement_and_a_run_that_keeps_it() -> None:
    samples = [
        _sample("c1", "clear", T, T, T), _sample("c2", "clear", F, F, F),
        _sample("m1", "murky", T, F, F), _sample("m2", "murky", F, T, T),
    ]  # fmt: skip
    by_section = judge_agreements(samples)
    assert by_section["clear"].fleiss_kappa == 1.0
    # murky: both items split 1-2 -> P = 1/3; half yes -> Pe = 1/2; kappa = -1/3.
    assert by_section["murky"].fleiss_kappa == pytest.approx(-1 / 3)
    header = RunHeader(run_id="r", model="m", grader="a", graders=("a", "b", "c"),
                       spec_hash="h", created=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    run = summarize_run(header, samples)
    assert run.judge_agreement_by_section == by_section
    again = type(run).model_validate_json(run.model_dump_json())
    assert again == run  # the JSON a report reads back keeps every judge and figure
    line = agreement_line(by_section["murky"])
    assert line.startswith("Fleiss' kappa -0.33 (n=2); a vs b: Cohen's kappa")


def test_samples_of_another_panel_stay_out() -> None:
    # Results carried over from a run with two judges beside this run's three.
    ours = [_sample("s1", "x", T, T, F), _sample("s2", "x", T, F, F)]
    found = judge_agreement([*ours, _sample("s3", "x", T, F)])
    assert found == judge_agreement(ours)
    assert found is not None and found.n == 2 and len(found.pairs) == 3


def test_panel_metadata_headline() -> None:
    from specwright._eval._scorer import panel_metadata
    from specwright._results import Verdict

    def verdict(compliant: bool | None, score: float | None, why: str) -> Verdict:
        grade = Grade(score=None if score is None else int(score), compliant=compliant)
        reason = None if compliant is not None else "refused"
        return Verdict(compliant=compliant, score=score, rationale=why, grades=(grade,) * 3,
                       grader_tokens=30, unscored_reason=reason)  # fmt: skip

    meta = panel_metadata(
        [("a", verdict(T, 6, "fine")), ("b", verdict(F, 2, "bad")), ("c", verdict(F, 3, "meh"))],
        whole_spec_tokens=1000,
        prompt_tokens=100,
    )
    assert meta.compliant is False and meta.score == 3.0 and meta.rationale == "bad"
    assert len(meta.grades) == 9 and meta.grader_tokens == 90
    assert [j.grader for j in meta.judges] == ["a", "b", "c"]
    assert meta.whole_spec_grader_tokens == 90 + 9 * 900  # every judge's prompts counted
    tie = panel_metadata([("a", verdict(T, 6, "x")), ("b", verdict(F, 2, "y"))], 0, 0)
    assert tie.compliant is False and tie.rationale == "y"
    none = panel_metadata([("a", verdict(None, None, "")), ("b", verdict(None, None, ""))], 0, 0)
    assert none.compliant is None and none.score is None
    assert none.unscored_reason == "a: refused; b: refused"
