"""A resumed eval is one run: the id it is indexed under survives Inspect's ``eval_retry``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specwright._cli import main
from specwright._eval._logs import find_logs, load_run
from specwright._eval._run import EvalOptions, run_eval
from specwright._results._store import ResultsStore
from tests.eval._server import env_server, grade_json, is_grader_request, last_user_text
from tests.eval.conftest import eval_spec


def test_a_resumed_run_keeps_its_id_and_is_stored_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    logs = tmp_path / "logs"
    failing = {"on": True}

    def respond(body: dict[str, Any]) -> str:
        if is_grader_request(body):
            return grade_json("COMPLIED" in body["messages"][-1]["content"])
        if failing["on"] and "violate" in last_user_text(body):
            raise RuntimeError("the server breaks on this one (HTTP 500)")
        return "VIOLATED" if "violate" in last_user_text(body) else "COMPLIED"

    options = EvalOptions(
        spec=str(spec_file),
        model="openai-roles/local/target",
        grader="openai-roles/local/judge",
        log_dir=logs,
        display="none",
        max_retries=0,
        grader_samples=1,
    )
    with env_server(monkeypatch, respond):
        first_outcome = run_eval(options)
        failing["on"] = False
        second_outcome = run_eval(options)
    # Failed samples leave the first run unfinished (resumable); the second completes it.
    assert (first_outcome.complete, second_outcome.complete) == (False, True)
    first, second = first_outcome.log, second_outcome.log
    interrupted, resumed = load_run(first.location), load_run(second.location)
    assert first.location != second.location and first.eval.run_id != second.eval.run_id
    assert interrupted.run_id == resumed.run_id, "eval_retry keeps Inspect's task id"
    assert not interrupted.finished and resumed.finished
    assert find_logs(logs, finished_only=True) == [Path(second.location)]
    assert len(find_logs(logs)) == 2

    db = f"sqlite:///{tmp_path / 'results.sqlite'}"
    assert main(["history", "--db", db, "--log-dir", str(logs), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["run_id"], r["n_scored"]) for r in runs] == [(resumed.run_id, resumed.n_scored)]
    with ResultsStore(db) as store:
        assert store.indexed_logs().keys() == {str(second.location)}
