"""Revision review in the studio, on real files and the real SQLite store: a revision
``propose`` builds (its real overlay, citing a sample people gave feedback on) shown section
by section with the evidence it cites, a comment thread with optimistic concurrency, and an
approval that writes the revision as the spec (the old spec kept) and records its hash."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from specwright._cli import main
from specwright._layers._read import read_spec
from specwright._results._database import open_engine
from specwright._results._feedback import make_feedback, parse_sample_ref
from specwright._results._migrations import migrate
from specwright._results._revisions import RevisionLog, StaleVersion
from specwright._results._store import ResultsStore
from specwright._revise._answer import ProposalAnswer, ProposedExample
from specwright._revise._approve import BACKUP_DIR
from specwright._revise._evidence import gather_evidence
from specwright._revise._propose import Proposal, revise_from_answer
from tests.report import report_factory as factory
from tests.studio.conftest import Env

BASE = (
    "# Honesty {#honesty}\n\nAbout honesty.\n\n"
    "## Be honest {#be_honest authority=user}\n\nTell the truth.\n\n"
    "## Be brief {#be_brief authority=guideline}\n\nKeep it short.\n"
)
_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)


def _propose(spec_file: Path, out: Path, evidence_text: str = "") -> Proposal:
    """A revision as ``propose`` builds it from the drafting model's answer (no model here)."""
    spec, run = read_spec(spec_file), factory.run_a()
    note = f"the section does not say what to do when unsure {evidence_text}"
    item = make_feedback(run, parse_sample_ref("be_honest/example-1"), "unclear",
                         author="ann", note=note)  # fmt: skip
    with ResultsStore(f"sqlite:///{out.parent / 'results.sqlite'}") as store:
        store.add_feedback(item)
    evidence = gather_evidence("be_honest", [run], [item], spec)
    answer = ProposalAnswer(
        text="Tell the truth, and say when you are unsure.",
        examples=[ProposedExample(title="Unsure about a date", evidence=[evidence[0].id],
                                  user="When was the treaty signed?",
                                  good="I am not sure; I think 1648.", bad="In 1648, certainly.")],
    )  # fmt: skip
    proposal = revise_from_answer(spec, spec_file, "be_honest", answer, evidence, output=out)
    assert isinstance(proposal, Proposal), proposal
    out.write_text(proposal.text, encoding="utf-8")
    return proposal


@pytest.fixture
def review(env: Env) -> Env:
    spec_file, proposal = env.tmp / "spec.md", env.tmp / "proposal.md"
    spec_file.write_text(BASE, encoding="utf-8")
    _propose(spec_file, proposal)
    env.studio.spec, env.studio.spec_path = read_spec(spec_file), spec_file
    env.studio.proposals = [proposal]
    return env


