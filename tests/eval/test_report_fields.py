"""What reports need from an eval: each sample's scenario title and the spec part it lies in."""

from __future__ import annotations

from pathlib import Path

from specwright import Spec
from specwright._scenarios import build_scenarios
from tests._factories import small_spec
from tests.eval.test_task_mock import _run


def test_scenarios_carry_their_title_and_top_level_part() -> None:
    spec = small_spec()
    scenarios = {s.id: s for s in build_scenarios(spec)}
    examples = {e.id: e.title for _, e in spec.examples()}
    assert scenarios["no_harm/example-1"].title == examples["no_harm/example-1"]
    assert scenarios["ab12/1"].title == "p"  # the eval prompt's title
    # no_harm and be_kind stand under the H1 "Top".
    assert {(s.part_id, s.part_title) for s in scenarios.values()} == {("top", "Top")}
    meta = scenarios["ab12/1"].metadata()
    assert (meta["title"], meta["part_id"], meta["part_title"]) == ("p", "top", "Top")


def test_loaded_samples_carry_title_and_part(spec: Spec, tmp_path: Path) -> None:
    run = _run(spec, tmp_path)
    built = {s.id: s for s in build_scenarios(spec)}
    for sample in run.samples:
        scenario = built[sample.scenario_id]
        assert sample.scenario_title == scenario.title
        assert (sample.part_id, sample.part_title) == (scenario.part_id, scenario.part_title)
    assert any(s.scenario_title for s in run.samples)
