"""Counts of ``spec_stats`` on a spec built in code."""

from __future__ import annotations

from specwright._stats import spec_stats
from tests._factories import small_spec


def test_counts() -> None:
    stats = spec_stats(small_spec())
    assert stats.sections == 4
    assert stats.sections_by_authority == {
        "root": 1,
        "system": 0,
        "developer": 0,
        "user": 1,
        "guideline": 1,
        "unset": 1,
    }
    assert sum(stats.sections_by_authority.values()) == stats.sections
    assert stats.examples == 3
    assert stats.comparisons == 3
    assert stats.examples_with_comparison == 3
    assert stats.labelled_answers == {"GOOD": 2, "BAD": 2, "OK": 1}
    assert stats.eval_files == 2
    assert stats.eval_prompts == 1
    assert stats.cross_references == 1
    assert stats.broken_cross_references == 0
