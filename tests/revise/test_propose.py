"""``specwright propose`` with a scripted drafting model (``scripted/reviser``, no HTTP: the
command's logic is the point), on the hand-made runs of ``_example_runs`` (and on the real
Model Spec when it is present). An unreachable server is tested on a real closed port."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from specwright import example_spec_path, lint_spec, read_spec
from specwright._cli import main
from specwright._llm import ScriptedModel
from specwright._spec_diff._affected import affected_sections
from tests._paths import require_real_spec
from tests.company.conftest import respond
from tests.eval._server import local_server
from tests.revise._example_runs import example_run, example_sample, write_runs
from tests.revise._scripted_reviser import FAULTS, reviser


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    return write_runs(tmp_path)


@pytest.fixture
def faults() -> list[str]:
    """Malformed answers the scripted model gives first, in order."""
    return []


@pytest.fixture
def drafter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faults: list[str]
) -> Iterator[ScriptedModel]:
    """The scripted drafting model, installed as ``scripted/reviser``; a fresh results store."""
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", f"sqlite:///{tmp_path / 'store.sqlite'}")
    with ScriptedModel(reviser(faults), name=DRAFTER).installed() as model:
        yield model


DRAFTER = "scripted/reviser"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _propose(capsys: pytest.CaptureFixture[str], section: str, runs: list[Path], *extra: str
             ) -> tuple[int, str, str]:  # fmt: skip
    sources = [a for p in runs for a in ("--from", str(p))]
    return cli(capsys, "propose", section, "--spec", str(example_spec_path()), *sources,
               "--model", DRAFTER, *extra)  # fmt: skip


def test_overlay_is_lint_clean_cites_its_samples_and_diffs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[Path], drafter: ScriptedModel
) -> None:
    out_dir = tmp_path / "proposal"
    code, out, err = _propose(capsys, "local_currency", runs, "-o", str(out_dir), "--json")
    assert code == 0, err
    assert "warning" not in err
    assert "review: specwright diff" in err and "--changed-since" in err
    record = json.loads(out)
    assert record["kind"] == "overlay" and record["ceiling"] == "user"
    # Disagreement: model-a says compliant on example-1, model-b not; example-2 is unanimous.
    assert [(e["run_id"], e["scenario_id"]) for e in record["evidence"]] == [
        ("ra", "local_currency/example-1"),
        ("rb", "local_currency/example-1"),
    ]
    [example] = record["examples"]
    assert example["samples"] == ["ra local_currency/example-1", "rb local_currency/example-1"]
    text = (out_dir / "model_spec.md").read_text(encoding="utf-8")
    assert "overrides:\n- local_currency" in text and "ceiling: user" in text
    assert "run `ra` sample `local_currency/example-1`" in text
    composed = read_spec(out_dir)
    assert lint_spec(composed) == []
    section = composed.section("local_currency")
    assert section.provenance is not None and section.provenance.layer_index == 1
    assert composed.effective_authority("local_currency") == "guideline"
    base_examples = len(read_spec(example_spec_path()).section("local_currency").examples)
    assert len(section.examples) == base_examples + 1
    assert [a.label for a in section.examples[-1].answers] == ["GOOD", "BAD"]
    assert "<price>" in section.examples[-1].messages[0].text  # escaped, read back as written
    code, _, err = cli(capsys, "lint", str(out_dir))
    assert code == 0, err
    code, out, _ = cli(capsys, "diff", str(example_spec_path()), str(out_dir), "--json")
    changes = {(c["kind"], c["section_id"]) for c in json.loads(out)["changes"]}
    assert ("text-changed", "local_currency") in changes
    assert ("example-added", "local_currency") in changes
    assert {sid for _, sid in changes} == {"local_currency"}


def test_root_section_gets_a_patched_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[Path], drafter: ScriptedModel
) -> None:
    code, _, err = _propose(capsys, "protect_documents", runs, "-o", str(tmp_path / "p.md"))
    assert code == 2 and "give -o a directory" in err and len(err.strip().splitlines()) == 1
    out_dir = tmp_path / "patched"
    code, _, err = _propose(capsys, "protect_documents", runs, "-o", str(out_dir))
    assert code == 0, err
    assert "a patched copy" in err
    patched = read_spec(out_dir)
    assert lint_spec(patched) == [] and not patched.layers
    assert patched.effective_authority("protect_documents") == "root"
    assert "[^pdoc]" in patched.section("protect_documents").body  # the eval prompts stay tied
    assert any(p.section_id == "protect_documents" for p in patched.eval_prompts)
    code, out, _ = cli(capsys, "diff", str(example_spec_path()), str(out_dir), "--json")
    assert {c["section_id"] for c in json.loads(out)["changes"]} == {"protect_documents"}


def test_feedback_is_evidence_even_without_disagreement(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[Path], drafter: ScriptedModel
) -> None:
    code, _, err = _propose(capsys, "concise_options", runs)
    assert code == 2 and "nothing to draft a revision from" in err
    assert drafter.bodies == []
    code, _, err = cli(capsys, "feedback", "add", str(runs[0]), "concise_options/example-1",
                       "--verdict", "non-compliant", "--note", "four options is not short",
                       "--author", "ann")  # fmt: skip
    assert code == 0, err
    code, out, err = _propose(capsys, "concise_options", runs)
    assert code == 0, err
    assert "run `ra` sample `concise_options/example-1` (feedback by ann" in out
    [request] = drafter.bodies
    prompt = request["messages"][-1]["content"]
    assert "Note: four options is not short" in prompt and "person: non-compliant" in prompt


@pytest.mark.parametrize("fault", ["not_json", "wrong_fields", "heading", "unknown_evidence",
                                   "broken_reference"])  # fmt: skip
def test_a_malformed_answer_is_asked_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[Path], *,
    drafter: ScriptedModel, faults: list[str], fault: str,
) -> None:  # fmt: skip
    faults.append(fault)
    code, _, err = _propose(capsys, "local_currency", runs, "-o", str(tmp_path / "p.md"))
    assert code == 0, err
    assert "in 2 attempt(s)" in err and len(drafter.bodies) == 2
    retry = drafter.bodies[1]["messages"][-1]["content"]
    assert "YOUR PREVIOUS ANSWER WAS REJECTED" in retry
    assert lint_spec(read_spec(tmp_path / "p.md")) == []
    # The answer was asked for with its schema, bounded; the rejected one is kept, whole.
    first = drafter.bodies[0]
    assert first["response_format"]["type"] == "json_schema" and first["max_tokens"] == 1500
    assert "examples" in first["response_format"]["json_schema"]["schema"]["properties"]
    [kept] = (tmp_path / "p.md.unparsed.jsonl").read_text().splitlines()
    assert json.loads(kept)["text"] == FAULTS[fault]


def test_malformed_answers_exhaust_the_attempts_one_line_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[Path],
    drafter: ScriptedModel, faults: list[str],
) -> None:  # fmt: skip
    faults.extend(["not_json", "broken_reference"])
    target = tmp_path / "p.md"
    code, out, err = _propose(capsys, "local_currency", runs, "-o", str(target), "--attempts", "2")
    assert code == 1 and not target.exists() and out == ""
    [line] = err.strip().splitlines()
    assert "no usable revision of local_currency in 2 attempt(s)" in line
    assert "no_such_section" in line
    kept = tmp_path / "p.md.unparsed.jsonl"
    assert f"2 unusable answer(s) are kept in {kept}" in line
    assert [json.loads(r)["text"] for r in kept.read_text().splitlines()] == [
        FAULTS["not_json"], FAULTS["broken_reference"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["locl_currency"], "no such section in the spec (did you mean local_currency?)"),
        (["local_currency", "--from", "no-such-run"], "RUN no-such-run: no such file"),
        (["local_currency", "--model", "gpt"], "--model 'gpt': use openai-api/"),
        (["local_currency", "--json"], "--json prints the proposal record: give -o"),
        (["local_currency", "-o", str(example_spec_path())], "that is the spec being revised"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], runs: list[Path], drafter: ScriptedModel,
    argv: list[str], needle: str,
) -> None:  # fmt: skip
    section, *extra = argv
    code, out, err = _propose(capsys, section, runs, *extra)
    assert code == 2 and needle in err, err
    assert len(err.strip().splitlines()) == 1 and out == ""
    assert drafter.bodies == []


@pytest.mark.parametrize(
    ("fault", "needle"),
    [("http_400", "HTTP 400"), ("garbage_200", "malformed reply")],
)
def test_a_failed_request_is_one_line_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: list[Path], *,
    drafter: ScriptedModel, faults: list[str], fault: str, needle: str,
) -> None:  # fmt: skip
    faults.append(fault)
    target = tmp_path / "p.md"
    code, out, err = _propose(capsys, "local_currency", runs, "-o", str(target))
    assert code == 1 and not target.exists() and out == ""
    [line] = err.strip().splitlines()
    assert f"the request to {DRAFTER} failed" in line and needle in line
    assert "re-run" not in line and ("not retried" in line) == (fault == "http_400")


def test_an_unreachable_model_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    runs: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as closed:  # a port of 127.0.0.1 that nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("DRAFT_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("DRAFT_API_KEY", "k")
    sources = [a for p in runs for a in ("--from", str(p))]
    code, _, err = cli(capsys, "propose", "local_currency", "--spec", str(example_spec_path()),
                       *sources, "--model", "openai-api/draft/reviser")  # fmt: skip
    assert code == 2 and "--model 'openai-api/draft/reviser': cannot connect" in err
    assert len(err.strip().splitlines()) == 1


def test_the_loop_eval_feedback_propose_diff_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    drafter: ScriptedModel,
) -> None:  # fmt: skip
    """A re-run of the affected scenarios shows the proposal's effect: its new example runs."""
    monkeypatch.chdir(tmp_path)
    base = example_spec_path()
    judge = ["--grader", "openai-api/local/judge", "--grader-samples", "1", "--display", "none"]
    with local_server(monkeypatch, respond) as server:
        evaluate = ["eval", "--model", "openai-api/local/m", *judge, "--json"]
        code, out, err = cli(capsys, *evaluate, "--spec", str(base))
        assert code == 0, err
        log = json.loads(out)["log"]
        code, _, err = cli(capsys, "feedback", "add", log, "local_currency/example-1",
                           "--verdict", "non-compliant", "--note", "left in dollars")  # fmt: skip
        assert code == 0, err
        code, _, err = cli(capsys, "propose", "local_currency", "--spec", str(base), "--from", log,
                           "--model", DRAFTER, "-o", "proposal")  # fmt: skip
        assert code == 0, err
        proposal = read_spec(tmp_path / "proposal")
        affected = set(affected_sections(read_spec(base), proposal))
        assert "local_currency" in affected
        before = len(server.requests)
        code, out, err = cli(capsys, *evaluate, "--spec", "proposal", "--changed-since", str(base),
                             "--baseline", log)  # fmt: skip
        assert code == 0, err
    whole = json.loads(Path(json.loads(out)["log"]).read_text(encoding="utf-8"))
    fresh = {s["scenario_id"] for s in whole["samples"] if "carried_from" not in s}
    new_example = proposal.section("local_currency").examples[-1].id
    assert new_example in fresh  # the drafted example is now a scenario, and it ran
    assert {sid.split("/")[0] for sid in fresh if "/example-" in sid} <= affected
    assert len(server.requests) - before == 2 * len(fresh)  # target + one grader sample each
    assert any("carried_from" in s for s in whole["samples"])


