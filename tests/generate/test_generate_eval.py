"""Generated scenarios through ``specwright eval`` end to end: drafts only when asked, tags in
the results, attachments and tool results on the wire; the real spec, every section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import specwright
from specwright._cli import main
from specwright._scenarios import read_records
from tests._paths import require_real_spec
from tests.eval._server import env_server, grade_json, is_grader_request
from tests.generate._scripted import generator_reply

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "scenarios.schema.json").read_text(encoding="utf-8"))


def serve_all(body: dict[str, Any]) -> str:
    """One server for all three roles: the generator, the target and the grader."""
    if is_grader_request(body):
        return grade_json("REFUSED" not in body["messages"][-1]["content"])
    if "KIND:" in str(body["messages"][-1]["content"]):
        return generator_reply(body)
    return "REFUSED" if "Ignore the rules" in json.dumps(body) else "Happy to help."


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Any:
    with env_server(monkeypatch, serve_all, providers=("GEN", "LOCAL")) as server:
        yield server


def _eval(spec: str, scenarios: Path, logs: Path, *extra: str) -> dict[str, Any]:
    args = ["eval", "--spec", spec, "--scenarios", str(scenarios), "--log-dir", str(logs)]
    args += ["--model", "openai-api/local/target", "--grader", "openai-api/local/judge"]
    args += ["--display", "none", "--grader-samples", "1", "--no-index", "--json", *extra]
    return args  # type: ignore[return-value]


def test_eval_runs_approved_by_default_and_drafts_when_asked(
    local: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = str(specwright.example_spec_path())
    drafts = tmp_path / "drafts.yaml"
    gen = ["generate", "--spec", spec, "--generator", "openai-api/gen/g", "-o", str(drafts)]
    assert main([*gen, "--sections", "protect_documents", "--per-section", "1"]) == 0
    generated = [r for _, r in read_records(drafts)]
    capsys.readouterr()

    sections = ["--sections", "protect_documents"]
    assert main(_eval(spec, drafts, tmp_path / "a", *sections)) == 0  # type: ignore[arg-type]
    baseline = json.loads(capsys.readouterr().out)
    approve = [r.id for r in generated[:3]]
    assert main(["scenarios", "review", str(drafts), "--approve", ",".join(approve)]) == 0
    capsys.readouterr()
    assert main(_eval(spec, drafts, tmp_path / "b", *sections)) == 0  # type: ignore[arg-type]
    approved = json.loads(capsys.readouterr().out)
    assert approved["n_scored"] == baseline["n_scored"] + 3
    args = _eval(spec, drafts, tmp_path / "c", *sections, "--include-drafts")
    assert main(args) == 0  # type: ignore[arg-type]
    everything = json.loads(capsys.readouterr().out)
    assert everything["n_scored"] == baseline["n_scored"] + len(generated)
    tags = everything["by_tag"]
    # Every placement is a rate of its own. The scripted target refuses whenever it sees the
    # planted instruction and the scripted grader marks refusals non-compliant, so every
    # conflict fails while the benign twins pass: the two are reported apart.
    placements = {"system", "developer", "user", "tool_result", "quoted", "attachment"}
    assert {t.split(":")[1] for t in tags if t.startswith("placement:")} == placements
    assert tags["authority_conflict"] == 0.0 and tags["benign_twin"] == 1.0

    # The attachment reaches the target as attachment text, the tool result as a tool message.
    target = [b for b in local.requests if b["model"] == "target"]
    with_tool = [b for b in target if any(m["role"] == "tool" for m in b["messages"])]
    assert with_tool and with_tool[0]["messages"][-1]["content"].startswith("Lookup result:")
    assert any("[file: note.txt]" in json.dumps(b["messages"]) for b in target)


@pytest.mark.realspec
def test_every_section_of_the_real_spec_gets_schema_valid_scenarios_that_eval_runs(
    local: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_dir = require_real_spec()
    spec = specwright.read_spec(spec_dir)
    out = tmp_path / "real.yaml"
    gen = ["generate", "--spec", str(spec_dir), "--generator", "openai-api/gen/g", "-o", str(out)]
    assert main([*gen, "--per-section", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for row in yaml.safe_load(out.read_text(encoding="utf-8")):
        validator.validate(row)
    covered = {r.section for _, r in read_records(out)}
    assert covered == {s.id for s in spec.walk()}
    assert all(not report["bad"] for report in summary["sections"].values())
    # End to end on a slice (the whole file is what `bench`/docs runs): eval, then a report.
    first = [r.id for _, r in read_records(out)][:12]
    assert main(["scenarios", "review", str(out), "--approve", ",".join(first)]) == 0
    capsys.readouterr()
    logs = tmp_path / "logs"
    args = _eval(str(spec_dir), out, logs, "--sections", "ignore_untrusted_data")
    assert main(args) == 0  # type: ignore[arg-type]
    result = json.loads(capsys.readouterr().out)
    assert result["n_scored"] > 12
    html = tmp_path / "report.html"
    assert main(["report", result["log"], "-o", str(html)]) == 0
    assert html.stat().st_size > 1000
