"""``specwright eval --changed-since OLD --baseline RUN``: only the changed sections run again.

A scripted OpenAI-compatible server on 127.0.0.1 plays the target (always ``COMPLIED``) and a
perfect grader; request counts show what ran.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from specwright import example_spec_path, read_spec
from specwright._cli import main
from specwright._spec_diff._affected import affected_sections
from tests.eval._server import ScriptedServer, is_grader_request

GRADER = ["--grader", "openai-api/local/judge", "--grader-samples", "1", "--display", "none"]


def targets(server: ScriptedServer) -> int:
    return sum(1 for body in server.requests if not is_grader_request(body))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def edited_spec(tmp_path: Path) -> Path:
    """The example spec with a text change and an authority change."""
    target = tmp_path / "edited"
    shutil.copytree(example_spec_path(), target)
    text = (target / "model_spec.md").read_text(encoding="utf-8")
    text = text.replace(
        "{#developer_scope authority=developer}", "{#developer_scope authority=user}"
    )
    edited = text.replace(
        "{#traveller_preferences authority=user}\n\n",
        "{#traveller_preferences authority=user}\n\nAlways. ",
        1,
    )
    assert edited != text
    (target / "model_spec.md").write_text(edited, encoding="utf-8")
    return target


def test_only_changed_sections_run_and_the_rest_carries_over(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = example_spec_path()
    base = ["eval", "--model", "openai-api/local/steady", *GRADER, "--json"]
    baseline = run_json(capsys, *base, "--spec", str(old))
    baseline_targets = targets(server)
    new = edited_spec(tmp_path)
    spec = read_spec(new)
    # traveller_preferences' text changed, developer_scope's level; local_currency links to
    # traveller_preferences, so its results may move too.
    rerun = {"traveller_preferences", "developer_scope", "local_currency"}
    assert set(affected_sections(read_spec(old), spec)) == rerun
    expected = sum(len(spec.section(s).examples) for s in rerun)
    expected += sum(1 for p in spec.eval_prompts if p.section_id in rerun)
    assert 0 < expected < baseline_targets

    argv = [*base, "--spec", str(new), "--changed-since", str(old), "--baseline", baseline["log"]]
    summary = run_json(capsys, *argv)
    assert targets(server) - baseline_targets == expected
    assert set(summary["by_section"]) == set(baseline["by_section"])
    assert summary["n_scored"] == baseline["n_scored"]
    whole = json.loads(Path(summary["log"]).read_text(encoding="utf-8"))
    assert whole["spec_hash"] == spec.content_hash()
    fresh = [s for s in whole["samples"] if "carried_from" not in s]
    carried = [s for s in whole["samples"] if "carried_from" in s]
    assert {s["section_id"] for s in fresh} == rerun and len(fresh) == expected
    assert carried and not {s["section_id"] for s in carried} & rerun

    report = run_json(capsys, "report", summary["log"], "--format", "json")
    assert set(report["by_section"]) == set(baseline["by_section"])
    history = run_json(capsys, "history", "--json", "--no-index")
    assert len(history["runs"]) == 2

    # Nothing changed since the edited spec: nothing runs, every result carries over.
    before = targets(server)
    again = run_json(
        capsys, *base, "--spec", str(new), "--changed-since", str(new), "--baseline", summary["log"]
    )
    assert targets(server) == before
    assert set(again["by_section"]) == set(baseline["by_section"])


def test_bad_combinations_are_one_line_exit_2(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = str(example_spec_path())
    base = ["eval", "--spec", spec, "--model", "openai-api/local/steady", *GRADER]
    assert main([*base, "--changed-since", spec]) == 2
    assert "go together" in capsys.readouterr().err
    run = tmp_path / "run.json"
    assert main([*base, "--changed-since", spec, "--baseline", str(run)]) == 2
    capsys.readouterr()
    baseline = run_json(capsys, *base, "--json", "--sections", "local_currency")
    edited = str(edited_spec(tmp_path))
    other = ["eval", "--spec", edited, "--model", "openai-api/local/other", *GRADER]
    assert main([*other, "--changed-since", spec, "--baseline", baseline["log"]]) == 2
    err = capsys.readouterr().err
    assert "carry over results of the same model only" in err and err.count("\n") == 1
    assert (
        main([*other, "--changed-since", spec, "--baseline", baseline["log"], "--sections", "x"])
        == 2
    )
    assert "drop --sections" in capsys.readouterr().err
