"""The eval against servers that refuse like llama.cpp: learned or declared profiles, adapted
requests recorded in the log, refusals never retried, constrained verdicts, unread grades kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from specwright import Spec
from specwright._eval._task import compliance_task
from specwright._results import SampleMetadata, ScoreMetadata
from tests.eval._server import RawReply, env_server, grade_json, is_grader_request
from tests.llm.refusing_server import refusal


def llama_cpp(body: dict[str, Any]) -> str | RawReply:
    """Refuses what llama-cpp-python's server refuses; otherwise grades and answers."""
    refused = refusal("llama-cpp", body)
    if refused is not None:
        return RawReply(json.dumps(refused[1]), refused[0])
    return grade_json(True) if is_grader_request(body) else "COMPLIED"


def _eval(spec: Spec, tmp_path: Path, **model_args: Any) -> EvalLog:
    target = get_model("openai-roles/local/target", memoize=False, **model_args)
    grader = get_model("openai-roles/local/judge", memoize=False, **model_args)
    [log] = inspect_eval(compliance_task(spec), model=target, model_roles={"grader": grader},
                         display="none", log_dir=str(tmp_path), max_retries=2)  # fmt: skip
    return log


def _metadata(log: EvalLog) -> list[SampleMetadata]:
    return [SampleMetadata.model_validate(s.metadata) for s in log.samples or []]


def test_the_first_refusals_teach_the_run_and_every_adaptation_is_logged(
    spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with env_server(monkeypatch, llama_cpp) as server:
        log = _eval(spec, tmp_path)
    assert log.status == "success", log.error
    assert all(s.error is None for s in log.samples or [])
    refused = [r for r in server.requests if refusal("llama-cpp", r) is not None]
    # The target learns the developer role, the judge the structured-output form (json_schema
    # → json_object with a schema). Requests already in flight when a lesson is learned are
    # refused too; each refused request is sent exactly once more, adapted: 4 answers and
    # 12 grades in all.
    assert refused and len(server.requests) == 16 + len(refused)
    targets = [r for r in server.requests[-8:] if not is_grader_request(r)]
    assert all("developer" not in [m["role"] for m in r["messages"]] for r in targets)
    graders = [r for r in server.requests if is_grader_request(r)][-3:]
    assert all(r["response_format"]["type"] == "json_object" for r in graders)
    assert all(r["response_format"]["schema"]["required"] == ["score", "compliant"]
               for r in graders)  # fmt: skip
    kinds = {(a.kind, a.model) for m in _metadata(log) for a in m.adaptations}
    assert ("developer_folded", "openai-api/local/target") in kinds
    assert ("structured_output", "openai-api/local/judge") in kinds
    for sample in log.samples or []:
        score = ScoreMetadata.model_validate(next(iter(sample.scores.values())).metadata)
        assert score.compliant is True  # every constrained verdict parsed
    # ... and the report shows each sample's adaptations beside its transcript.
    from specwright import load_run, render_report

    page = render_report([load_run(log.location)], "html", spec=spec)
    assert page.count('class="adaptations"') == len(log.samples or [])
    assert "developer_folded" in page and "structured_output" in page


def test_a_declared_profile_is_never_refused(
    spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with env_server(monkeypatch, llama_cpp) as server:
        log = _eval(spec, tmp_path, profile="llama-cpp")
    assert log.status == "success", log.error
    assert [r for r in server.requests if refusal("llama-cpp", r) is not None] == []
    folded = [a for m in _metadata(log) for a in m.adaptations if a.kind == "developer_folded"]
    assert folded and all(a.profile == "llama-cpp" for a in folded)


def test_a_refusal_nothing_explains_fails_its_sample_once_with_the_setting(
    spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(body: dict[str, Any]) -> RawReply:
        return RawReply(json.dumps({"error": {"message": "context length exceeded"}}), 400)

    with env_server(monkeypatch, refuse) as server:
        log = _eval(spec, tmp_path)
    errors = [s.error.message for s in log.samples or [] if s.error is not None]
    assert errors and len(server.requests) == len(errors)  # one request each: no retries
    assert all("HTTP 400: context length exceeded" in e and "--profile" in e for e in errors)
    assert all("not retried" in e for e in errors)


def test_an_unreadable_grade_keeps_the_graders_reply(
    spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ramble(body: dict[str, Any]) -> str:
        return "The answer seems fine to me, I think." if is_grader_request(body) else "ok"

    with env_server(monkeypatch, ramble):
        log = _eval(spec, tmp_path)
    sample = (log.samples or [])[0]
    score = ScoreMetadata.model_validate(next(iter(sample.scores.values())).metadata)
    assert score.compliant is None
    assert {g.raw for g in score.grades} == {"The answer seems fine to me, I think."}


def _cli_eval(tmp_path: Path, *extra: str) -> int:
    from specwright import example_spec_path
    from specwright._cli import main

    return main(["eval", "--spec", str(example_spec_path()), "--model", "openai-api/local/m",
                 "--grader", "openai-api/local/judge", "--log-dir", str(tmp_path / "logs"),
                 "--display", "none", "--limit", "2", "--grader-samples", "1", "--no-index",
                 *extra])  # fmt: skip


def test_the_eval_summary_shows_the_adaptations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with env_server(monkeypatch, llama_cpp):
        code = _cli_eval(tmp_path)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "adapted for the server: 2 sample(s) (structured output 2)" in out


def test_a_refused_run_does_not_advise_resuming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(body: dict[str, Any]) -> RawReply:
        return RawReply(json.dumps({"error": {"message": "unknown field 'seed'"}}), 400)

    with env_server(monkeypatch, refuse) as server:
        code = _cli_eval(tmp_path, "--profile", "llama-cpp")
    _, err = capsys.readouterr()
    assert code == 1 and len(server.requests) == 2  # one request per sample, none retried
    assert "unknown field 'seed'" in err and "--profile (now llama-cpp)" in err
    assert "re-run the same command to resume" not in err
