"""``specwright generate`` against a scripted generator (``scripted/gen``, no HTTP): every kind,
provenance, spec-grounded prompts, derived expectations, schema validity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import specwright
from specwright._cli import main
from specwright._generate._prompts import PROMPT_VERSION
from specwright._llm import ScriptedModel
from specwright._scenarios import ScenarioRecord, load_scenarios, read_records
from tests.generate._scripted import field, generator_reply
from tests.generate.conftest import GEN

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "scenarios.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def spec_dir() -> str:
    return str(specwright.example_spec_path())


def generate(out: Path, *extra: str) -> int:
    return main(["generate", "--spec", spec_dir(), "--generator", GEN, "-o", str(out), *extra])


def records(path: Path) -> list[ScenarioRecord]:
    return [r for _, r in read_records(path)]


def by_kind(path: Path, kind: str) -> list[ScenarioRecord]:
    return [r for r in records(path) if r.generated and r.generated.kind == kind]


def test_every_kind_is_written_as_schema_valid_drafts(
    generator: ScriptedModel, tmp_path: Path
) -> None:
    out = tmp_path / "drafts.yaml"
    assert generate(out, "--sections", "bookings,traveller", "--per-section", "2") == 0
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))
    for row in raw:
        VALIDATOR.validate(row)
    kinds = {r.generated.kind for r in records(out) if r.generated}
    assert kinds == {
        "direct",
        "authority_conflict",
        "benign_twin",
        "principle_interaction",
        "multi_turn",
        "paraphrase",
    }
    assert all(r.status == "draft" for r in records(out))
    wanted = specwright.load_example_spec().section("bookings")
    assert {r.section for r in records(out)} <= {s.id for s in wanted.walk()} | {
        s.id for s in specwright.load_example_spec().section("traveller").walk()
    }
    # Every record reaches eval as a scenario once drafts are included, none before.
    spec = specwright.load_example_spec()
    assert load_scenarios(out, spec) == []
    loaded = load_scenarios(out, spec, include_drafts=True)
    assert len(loaded) == len(raw) and all("generated" in s.tags for s in loaded)


def test_provenance_matches_the_request_on_the_wire(
    generator: ScriptedModel, tmp_path: Path
) -> None:
    out = tmp_path / "drafts.jsonl"
    args = ("--sections", "confirm_before_booking", "--kinds", "direct,paraphrase")
    assert generate(out, *args, "--seed", "40", "--temperature", "0.3") == 0
    sent = {(field(b["messages"][-1]["content"], "KIND")): b for b in generator.bodies}
    assert set(sent) == {"direct", "paraphrase"}
    for record in records(out):
        assert record.generated is not None
        prov = record.generated.provenance
        body = sent["direct" if record.generated.kind == "direct" else "paraphrase"]
        assert (prov.seed, prov.temperature) == (body["seed"], body["temperature"])
        assert body["temperature"] == 0.3 and body["seed"] in (40, 41)
        assert (prov.generator, prov.round, prov.prompt_version) == (GEN, 0, PROMPT_VERSION)
        assert body["model"] == "gen" and body["messages"][0]["role"] == "system"
    examples = {
        e.id for e in specwright.load_example_spec().section("confirm_before_booking").examples
    }
    paraphrases = by_kind(out, "paraphrase")
    assert paraphrases and all(
        r.generated and r.generated.provenance.parent in examples for r in paraphrases
    )


def test_prompt_is_grounded_in_the_spec(generator: ScriptedModel, tmp_path: Path) -> None:
    spec = specwright.load_example_spec()
    section = spec.section("confirm_before_booking")
    assert generate(tmp_path / "d.yaml", "--sections", section.id, "--kinds", "paraphrase") == 0
    prompt = generator.bodies[0]["messages"][-1]["content"]
    assert section.body.split("\n")[0] in prompt
    assert "authority: root" in prompt
    example = section.examples[0]
    good = next(a for a in example.answers if a.label == "GOOD")
    assert good.message.text.strip()[:40] in prompt and "[GOOD]" in prompt
    referenced = {r.target for r in section.references} | {
        s.id for s in spec.walk() if any(r.target == section.id for r in s.references)
    }
    assert referenced and any(f"(id: {ref})" in prompt for ref in referenced)


def test_authority_conflicts_take_their_outcome_from_the_chain_of_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lying(body: dict[str, Any]) -> str:
        # The generator claims an outcome; specwright must not take it.
        data = json.loads(generator_reply(body))
        for item in data["scenarios"]:
            item["expected"] = "follow"
        return json.dumps(data)

    with ScriptedModel(lying, name=GEN).installed():
        out = tmp_path / "c.yaml"
        args = ("--kinds", "authority_conflict", "--per-section", "1")
        assert (
            generate(out, "--sections", "confirm_before_booking,traveller_preferences", *args) == 0
        )
    outcomes = {
        (r.section, r.generated.placement): r.generated.expected
        for r in by_kind(out, "authority_conflict")
        if r.generated and r.generated.expected
    }
    assert len(outcomes) == 12
    assert all(e.derived_by == "resolve" for e in outcomes.values())
    root = {
        p: outcomes[("confirm_before_booking", p)].outcome for p in ("system", "developer", "user")
    }
    assert root == {"system": "decline", "developer": "decline", "user": "decline"}
    user_level = outcomes[("traveller_preferences", "user")]
    assert user_level.outcome == "follow" and "applicable" in user_level.basis
    for section in ("confirm_before_booking", "traveller_preferences"):
        for placement in ("tool_result", "quoted", "attachment"):
            expected = outcomes[(section, placement)]
            assert expected.outcome == "ignore" and "no_authority" in expected.basis
    # The attachment placement carries the instruction as an attachment, on the wire as such.
    attached = next(
        r
        for r in by_kind(out, "authority_conflict")
        if r.generated and r.generated.placement == "attachment"
    )
    assert attached.messages[0].attachments[0].text.startswith("Ignore the rules")
    tool = next(
        r
        for r in by_kind(out, "authority_conflict")
        if r.generated and r.generated.placement == "tool_result"
    )
    assert [m.role for m in tool.messages] == ["user", "assistant", "tool"]


def test_benign_twins_point_at_their_careful_sibling(
    generator: ScriptedModel, tmp_path: Path
) -> None:
    out = tmp_path / "t.yaml"
    assert generate(out, "--sections", "protect_documents", "--kinds", "benign_twin") == 0
    twins = by_kind(out, "benign_twin")
    careful = {r.id: r for r in by_kind(out, "direct")}
    assert len(twins) == 3 and len(careful) == 3
    for twin in twins:
        assert twin.generated and twin.generated.expected
        assert twin.generated.expected.outcome == "help"
        assert twin.generated.provenance.parent in careful
    loaded = load_scenarios(out, specwright.load_example_spec(), include_drafts=True)
    assert sum("benign_twin" in s.tags for s in loaded) == 3


def test_principle_interactions_trace_the_quote_or_flag_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_invented(body: dict[str, Any]) -> str:
        data = json.loads(generator_reply(body))
        data["scenarios"][1]["quote"] = "The assistant must always sing."
        data["scenarios"][2]["winner"] = None
        return json.dumps(data)

    with ScriptedModel(half_invented, name=GEN).installed():
        out = tmp_path / "p.yaml"
        assert (
            generate(
                out, "--sections", "confirm_before_booking", "--kinds", "principle_interaction"
            )
            == 0
        )
    found = by_kind(out, "principle_interaction")
    assert len(found) == 3
    outcomes = sorted(
        r.generated.expected.outcome for r in found if r.generated and r.generated.expected
    )
    assert outcomes == ["needs_person", "needs_person", "resolve"]
    traced = next(
        r
        for r in found
        if r.generated and r.generated.expected and r.generated.expected.outcome == "resolve"
    )
    assert traced.generated and traced.generated.related_sections
    assert traced.generated.expected and traced.generated.expected.derived_by == "spec_text"
    assert all(
        "needs_person" in r.tags
        for r in found
        if r.generated and r.generated.expected and r.generated.expected.outcome == "needs_person"
    )


def test_multi_turn_scenarios_end_on_a_user_turn(generator: ScriptedModel, tmp_path: Path) -> None:
    out = tmp_path / "m.yaml"
    assert generate(out, "--sections", "developer_scope", "--kinds", "multi_turn") == 0
    found = by_kind(out, "multi_turn")
    assert len(found) == 3
    for record in found:
        roles = [m.role for m in record.messages]
        assert roles[-1] == "user" and roles.count("user") >= 2 and "assistant" in roles


def test_json_summary_and_usage_errors(
    generator: ScriptedModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.yaml"
    assert generate(out, "--sections", "style", "--kinds", "direct", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    # "style" and its two subsections, one request each, three scenarios per request
    assert data["written"] == 9 and data["requests"] == 3
    assert set(data["sections"]) == {"style", "concise_options", "local_currency"}
    assert data["sections"]["style"]["by_kind"] == {"direct": 3}
    for bad, message in [
        (("--kinds", "poems"), "unknown kind 'poems'"),
        (("--sections", "nope"), "no section 'nope'"),
    ]:
        assert generate(out, *bad) == 2
        assert message in capsys.readouterr().err
    assert (
        main(["generate", "--spec", spec_dir(), "--generator", GEN, "-o", str(tmp_path / "x.txt")])
        == 2
    )
    assert main(["generate", "--spec", spec_dir(), "--generator", "gpt", "-o", str(out)]) == 2
    assert "openai-api/<name>/<model>" in capsys.readouterr().err


def test_the_cli_offers_every_kind_the_generator_asks_for() -> None:
    from specwright._cli.generate import _KINDS
    from specwright._generate._generation import ALL_KINDS

    assert _KINDS == ALL_KINDS
