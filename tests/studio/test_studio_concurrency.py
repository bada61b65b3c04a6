"""Optimistic concurrency under real concurrent writers, on SQLite and on PostgreSQL (CI starts
one with ``.ci/postgres.sh`` and sets ``SPECWRIGHT_TEST_POSTGRES_URL``): of eight reviewers who
opened one sample (or one revision) at version 0 and write at once, exactly one lands; the
others are stale. Two reviewers in the app get the "changed since you opened it" answer.

A PostgreSQL database outlives a test (and is shared with the other store tests), so every
test there works on a run id and a revision of its own."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from specwright._results._feedback import sample_feedback
from specwright._results._models import RunResult
from specwright._studio._index import RevisionDecision, StaleVersion, StudioIndex
from tests.report import report_factory as factory
from tests.studio.conftest import studio_env, token_of, version_of

WRITERS = 8
_PG = os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'r.sqlite'}"
    if not _PG:
        pytest.skip("no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL to a scratch database")
    return _PG


def _own_run() -> RunResult:
    return factory.run_a().model_copy(update={"run_id": f"race-{uuid.uuid4().hex[:12]}"})


def _race(url: str, write: Callable[[StudioIndex, int], None]) -> list[str]:
    """``write`` from ``WRITERS`` threads at once, each on its own connection pool."""
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []

    def one(n: int) -> None:
        index = StudioIndex(url)
        barrier.wait()
        try:
            write(index, n)
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            index.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_one_of_many_concurrent_verdicts_lands(url: str) -> None:
    run = _own_run()
    setup = StudioIndex(url)
    setup.index_run(run)
    sample = run.samples[0]

    def write(index: StudioIndex, n: int) -> None:
        item = sample_feedback(run, sample, "compliant", author=f"reviewer-{n}")
        index.add_verdict(item, seen_version=0)

    outcomes = _race(url, write)
    stored = setup.feedback(run.run_id, sample.scenario_id, sample.epoch)
    setup.close()
    assert sorted(outcomes) == ["saved"] + ["stale"] * (WRITERS - 1)
    assert len(stored) == 1


def test_one_of_many_concurrent_revision_decisions_lands(url: str) -> None:
    proposed = uuid.uuid4().hex * 2  # a revision of this test's own

    def write(index: StudioIndex, n: int) -> None:
        decision = RevisionDecision(
            decision_id=f"{proposed[:16]}-{n}",
            created=datetime.now(UTC),
            author=f"reviewer-{n}",
            proposal="proposal/",
            base_hash="b" * 64,
            proposed_hash=proposed,
            decision="approved",
        )
        index.add_revision_decision(decision, seen_version=0)

    outcomes = _race(url, write)
    index = StudioIndex(url)
    stored = index.revision_decisions(proposed)
    index.close()
    assert sorted(outcomes) == ["saved"] + ["stale"] * (WRITERS - 1)
    assert len(stored) == 1


def test_two_reviewers_in_the_app_never_overwrite_each_other(url: str, tmp_path: Path) -> None:
    run = _own_run()
    env = studio_env(tmp_path, run, url=url)
    path, params = f"/runs/{run.run_id}/verdict", {"scenario": "be_honest/example-1", "epoch": 1}
    alice, bob = env.client(), env.client()
    pages = [c.get(f"/runs/{run.run_id}/sample", params=params).text for c in (alice, bob)]

    def form(html: str, verdict: str) -> dict[str, str]:
        return {"csrftoken": token_of(html), "version": str(version_of(html)),
                "verdict": verdict, "scenario": "be_honest/example-1", "epoch": "1"}  # fmt: skip

    assert alice.post(path, data=form(pages[0], "non-compliant")).status_code == 303
    late = bob.post(path, data=form(pages[1], "compliant"))
    assert late.status_code == 409 and "Changed since you opened it" in late.text
    stored = env.studio.index.feedback(run.run_id, "be_honest/example-1", 1)
    env.studio.index.close()
    assert [(f.author, f.verdict) for f in stored] == [("alice", "non-compliant")]
