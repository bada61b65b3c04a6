"""Proposed revisions in the studio: the diff section by section, decisions kept in the store
with who, when and why, a rejection needing a reason, and two deciders never both passing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specwright._layers._read import read_spec
from tests.report import report_factory as factory
from tests.studio.conftest import Env, token_of, version_of

BASE = "# Honesty {#honesty}\n\n## Be honest {#be_honest authority=user}\n\nTell the truth.\n"
PROPOSED = (
    "# Honesty {#honesty}\n\n## Be honest {#be_honest authority=user}\n\n"
    "Tell the truth, and say when you are unsure. {text}\n"
)


@pytest.fixture
def revising(env: Env, tmp_path: Path) -> Env:
    base, proposal = tmp_path / "spec.md", tmp_path / "proposal.md"
    base.write_text(BASE, encoding="utf-8")
    proposal.write_text(PROPOSED.replace("{text}", " ".join(factory.PAYLOADS)), encoding="utf-8")
    env.studio.spec = read_spec(base)
    env.studio.proposals = [proposal]
    return env


def _decide(client: object, html: str, decision: str, reason: str) -> object:
    form = {"csrftoken": token_of(html), "version": str(version_of(html))}
    proposed = re.search(r'name="proposed" value="([^"]*)"', html)
    form |= {"decision": decision, "reason": reason, "proposed": proposed[1] if proposed else ""}
    return client.post("/revisions/0", data=form)  # type: ignore[attr-defined]


def test_a_revision_shows_its_changes_and_records_the_decision(revising: Env) -> None:
    client = revising.client()
    assert "undecided" in client.get("/revisions").text
    html = client.get("/revisions/0").text
    assert 'data-section="be_honest"' in html and "<ins>" in html
    assert "&lt;script&gt;window.__pwned" in html and "<script" not in html
    response = _decide(client, html, "approved", "clearer, and the judge agreed")
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = client.get("/revisions/0?saved=1").text
    assert "Your decision was saved." in after and "clearer, and the judge agreed" in after
    (record,) = revising.studio.index.revision_decisions(_proposed_hash(revising))
    assert (record.author, record.decision) == ("alice", "approved")
    assert record.base_hash == revising.studio.spec.content_hash()  # type: ignore[union-attr]
    assert "approved" in client.get("/revisions").text


def _proposed_hash(env: Env) -> str:
    return read_spec(env.studio.proposals[0]).content_hash()


def test_a_rejection_needs_a_reason(revising: Env) -> None:
    client = revising.client()
    response = _decide(client, client.get("/revisions/0").text, "rejected", "  ")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert revising.studio.index.revision_decisions(_proposed_hash(revising)) == []


def test_two_deciders_never_both_pass(revising: Env) -> None:
    alice, bob = revising.client(), revising.client()
    seen_a, seen_b = alice.get("/revisions/0").text, bob.get("/revisions/0").text
    assert _decide(alice, seen_a, "rejected", "too broad").status_code == 303  # type: ignore[attr-defined]
    assert _decide(bob, seen_b, "approved", "fine").status_code == 409  # type: ignore[attr-defined]
    decisions = revising.studio.index.revision_decisions(_proposed_hash(revising))
    assert [d.decision for d in decisions] == ["rejected"]


def test_a_cross_site_decision_is_refused(revising: Env) -> None:
    client = revising.client()
    html = client.get("/revisions/0").text
    form = {"csrftoken": token_of(html), "version": "0", "decision": "approved", "reason": ""}
    response = client.post("/revisions/0", data=form, headers={"origin": "http://evil.example"})
    assert response.status_code == 403
    assert revising.studio.index.revision_decisions(_proposed_hash(revising)) == []


def test_an_unknown_revision_is_404(revising: Env) -> None:
    assert revising.client().get("/revisions/3").status_code == 404


def test_a_run_of_an_approved_revision_names_its_decision(revising: Env) -> None:
    client = revising.client()
    assert (
        _decide(client, client.get("/revisions/0").text, "approved", "ship it").status_code == 303
    )  # type: ignore[attr-defined]
    measured = factory.run_b().model_copy(update={"spec_hash": _proposed_hash(revising)})
    revising.studio.index.index_run(measured)
    runs = client.get("/").text
    row = runs[runs.index("run-b-0002") :]
    assert "approved by alice on" in row[: row.index("</tr>")] and "ship it" in row
    other = runs[runs.index("run-a-0001") :]
    assert "approved by" not in other[: other.index("</tr>")]