def form_of(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form posting to ``action``."""
    for target, inner in _FORM.findall(html):
        if target == action:
            return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', inner))
    raise AssertionError(f"no form posting to {action}")


def test_a_revision_shows_its_changes_with_the_evidence_it_cites(review: Env) -> None:
    client = review.client()
    html = client.get("/revisions/0").text
    section = html[html.index('class="revision-section" data-section="be_honest"') :]
    assert "<ins>" in section and "text-changed" in section and "example-added" in section
    link = "/runs/run-a-0001/sample?scenario=be_honest%2Fexample-1&amp;epoch=1"
    assert f'href="{link}"' in section and "Unsure about a date" in section
    assert "feedback by ann: unclear" in section  # why propose chose it
    assert (
        "the section does not say what to do when unsure" in section
    )  # ann's note, from the store
    assert client.get(link.replace("&amp;", "&")).status_code == 200  # the link opens the sample
    assert 'data-section="be_brief"' not in html  # an unchanged section is not shown


def _comment(client: object, html: str, text: str, **headers: str) -> int:
    form = form_of(html, "/revisions/0/comments") | {"text": text}
    return int(client.post("/revisions/0/comments", data=form, headers=headers).status_code)  # type: ignore[attr-defined]


def test_comments_form_a_thread_and_never_overwrite_each_other(review: Env) -> None:
    alice, bob = review.client(), review.client()
    seen_a, seen_b = alice.get("/revisions/0").text, bob.get("/revisions/0").text
    assert _comment(alice, seen_a, "Is 'unsure' too vague?") == 303
    assert _comment(bob, seen_b, "Looks fine") == 409  # bob had not seen alice's comment
    fresh = bob.get("/revisions/0").text
    assert "Is &#x27;unsure&#x27; too vague?" in fresh or "Is &#39;unsure&#39; too vague?" in fresh
    assert _comment(bob, fresh, "Fine by me after all") == 303
    assert _comment(bob, bob.get("/revisions/0").text, "   ") == 400
    assert _comment(bob, bob.get("/revisions/0").text, "x", origin="http://evil.example") == 403
    key = read_spec(review.studio.proposals[0]).content_hash()
    thread = RevisionLog(review.studio.index.store._engine).comments(key)
    assert [(c.author, c.text) for c in thread] == [
        ("alice", "Is 'unsure' too vague?"), ("alice", "Fine by me after all")
    ]  # one reviewer setting in this studio: both clients are alice  # fmt: skip


def _decide(client: object, decision: str, reason: str) -> object:
    html = client.get("/revisions/0").text  # type: ignore[attr-defined]
    form = form_of(html, "/revisions/0") | {"decision": decision, "reason": reason}
    return client.post("/revisions/0", data=form)  # type: ignore[attr-defined]


def test_an_approval_writes_the_revision_as_the_spec_and_keeps_the_old(review: Env) -> None:
    spec_file, client = review.studio.spec_path, review.client()
    assert spec_file is not None
    old_hash, proposed_hash = read_spec(spec_file).content_hash(), _proposed(review)
    assert _decide(client, "approved", "clearer").status_code == 303  # type: ignore[attr-defined]
    written = read_spec(spec_file)
    assert "say when you are unsure" in written.section("be_honest").body
    assert [e.title for e in written.section("be_honest").examples] == ["Unsure about a date"]
    assert written.title == "Honesty" and not written.layers  # a plain spec, its own title
    assert (spec_file.parent / BACKUP_DIR / f"spec.{old_hash[:12]}.md").read_text() == BASE
    (record,) = review.studio.index.revision_decisions(proposed_hash)
    assert record.written_path == str(spec_file)
    assert record.written_hash == written.content_hash() != proposed_hash
    html = client.get("/revisions/0").text
    assert 'id="written"' in html and written.content_hash()[:12] in html
    assert 'id="approve-revision"' not in html  # it is the spec now: nothing left to decide
    assert "approved" in client.get("/revisions").text
    assert review.studio.spec.content_hash() == written.content_hash()  # type: ignore[union-attr]


def _proposed(env: Env) -> str:
    return read_spec(env.studio.proposals[0]).content_hash()


def test_a_spec_changed_on_disk_is_not_overwritten(review: Env) -> None:
    spec_file = review.studio.spec_path
    assert spec_file is not None
    edited = BASE.replace("Keep it short.", "Keep it very short.")
    spec_file.write_text(edited, encoding="utf-8")  # someone edits the spec meanwhile
    response = _decide(review.client(), "approved", "ok")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert spec_file.read_text() == edited and not (spec_file.parent / BACKUP_DIR).exists()
    assert review.studio.index.revision_decisions(_proposed(review)) == []


def test_a_rejection_writes_nothing(review: Env) -> None:
    spec_file = review.studio.spec_path
    assert spec_file is not None
    assert _decide(review.client(), "rejected", "too vague").status_code == 303  # type: ignore[attr-defined]
    assert spec_file.read_text() == BASE
    (record,) = review.studio.index.revision_decisions(_proposed(review))
    assert record.written_path is None and record.written_hash is None


def test_a_store_made_before_the_thread_migrates_and_keeps_its_decisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        migrate(conn, upto="m011_create_revision_decisions")
        conn.exec_driver_sql(
            "INSERT INTO revision_decisions VALUES "
            "('d1', '2026-01-02 00:00:00', 'bob', 'p.md', 'b', 'p', 'approved', 'ok')"
        )
    engine.dispose()
    with ResultsStore(url) as store:
        assert store.migrations()[-2:] == [
            "m012_revision_decisions_add_written", "m013_create_revision_comments"
        ]  # fmt: skip
        log = store.revisions()
        (old,) = log.decisions("p")
        assert (old.author, old.written_hash, log.comments("p")) == ("bob", None, [])
        assert log.decisions_for(["p"])["p"].summary() == "approved by bob on 2026-01-02: ok"


def test_history_and_the_report_name_the_decision_behind_a_runs_spec(
    review: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = review.studio.spec_path
    assert spec_file is not None
    assert _decide(review.client(), "approved", "clearer <b>now</b>").status_code == 303  # type: ignore[attr-defined]
    measured = read_spec(spec_file).content_hash()  # what `eval --spec` records (its task)
    run = factory.run_b().model_copy(update={"spec_hash": measured})
    runs = review.tmp / "runs.json"
    runs.write_text(f"[{run.model_dump_json()}]", encoding="utf-8")
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", review.url)
    monkeypatch.setitem(sys.modules, "specwright._eval", None)  # no log reading: runs are JSON
    decision = review.studio.index.decisions_for([measured])[measured]
    line = f"spec revision {measured[:12]}, approved by alice on {decision.created:%Y-%m-%d}"
    assert main(["history", "--add", str(runs), "--no-index", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (named,) = data["spec_revisions"]  # run-a (in the store too) measured another spec
    assert named["run_id"] == "run-b-0002" and named["text"] == f"{line}: clearer <b>now</b>"
    assert named["decision"]["written_hash"] == measured
    assert main(["history", "--no-index", "--format", "markdown"]) == 0
    assert f"- run #2: {line}: clearer" in capsys.readouterr().out
    page = review.tmp / "h.html"
    assert main(["history", "--no-index", "-o", str(page)]) == 0
    assert f"{line}: clearer &lt;b&gt;now&lt;/b&gt;" in page.read_text(encoding="utf-8")
    report = review.tmp / "report.html"
    assert main(["report", str(runs), "-o", str(report)]) == 0
    header = report.read_text(encoding="utf-8").split("</header>")[0]
    assert f"({line}: clearer &lt;b&gt;now&lt;/b&gt;)" in header


_CITING_EXAMPLE = (
    "**Example**: Two citations\n\n"
    "Motivated by run `run-a-0001` sample `be_honest/example-1` (verdicts disagree (score 0.50: "
    "judges 0.50)); run `run-z` sample `be_honest/x@2` (every model judged non-compliant).\n"
    "Also see run `run-a-0001` sample `be_honest/example-2` without a reason, and "
    "run `broken sample `nope`.\n\n~~~xml\n<user>\nQ?\n</user>\n~~~\n\n"
)
HAND_EDITED = BASE.replace(
    "Tell the truth.\n\n", "Tell the truth; say so when unsure.\n\n" + _CITING_EXAMPLE
)


def test_a_hand_edited_copy_cites_samples_and_is_written_byte_for_byte(env: Env) -> None:
    spec_file, proposal = env.tmp / "spec.md", env.tmp / "edited.md"
    spec_file.write_text(BASE, encoding="utf-8")
    proposal.write_text(HAND_EDITED, encoding="utf-8")
    env.studio.spec, env.studio.spec_path = read_spec(spec_file), spec_file
    env.studio.proposals = [proposal]
    client = env.client()
    html = client.get("/revisions/0").text
    cited = re.findall(r'data-sample="([^"]+)"', html)
    assert cited == [
        "run-a-0001 be_honest/example-1@1", "run-z be_honest/x@2",
        "run-a-0001 be_honest/example-2@1",
    ]  # fmt: skip
    assert "verdicts disagree (score 0.50: judges 0.50)" in html
    assert "every model judged non-compliant" in html
    assert _decide(client, "approved", "fine").status_code == 303  # type: ignore[attr-defined]
    assert spec_file.read_bytes() == proposal.read_bytes()
    html = client.get("/revisions/0").text
    assert 'id="written"' in html and 'id="approve-revision"' not in html
    again = {"csrftoken": form_of(html, "/revisions/0/comments")["csrftoken"], "version": "1"}
    response = client.post("/revisions/0", data=again | {"decision": "approved"})
    assert response.status_code == 409  # it is the spec now: nothing more to decide


def _race(url: str, spec_file: Path, proposal: Path) -> tuple[str, list[str]]:
    """Six reviewers who opened the revision at once each approve it and comment on it."""
    from specwright._revise._approve import write_approved
    from specwright._studio._revisions import make_comment, make_decision, revision_diff

    base = read_spec(spec_file)
    diff = revision_diff(base, proposal)
    barrier, outcomes = threading.Barrier(6), []

    def approve(n: int) -> None:
        engine = open_engine(url)  # the store's engine: BEGIN IMMEDIATE on SQLite
        log = RevisionLog(engine)
        item = make_decision(diff, proposal, "approved", author=f"r{n}", reason="")
        note = make_comment(diff.new.content_hash, author=f"r{n}", text=f"comment {n}")
        barrier.wait()
        for write in (
            lambda: log.add_decision(item, seen_version=0,
                                     write=lambda: write_approved(spec_file, base, proposal)),
            lambda: log.add_comment(note, seen_version=0),
        ):  # fmt: skip
            try:
                write()
                outcomes.append("saved")
            except StaleVersion:
                outcomes.append("stale")
        engine.dispose()

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return diff.new.content_hash, outcomes


def test_of_concurrent_approvals_and_comments_exactly_one_lands(review: Env) -> None:
    spec_file, proposal = review.studio.spec_path, review.studio.proposals[0]
    assert spec_file is not None
    proposed, outcomes = _race(review.url, spec_file, proposal)
    assert outcomes.count("saved") == 2 and outcomes.count("stale") == 10
    assert len(review.studio.index.revision_decisions(proposed)) == 1
    assert len(review.studio.index.revision_comments(proposed)) == 1
    assert len(list((spec_file.parent / BACKUP_DIR).iterdir())) == 1


@pytest.mark.skipif(
    not os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL"),
    reason="no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL to a scratch database",
)
def test_of_concurrent_approvals_one_lands_on_postgresql(tmp_path: Path) -> None:
    url = os.environ["SPECWRIGHT_TEST_POSTGRES_URL"]
    ResultsStore(url).close()  # migrated once, before the race
    spec_file, proposal = tmp_path / "spec.md", tmp_path / "proposal.md"
    spec_file.write_text(BASE + f"\nA unique line {uuid.uuid4()}.\n", encoding="utf-8")
    proposal.write_text(
        "---\nextends: spec.md\nceiling: developer\noverrides: [be_honest]\n---\n\n"
        "# Be honest {#be_honest authority=user}\n\nTell the truth, plainly.\n",
        encoding="utf-8",
    )
    proposed, outcomes = _race(url, spec_file, proposal)
    assert outcomes.count("saved") == 2 and outcomes.count("stale") == 10
    with ResultsStore(url) as store:
        log = store.revisions()
        (decision,) = log.decisions(proposed)
        assert len(log.comments(proposed)) == 1
        written = read_spec(spec_file).content_hash()
        assert (
            decision.written_hash == written and log.decisions_for([written])[written] == decision
        )


def test_an_approval_the_studio_cannot_write_records_nothing(review: Env) -> None:
    spec_file = review.studio.spec_path
    assert spec_file is not None
    as_json = spec_file.with_suffix(".json")
    as_json.write_text(read_spec(spec_file).model_dump_json(), encoding="utf-8")
    review.studio.spec_path = as_json  # a JSON spec: no markdown to replace
    response = _decide(review.client(), "approved", "ok")
    assert response.status_code == 400 and "markdown spec only" in response.text  # type: ignore[attr-defined]
    layered = review.tmp / "company.md"  # a spec that is itself a layer on another
    layered.write_text(
        "---\nextends: spec.md\nceiling: developer\n---\n\n# Extra {#extra}\n\nMore.\n"
    )
    review.studio.spec, review.studio.spec_path = read_spec(layered), layered
    response = _decide(review.client(), "approved", "ok")
    assert response.status_code == 400 and "itself a layer" in response.text  # type: ignore[attr-defined]
    assert review.studio.index.revision_decisions(_proposed(review)) == []
    assert spec_file.read_text() == BASE and not (review.tmp / BACKUP_DIR).exists()
