"""Adaptive search against a scripted target that fails a known subset of scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import specwright
from specwright._cli import main
from specwright._scenarios import read_records
from tests.eval._server import (
    ScriptedServer,
    env_server,
    grade_json,
    grader_transcript,
    is_grader_request,
)
from tests.generate._scripted import field, generator_reply

WEAK = "WEAKSPOT"
WOBBLE = "WOBBLE"


def _generator(body: dict[str, Any]) -> str:
    prompt = str(body["messages"][-1]["content"])
    data = json.loads(generator_reply(body))
    kind = field(prompt, "KIND")
    for index, item in enumerate(data["scenarios"]):
        conversation = prompt.split("## CONVERSATION", 1)[-1] if kind == "variant" else ""
        weak = (kind == "direct" and index == 0) or WEAK in conversation
        wobble = (kind == "direct" and index == 1) and field(prompt, "SECTION ID") == "style"
        item["messages"][-1]["content"] += f" {WEAK}" * weak + f" {WOBBLE}" * wobble
    return json.dumps(data)


def _respond(body: dict[str, Any]) -> str:
    if is_grader_request(body):
        transcript = grader_transcript(body)
        if WOBBLE in transcript:  # the grader wavers: sample seeds 0 and 2 say yes, 1 says no
            return grade_json(int(body.get("seed") or 0) % 2 == 0)
        return grade_json("VIOLATED" not in transcript)
    if "KIND:" in str(body["messages"][-1]["content"]):
        return _generator(body)
    return "VIOLATED" if WEAK in json.dumps(body["messages"]) else "COMPLIED"


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Any:
    with env_server(monkeypatch, _respond, providers=("GEN", "LOCAL")) as server:
        yield server


def _args(out: Path, *extra: str) -> list[str]:
    spec = str(specwright.example_spec_path())
    return [
        "generate", "--spec", spec, "--generator", "openai-api/gen/g", "-o", str(out),
        "--kinds", "direct", "--adaptive", "--target", "openai-api/local/target",
        "--grader", "openai-api/local/judge", *extra,
    ]  # fmt: skip


def test_each_round_searches_near_failures_and_reports_cost(
    local: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "found.yaml"
    args = _args(out, "--sections", "concise_options", "--rounds", "2", "--json")
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    rounds = data["rounds"]
    # Round 0: one weak scenario in three. Each failure begets three variants that keep the
    # weakness, so every new scenario after round 0 fails.
    assert [r["scenarios"] for r in rounds] == [3, 3, 9]
    assert [r["failures"] for r in rounds] == [1, 3, 9]
    assert [r["generator_tokens"] for r in rounds] == [30, 30, 90]  # 1, 1, 3 requests
    assert [r["target_tokens"] for r in rounds] == [90, 90, 270]
    assert [r["grader_tokens"] for r in rounds] == [270, 270, 810]  # three samples each
    records = {r.id: r for _, r in read_records(out)}
    assert len(records) == 15 and data["written"] == 15
    for failed in rounds[1]["failed_ids"] + rounds[2]["failed_ids"]:
        record = records[failed]
        assert record.generated and record.generated.kind == "variant"
        prov = record.generated.provenance
        assert prov.round in (1, 2) and prov.parent in records
        assert "target_failed" in record.tags and WEAK in record.messages[-1].content
        parent = records[prov.parent]
        assert parent.generated and parent.generated.provenance.round == prov.round - 1
    assert all(r.status == "draft" for r in records.values())


def test_judge_disagreement_is_searched_too(
    local: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "found.jsonl"
    assert main(_args(out, "--sections", "style", "--rounds", "1", "--per-section", "2")) == 0
    table = capsys.readouterr().out
    line = next(x for x in table.splitlines() if x.strip().startswith("0 "))
    scenarios, failures, disagreements = (int(v) for v in line.split()[1:4])
    # style and its two children: two direct scenarios each; one weak each, one wobbly (style)
    assert (scenarios, failures, disagreements) == (6, 3, 1)
    records = [r for _, r in read_records(out)]
    wobbly = [r for r in records if "judge_disagreed" in r.tags]
    assert len(wobbly) == 1 and WOBBLE in wobbly[0].messages[-1].content
    children = [r for r in records if r.generated and r.generated.provenance.parent == wobbly[0].id]
    assert len(children) == 2


def test_adaptive_needs_a_target_and_survives_a_failing_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SPECWRIGHT_MODEL", raising=False)
    spec = str(specwright.example_spec_path())
    out = tmp_path / "x.yaml"
    base = ["generate", "--spec", spec, "--generator", "openai-api/gen/g", "-o", str(out)]
    with env_server(monkeypatch, _respond, providers=("GEN",)) as server:
        assert main([*base, "--adaptive"]) == 2
        assert "--adaptive needs --target" in capsys.readouterr().err
        assert main([*base, "--target", "openai-api/gen/t"]) == 2
        assert "go with --adaptive" in capsys.readouterr().err
        # A target whose server rejects every request: scenarios count as errors, no crash.
        monkeypatch.setenv("BAD_BASE_URL", server.base_url.replace("/v1", "/rejecting/v1"))
        monkeypatch.setenv("BAD_API_KEY", "k")
        args = [*base, "--adaptive", "--target", "openai-api/bad/t", "--sections", "style"]
        assert main([*args, "--kinds", "direct", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rounds"][0]["errors"] == 9 and len(data["rounds"]) == 1
    assert len(list(read_records(out))) == 9
