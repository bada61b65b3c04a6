"""``--limit N --sample-seed S``: a seeded sample stratified across sections, not the first N."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from specwright import read_spec
from specwright._eval._inspect_entry import caller_binds_grader, compliance
from specwright._eval._run import EvalOptions, task_args
from specwright._reader import example_spec_path
from specwright._scenarios import build_scenarios, stratified_order
from tests._paths import require_real_spec


def test_every_prefix_is_stratified_across_sections() -> None:
    scenarios = build_scenarios(read_spec(require_real_spec()))
    sections = [s.section_id for s in scenarios]
    counts = Counter(sections)
    ordered = stratified_order(scenarios, seed=7)
    assert sorted(s.id for s in ordered) == sorted(s.id for s in scenarios)  # a reordering
    for n in (5, len(counts), len(counts) + 10, 300):
        taken = Counter(s.section_id for s in ordered[:n])
        # Round robin: a section gets its k-th scenario only once every section that still
        # has scenarios got its (k-1)-th.
        open_sections = [taken[section] for section in counts if taken[section] < counts[section]]
        if open_sections:
            assert max(taken.values()) - min(open_sections) <= 1, n
    first = ordered[: len(counts)]
    assert {s.section_id for s in first} == set(counts)
    # The first N in spec order cover far fewer sections: the reason for the option.
    assert len({s.section_id for s in scenarios[:20]}) < len({s.section_id for s in ordered[:20]})


def test_the_same_seed_gives_the_same_sample() -> None:
    scenarios = build_scenarios(read_spec(example_spec_path()))
    once = [s.id for s in stratified_order(scenarios, seed=3)]
    assert once == [s.id for s in stratified_order(list(scenarios), seed=3)]
    others = {tuple(s.id for s in stratified_order(scenarios, seed=k)) for k in range(10)}
    assert len(others) > 1
    assert stratified_order([], seed=1) == []


def test_the_task_records_the_seed_and_orders_its_dataset(tmp_path: Path) -> None:
    spec = str(example_spec_path())
    options = EvalOptions(spec=spec, model="m", grader="g", log_dir=tmp_path, sample_seed=5)
    args = task_args(options)
    assert args["sample_seed"] == 5  # recorded in the log, so a resume finds the same run
    assert "sample_seed" not in task_args(options.model_copy(update={"sample_seed": None}))
    with caller_binds_grader():  # the grader role is bound by eval(), as specwright's runner does
        dataset = compliance(**args).dataset
    expected = stratified_order(build_scenarios(read_spec(spec)), seed=5)
    assert [sample.id for sample in dataset] == [s.id for s in expected]


@pytest.mark.parametrize("value", ["-1", "x"])
def test_sample_seed_is_checked(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from specwright._cli import main

    assert main(["eval", "--spec", str(example_spec_path()), "--sample-seed", value]) == 2
    assert capsys.readouterr().err.startswith(
        "specwright: error: Invalid value for '--sample-seed'"
    )