@pytest.mark.parametrize(
    ("section", "kind"), [("ask_clarifying_questions", "overlay"), ("letter_and_spirit", "patched")]
)
def test_on_the_real_model_spec(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, drafter: ScriptedModel,
    section: str, kind: str,
) -> None:  # fmt: skip
    """On the real spec (its own findings aside), the revision lints clean and diffs narrowly."""
    real = require_real_spec()
    base = read_spec(real)
    paths = []
    for run_id, verdicts in (("ra", [True, False]), ("rb", [False, False])):
        samples = tuple(
            example_sample("local_currency", i + 1, v).model_copy(
                update={"scenario_id": f"{section}/example-{i + 1}", "section_id": section})
            for i, v in enumerate(verdicts)
        )  # fmt: skip
        run = example_run(run_id, f"model-{run_id}", []).model_copy(update={"samples": samples})
        paths.append(tmp_path / f"{run_id}.json")
        paths[-1].write_text(run.model_dump_json(), encoding="utf-8")
    out_dir = tmp_path / "proposal"
    sources = [a for p in paths for a in ("--from", str(p))]
    model = ["--model", DRAFTER]
    code, out, err = cli(capsys, "propose", section, "--spec", str(real), *sources, *model,
                         "-o", str(out_dir), "--json")  # fmt: skip
    assert code == 0, err
    assert "warning: no run given was judged against this spec (its hash differs)" in err
    assert json.loads(out)["kind"] == kind
    proposed = read_spec(out_dir)
    before = {(f.code, f.section_id) for f in lint_spec(base)}
    assert {(f.code, f.section_id) for f in lint_spec(proposed)} <= before
    assert set(proposed.section(section).eval_tags) == set(base.section(section).eval_tags)
    assert len(proposed.eval_prompts) == len(base.eval_prompts)
    code, out, _ = cli(capsys, "diff", str(real), str(out_dir), "--json")
    assert {c["section_id"] for c in json.loads(out)["changes"]} == {section}
