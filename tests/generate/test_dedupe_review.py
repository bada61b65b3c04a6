"""Near-duplicate removal, diversity, and the review cycle up to what ``eval`` loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import specwright
from specwright._cli import main
from specwright._generate._dedupe import Deduper, diversity
from specwright._llm import ScriptedModel
from specwright._scenarios import ScenarioRecord, load_scenarios, read_records
from tests.generate._scripted import words
from tests.generate.conftest import GEN

BASE = "Please summarise the attached contract for {who} and flag every clause about {what}."


def records(path: Path) -> list[ScenarioRecord]:
    return [r for _, r in read_records(path)]


def run(out: Path, *extra: str) -> int:
    spec = str(specwright.example_spec_path())
    args = ["generate", "--spec", spec, "--generator", GEN, "-o", str(out), *extra]
    return main([*args, "--sections", "concise_options", "--kinds", "direct"])


def test_deduper_keeps_one_of_each_near_duplicate_group() -> None:
    deduper = Deduper()
    assert deduper.seen("a", BASE.format(who="Ana", what="termination")) is None
    # Case, punctuation and one changed name are the same scenario.
    assert deduper.seen("b", BASE.format(who="ANA", what="termination!").upper()) == "a"
    assert deduper.seen("c", BASE.format(who="Bea", what="termination")) == "a"
    assert deduper.seen("d", "Write a limerick about a cat who learns to fly a kite.") is None
    assert deduper.seen("a", "anything at all") == "a"  # the same id is the same scenario


def test_diversity_tells_repetitive_sets_from_varied_ones() -> None:
    same = [BASE.format(who=w, what="fees") for w in ("Ana", "Bea", "Cy", "Dee")]
    varied = [words(str(i), 15) for i in range(4)]
    low, high = diversity(same), diversity(varied)
    assert low is not None and high is not None
    assert low < 0.4 and high > 0.8
    assert diversity(same[:1]) is None


def _repeating(body: dict[str, Any]) -> str:
    # Three items, two of which are near copies of each other, the same in every request.
    texts = [
        BASE.format(who="Ana", what="fees"),
        BASE.format(who="Ana.", what="FEES"),
        "Plan a picnic.",
    ]
    items = [{"messages": [{"role": "user", "content": t}]} for t in texts]
    return json.dumps({"scenarios": items})


@pytest.fixture
def repeating() -> Any:
    with ScriptedModel(_repeating, name=GEN).installed() as model:
        yield model


def test_generation_drops_duplicates_within_and_across_runs(
    repeating: ScriptedModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.yaml"
    assert run(out, "--json") == 0
    first = json.loads(capsys.readouterr().out)["sections"]["concise_options"]
    assert (first["written"], first["duplicates"]) == (2, 1)
    assert run(out, "--json", "--seed", "9") == 0  # a new seed, the same proposals
    second = json.loads(capsys.readouterr().out)["sections"]["concise_options"]
    assert (second["written"], second["duplicates"]) == (0, 3)
    assert len(records(out)) == 2
    assert run(out) == 0  # the human summary prints the diversity figure per section
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("concise_options"))
    assert "diversity 0." in line and "duplicates  3" in line


def test_review_cycle_from_drafts_to_eval(
    repeating: ScriptedModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.jsonl"
    assert run(out) == 0
    capsys.readouterr()
    assert main(["scenarios", "review", str(out)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("[draft]" in line for line in listed)
    picnic, contract = sorted(records(out), key=lambda r: "picnic" not in r.messages[0].content)
    assert main(["scenarios", "review", str(out), "--reject", contract.id]) == 2
    assert "--reason" in capsys.readouterr().err
    before = out.read_text(encoding="utf-8")
    assert main(["scenarios", "review", str(out), "--approve", f"{picnic.id},nope"]) == 2
    assert "no scenario with id 'nope'" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == before  # an unknown id changes nothing
    reason = "asks for a document the spec does not cover"
    args = ["--approve", picnic.id, "--reject", contract.id, "--reason", reason]
    assert main(["scenarios", "review", str(out), *args]) == 0
    edit = ["--edit", picnic.id, "--message", "0", "--text", "Plan a picnic for twelve."]
    assert main(["scenarios", "review", str(out), *edit]) == 0
    by_id = {r.id: r for r in records(out)}
    assert by_id[contract.id].status == "rejected" and by_id[contract.id].reason == reason
    assert by_id[picnic.id].messages[0].content == "Plan a picnic for twelve."
    assert "edited" in by_id[picnic.id].tags and by_id[picnic.id].status == "approved"

    spec = specwright.load_example_spec()
    assert [s.id for s in load_scenarios(out, spec)] == [picnic.id]
    assert [s.id for s in load_scenarios(out, spec, include_drafts=True)] == [picnic.id]

    # Rejected stays rejected: the generator proposes it again, it is not written again,
    # and the prompt tells the generator what was rejected and why.
    capsys.readouterr()
    assert run(out, "--seed", "5", "--json") == 0
    assert json.loads(capsys.readouterr().out)["written"] == 0
    assert reason in repeating.bodies[-1]["messages"][-1]["content"]
    assert main(["scenarios", "review", str(out), "--status", "rejected"]) == 0
    assert reason in capsys.readouterr().out


def test_review_usage_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.yaml"
    out.write_text(
        "- id: a\n  section: s\n  messages: [{role: user, content: hi}]\n", encoding="utf-8"
    )
    cases = [
        (["--edit", "a", "--message", "0"], "--edit ID needs --message N and --text TEXT"),
        (["--edit", "a", "--message", "3", "--text", "x"], "a has messages 0..0"),
        (["--reason", "x"], "--reason goes with --reject"),
        (["--approve", "a", "--reject", "a", "--reason", "r"], "both approved and rejected"),
    ]
    for args, message in cases:
        assert main(["scenarios", "review", str(out), *args]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    # Hand-written records without a status count as approved.
    assert main(["scenarios", "review", str(out), "--status", "approved"]) == 0
    assert "a  [approved] s  hand-written" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  section: s\n  messages: []\n  status: maybe\n", encoding="utf-8")
    assert main(["scenarios", "review", str(bad)]) == 2
    assert "bad.yaml:1" in capsys.readouterr().err


def test_a_review_during_generation_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    from tests.generate._scripted import generator_reply

    out = tmp_path / "d.yaml"
    out.write_text(
        "- id: mine\n  section: concise_options\n  status: draft\n"
        "  messages: [{role: user, content: Compare three laptops for me.}]\n",
        encoding="utf-8",
    )
    asked, reviewed = threading.Event(), threading.Event()

    def after_the_review(body: dict[str, Any]) -> str:
        asked.set()  # generation has read the file and waits on its model
        assert reviewed.wait(30), "the review never happened"
        return generator_reply(body)

    with ScriptedModel(after_the_review, name=GEN).installed():
        codes: list[int] = []
        worker = threading.Thread(target=lambda: codes.append(run(out)))
        worker.start()
        assert asked.wait(60), "the generator was never asked"
        assert main(["scenarios", "review", str(out), "--approve", "mine"]) == 0
        reviewed.set()
        worker.join(timeout=60)
    assert codes == [0]
    found = {r.id: r for r in records(out)}
    assert found["mine"].status == "approved"  # the review made meanwhile survived
    assert len(found) == 4  # and the three new drafts were appended
