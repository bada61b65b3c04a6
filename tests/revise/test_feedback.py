"""Feedback: stored and read back (SQLite, PostgreSQL), adjudicated metrics by hand arithmetic."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from specwright._errors import ConfigurationError
from specwright._results import RunResult
from specwright._results._feedback import Feedback, make_feedback, parse_sample_ref
from specwright._results._store import ResultsStore
from specwright._revise._adjudicate import adjudicate
from tests.report import report_factory as factory


def _run(run_id: str = "run-1") -> RunResult:
    # be_honest: 3 compliant + 1 not; style_guide: 1 compliant, 1 unscored.
    return factory.build_run(
        run_id, "openai/model",
        {"be_honest": [True, True, True, False], "style_guide": [True, None]},
        spec_version="v1", spec_hash="h" * 64, created=datetime(2026, 1, 1, tzinfo=UTC),
        calibration=None,
    )  # fmt: skip


def test_sample_refs_parse_once_into_scenario_and_epoch() -> None:
    assert parse_sample_ref("be_honest/example-2") .model_dump() == {
        "scenario_id": "be_honest/example-2", "epoch": 1}  # fmt: skip
    assert parse_sample_ref("8ep1/3@2").epoch == 2
    assert str(parse_sample_ref("a@b@3")) == "a@b@3"
    assert parse_sample_ref("a@b@3").scenario_id == "a@b"


def test_unknown_sample_or_section_is_refused_naming_it() -> None:
    run = _run()
    with pytest.raises(ConfigurationError, match="SAMPLE nope/example-1: not in run run-1"):
        make_feedback(run, parse_sample_ref("nope/example-1"), "compliant", author="me")
    with pytest.raises(ConfigurationError, match="did you mean be_honest/example-2"):
        make_feedback(run, parse_sample_ref("example-2"), "compliant", author="me")
    with pytest.raises(ConfigurationError, match="--section: no section 'nowhere'"):
        make_feedback(run, parse_sample_ref("be_honest/example-1"), "compliant", author="me",
                      section_id="nowhere")  # fmt: skip
    item = make_feedback(run, parse_sample_ref("be_honest/example-1"), "compliant", author="me",
                         section_id="extra", known_sections=["extra"])  # fmt: skip
    assert item.section_id == "extra"


def test_adjudicated_rates_match_hand_arithmetic() -> None:
    run = _run()
    assert run.overall.rate == pytest.approx(4 / 5)  # 4 compliant of 5 scored
    flip = make_feedback(run, parse_sample_ref("be_honest/example-1"), "non-compliant", author="a")
    confirm = make_feedback(
        run, parse_sample_ref("be_honest/example-4"), "non-compliant", author="b"
    )
    decided = adjudicate(run, [flip, confirm])
    # be_honest now 2 of 4; overall 3 of 5. The judge's own figure stays beside it.
    assert decided.by_section["be_honest"].rate == pytest.approx(2 / 4)
    assert decided.overall.rate == pytest.approx(3 / 5) and decided.overall.n == 5
    assert decided.judge_overall is not None and decided.judge_overall.rate == pytest.approx(4 / 5)
    assert decided.n_adjudicated == 2
    first = next(s for s in decided.samples if s.scenario_id == "be_honest/example-1")
    assert first.adjudicated and first.compliant is False and first.judge_compliant is True
    # Feedback on another run changes nothing; the newest feedback on a sample wins.
    assert adjudicate(run, [flip.model_copy(update={"run_id": "other"})]) is run
    later = flip.model_copy(
        update={"verdict": "compliant", "created": flip.created + timedelta(seconds=1)}
    )
    assert adjudicate(run, [later, flip]).overall.rate == pytest.approx(4 / 5)
    # An unscored sample a person decides becomes scored.
    unscored = make_feedback(
        run, parse_sample_ref("style_guide/example-2"), "compliant", author="c"
    )
    assert adjudicate(run, [unscored]).overall.n == 6


def _round_trip(url: str) -> None:
    run = _run(f"run-{uuid.uuid4().hex[:8]}")
    items = [
        make_feedback(run, parse_sample_ref("be_honest/example-2"), "non-compliant",
                      author="ann", note="misses the caveat — “quotes” ✓"),
        make_feedback(run, parse_sample_ref("style_guide/example-1"), "compliant", author="bo"),
    ]  # fmt: skip
    with ResultsStore(url) as store:
        for item in items:
            store.add_feedback(item)
    with ResultsStore(url) as store:
        back = store.feedback(run_ids=[run.run_id])
        assert back == items
        assert store.feedback(run_ids=[run.run_id], section_id="style_guide") == items[1:]
        assert all(isinstance(f, Feedback) and f.created.tzinfo is not None for f in back)


def test_feedback_round_trip_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path}/store.sqlite")


@pytest.mark.skipif(
    not os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL"),
    reason="no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL to a scratch database",
)
def test_feedback_round_trip_postgresql() -> None:
    _round_trip(os.environ["SPECWRIGHT_TEST_POSTGRES_URL"])
