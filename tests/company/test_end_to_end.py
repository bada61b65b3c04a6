"""The real OpenAI Model Spec with the sample company overlay: eval → report → diff.

A scripted OpenAI-compatible server on 127.0.0.1 plays the target (always ``COMPLIED``) and a
perfect grader (compliant exactly when the transcript says ``COMPLIED``). The composed spec
goes through the same commands as any spec.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from specwright import diff_specs, read_spec
from specwright._cli import main
from tests.eval._server import ScriptedServer, is_grader_request

NORTHWIND = Path(__file__).parent / "data" / "northwind"
OURS = "northwind_scope,returns_window,be_professional"


def layered_overlay(real_spec: Path, target: Path) -> Path:
    """The sample overlay, its front matter pointing at the real spec."""
    shutil.copytree(NORTHWIND, target)
    text = (target / "model_spec.md").read_text(encoding="utf-8")
    text = text.replace("ceiling:", f"extends: {real_spec}\nceiling:", 1)
    (target / "model_spec.md").write_text(text, encoding="utf-8")
    return target


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_composed_real_spec_evaluates_reports_and_diffs(
    real_spec: Path,
    server: ScriptedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    overlay = layered_overlay(real_spec, tmp_path / "northwind")
    spec = read_spec(overlay)
    grader = ["--grader", "openai-api/local/judge", "--grader-samples", "1"]
    argv = ["eval", "--spec", str(overlay), "--model", "openai-api/local/steady", *grader]
    summary = run_json(capsys, *argv, "--sections", OURS, "--display", "none", "--json")
    assert summary["overall"] == 1.0 and summary["n_unscored"] == 0
    assert set(summary["by_section"]) == set(OURS.split(","))
    # Every labelled example and eval prompt of those sections ran: one target request each.
    expected = sum(len(spec.section(s).examples) for s in OURS.split(",")) + sum(
        1 for p in spec.eval_prompts if p.section_id in OURS.split(",")
    )
    targets = [b for b in server.requests if not is_grader_request(b)]
    assert len(targets) == expected == summary["n_scored"]

    report = run_json(capsys, "report", summary["log"], "--format", "json")
    assert report["overall"]["rate"] == 1.0
    assert set(report["by_section"]) == set(OURS.split(","))
    assert main(["report", summary["log"], "-o", str(tmp_path / "report.html")]) == 0
    assert "northwind_scope" in (tmp_path / "report.html").read_text(encoding="utf-8")
    capsys.readouterr()

    # The team edits its layer: the diff of the composed specs shows exactly that edit.
    edited = tmp_path / "northwind-v2"
    shutil.copytree(overlay, edited)
    text = (edited / "model_spec.md").read_text(encoding="utf-8")
    text = text.replace("{#returns_window authority=user}", "{#returns_window authority=developer}")
    (edited / "model_spec.md").write_text(text, encoding="utf-8")
    changes = diff_specs(spec, read_spec(edited)).changes
    assert [(c.kind, c.section_id) for c in changes] == [("authority-raised", "returns_window")]
    assert main(["diff", str(overlay), str(edited), "--fail-on", "authority"]) == 1
    capsys.readouterr()
    assert main(["diff", str(real_spec), str(overlay), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = {(c["kind"], c["section_id"]) for c in data["changes"]}
    assert ("section-removed", "respond_to_audio_testing_in_voice_mode") in kinds
    assert ("section-added", "northwind_scope") in kinds
