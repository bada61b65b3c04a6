"""Draft review in the studio writes the scenario file exactly as ``scenarios review`` does."""

from __future__ import annotations

import re
import shutil

from specwright._cli import main
from specwright._scenarios import read_records
from tests.studio.conftest import Env, token_of

_VERSIONS = re.compile(r'name="(v:[^"]+)" value="([^"]+)"')


def _form(html: str, approve: list[str], reject: list[str], reason: str) -> list[tuple[str, str]]:
    fields = [("csrftoken", token_of(html)), ("reason", reason)]
    fields += _VERSIONS.findall(html)
    fields += [("approve", i) for i in approve] + [("reject", i) for i in reject]
    return fields


def _post(client: object, fields: list[tuple[str, str]]) -> object:
    from urllib.parse import urlencode

    return client.post(  # type: ignore[attr-defined]
        "/drafts/0",
        content=urlencode(fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def test_approve_two_reject_one_matches_the_cli_byte_for_byte(env: Env) -> None:
    drafts = env.studio.scenario_files[0]
    by_cli = env.tmp / "by-cli.yaml"
    shutil.copy(drafts, by_cli)
    client = env.client()
    html = client.get("/drafts").text
    assert html.count('name="approve"') == 3
    response = _post(client, _form(html, ["draft-1", "draft-2"], ["draft-3"], "too vague"))
    assert response.status_code == 303  # type: ignore[attr-defined]
    args = ["--approve", "draft-1,draft-2", "--reject", "draft-3", "--reason", "too vague"]
    assert main(["scenarios", "review", str(by_cli), *args]) == 0
    assert drafts.read_bytes() == by_cli.read_bytes()
    statuses = {r.id: (r.status, r.reason) for _, r in read_records(drafts)}
    assert statuses["draft-3"] == ("rejected", "too vague")
    after = client.get("/drafts?saved=1").text
    assert "Your review was saved." in after and "0 draft, 2 approved, 1 rejected" in after


def test_a_rejection_without_reason_is_400_and_changes_nothing(env: Env) -> None:
    drafts = env.studio.scenario_files[0]
    before = drafts.read_bytes()
    client = env.client()
    response = _post(client, _form(client.get("/drafts").text, [], ["draft-1"], ""))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert drafts.read_bytes() == before


def test_a_draft_changed_since_it_was_opened_is_409(env: Env) -> None:
    drafts = env.studio.scenario_files[0]
    alice, bob = env.client(), env.client()
    seen_by_alice, seen_by_bob = alice.get("/drafts").text, bob.get("/drafts").text
    assert _post(alice, _form(seen_by_alice, [], ["draft-1"], "off-topic")).status_code == 303  # type: ignore[attr-defined]
    after_alice = drafts.read_bytes()
    late = _post(bob, _form(seen_by_bob, ["draft-1", "draft-2"], [], ""))
    assert late.status_code == 409  # type: ignore[attr-defined]
    assert drafts.read_bytes() == after_alice  # draft-2 was not approved either


def test_a_cross_site_review_is_refused(env: Env) -> None:
    drafts = env.studio.scenario_files[0]
    before = drafts.read_bytes()
    client = env.client()
    fields = _form(client.get("/drafts").text, ["draft-1"], [], "")
    fields[0] = ("csrftoken", "")
    assert _post(client, fields).status_code == 403  # type: ignore[attr-defined]
    assert drafts.read_bytes() == before


def test_an_unknown_file_number_is_404(env: Env) -> None:
    client = env.client()
    html = client.get("/drafts").text
    response = client.post("/drafts/7", data={"csrftoken": token_of(html), "approve": "x"})
    assert response.status_code == 404


def _edit_form(html: str, text: str) -> dict[str, str]:
    found = re.search(r'name="version" value="([^"]+)"', html)
    assert found
    return {"csrftoken": token_of(html), "id": "draft-2", "message": "0", "text": text,
            "version": found.group(1)}  # fmt: skip


def test_an_edit_matches_the_cli_byte_for_byte(env: Env) -> None:
    drafts = env.studio.scenario_files[0]
    by_cli = env.tmp / "by-cli.yaml"
    shutil.copy(drafts, by_cli)
    client = env.client()
    assert "/drafts/0/edit?id=draft-2" in client.get("/drafts").text
    html = client.get("/drafts/0/edit", params={"id": "draft-2"}).text
    assert "Draft question 2." in html
    response = client.post("/drafts/0/edit", data=_edit_form(html, "A sharper question?"))
    assert response.status_code == 303
    args = ["--edit", "draft-2", "--message", "0", "--text", "A sharper question?"]
    assert main(["scenarios", "review", str(by_cli), *args]) == 0
    assert drafts.read_bytes() == by_cli.read_bytes()
    (edited,) = [r for _, r in read_records(drafts) if r.id == "draft-2"]
    assert "edited" in edited.tags and edited.messages[0].content == "A sharper question?"


def test_an_edit_of_a_changed_draft_is_409_and_an_empty_one_400(env: Env) -> None:
    drafts = env.studio.scenario_files[0]
    client = env.client()
    html = client.get("/drafts/0/edit", params={"id": "draft-2"}).text
    assert client.post("/drafts/0/edit", data=_edit_form(html, "  ")).status_code == 400
    assert client.post("/drafts/0/edit", data=_edit_form(html, "First")).status_code == 303
    before = drafts.read_bytes()
    assert client.post("/drafts/0/edit", data=_edit_form(html, "Second")).status_code == 409
    assert drafts.read_bytes() == before
    assert client.get("/drafts/0/edit", params={"id": "nope"}).status_code == 404
