"""Optimistic concurrency under real concurrent writers: of eight reviewers who opened one
sample at version 0 and write at once, exactly one verdict lands; the others are stale."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from specwright._results._feedback import sample_feedback
from specwright._studio._index import StaleVersion, StudioIndex
from tests.report import report_factory as factory

WRITERS = 8


def _race(url: str) -> tuple[int, int]:
    run = factory.run_a()
    setup = StudioIndex(url)
    setup.index_run(run)
    sample = run.samples[0]
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []

    def write(n: int) -> None:
        index = StudioIndex(url)
        item = sample_feedback(run, sample, "compliant", author=f"reviewer-{n}")
        barrier.wait()
        try:
            index.add_verdict(item, seen_version=0)
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            index.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stored = len(setup.feedback(run.run_id, sample.scenario_id, sample.epoch))
    setup.close()
    return outcomes.count("saved"), stored


def test_one_of_many_concurrent_writers_wins_on_sqlite(tmp_path: Path) -> None:
    assert _race(f"sqlite:///{tmp_path / 'r.sqlite'}") == (1, 1)


@pytest.mark.skipif(
    not os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL"),
    reason="no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL to a scratch database",
)
def test_one_of_many_concurrent_writers_wins_on_postgresql() -> None:
    url = os.environ["SPECWRIGHT_TEST_POSTGRES_URL"]
    saved, stored = _race(url)
    assert saved == 1 and stored >= 1
