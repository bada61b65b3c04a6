"""Scenarios from a spec and from user files; the published scenario schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from specwright import ConfigurationError, Spec, SpecError
from specwright._scenarios import (
    build_scenarios,
    load_scenarios,
    render_scenario_schema,
    scenario_schema,
)
from tests._factories import small_spec
from tests._paths import require_real_spec

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "scenarios.schema.json"


def test_labelled_examples_and_tied_eval_prompts_become_scenarios() -> None:
    scenarios = build_scenarios(small_spec())
    assert [(s.id, s.kind, s.section_id) for s in scenarios] == [
        ("no_harm/example-1", "example", "no_harm"),
        ("be_kind/example-1", "example", "be_kind"),
        ("be_kind/example-2", "example", "be_kind"),
        ("ab12/1", "eval_prompt", "no_harm"),
    ]
    first = scenarios[0]
    assert first.authority == "root" and first.source == "spec.md:1"
    assert [a.label for a in first.anchors] == ["GOOD", "BAD"]
    assert scenarios[1].authority == "guideline" and scenarios[-1].anchors == ()
    assert first.metadata()["scenario_id"] == "no_harm/example-1"


def test_tags_come_from_switched_on_settings(spec: Spec) -> None:
    teens = [s for s in build_scenarios(spec) if s.section_id == "protect_teens"]
    assert teens[0].tags == ("under_18",)


def test_sections_select_descendants_and_reject_unknown_ids() -> None:
    assert {s.section_id for s in build_scenarios(small_spec(), ["top"])} == {"no_harm", "be_kind"}
    assert [s.id for s in build_scenarios(small_spec(), ["be_kind"])] == [
        "be_kind/example-1",
        "be_kind/example-2",
    ]
    with pytest.raises(ConfigurationError, match="nope"):
        build_scenarios(small_spec(), ["nope"])


def test_yaml_scenarios_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(
        "- id: refund\n"
        "  section: be_kind\n"
        "  tags: [support]\n"
        "  messages:\n"
        "    - {role: developer, content: Be kind.}\n"
        "    - {role: user, content: I want a refund, settings: {under_18: true}}\n"
        "  answers:\n"
        "    - {label: GOOD, content: Sure., explanation: kind}\n"
        "- id: second\n"
        "  section: style\n"
        "  messages: [{role: user, content: hi}]\n",
        encoding="utf-8",
    )
    first, second = load_scenarios(path, small_spec())
    assert first.kind == "custom" and first.authority == "guideline"
    assert first.tags == ("under_18", "support") and first.source == f"{path}:1"
    assert [m.role for m in first.messages] == ["developer", "user"]
    assert first.anchors[0].label == "GOOD" and second.source == f"{path}:9"


def test_jsonl_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "extra.jsonl"
    good = {"id": "a", "section": "style", "messages": [{"role": "user", "content": "x"}]}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"id": "b", "section": "style"}) + "\n")
    with pytest.raises(SpecError, match=r"extra.jsonl:3:1: messages: Field required"):
        load_scenarios(path, small_spec())
    path.write_text(json.dumps(good | {"section": "missing"}) + "\n")
    with pytest.raises(SpecError, match="no section 'missing'"):
        load_scenarios(path, small_spec())
    path.write_text("{not json\n")
    with pytest.raises(SpecError, match="invalid JSON"):
        load_scenarios(path, small_spec())


def test_unknown_file_kind_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "extra.txt"
    path.write_text("x")
    with pytest.raises(ConfigurationError, match=r"\.yaml, \.yml or \.jsonl"):
        load_scenarios(path, small_spec())


def test_published_schema_is_current_and_validates_records() -> None:
    if os.environ.get("SPECWRIGHT_UPDATE_GOLDEN") == "1":
        SCHEMA.write_text(render_scenario_schema(), encoding="utf-8")
    assert SCHEMA.read_text(encoding="utf-8") == render_scenario_schema(), (
        "schemas/scenarios.schema.json is stale: run the tests with SPECWRIGHT_UPDATE_GOLDEN=1"
    )
    record = {"id": "a", "section": "s", "messages": [{"role": "user", "content": "x"}]}
    jsonschema.validate(record, scenario_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record | {"messages": []}, scenario_schema())


@pytest.mark.realspec
def test_real_spec_scenarios() -> None:
    from specwright import read_spec

    spec = read_spec(require_real_spec())
    scenarios = build_scenarios(spec)
    examples = [s for s in scenarios if s.kind == "example"]
    prompts = [s for s in scenarios if s.kind == "eval_prompt"]
    assert len(examples) > 100 and len(prompts) > 100
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert all(s.section_id and s.source for s in scenarios)
    assert any("under_18" in s.tags for s in scenarios)
