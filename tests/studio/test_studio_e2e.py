"""The studio end to end in real headless Chromium over a real uvicorn, as a person uses it:
review a sample, approve two drafts and reject one, comment on a revision and approve it; then
each effect is checked outside the browser, where the rest of specwright reads it: the report of
the run, the scenario file (byte for byte what ``scenarios review`` writes), the spec file the
approval wrote, the decision record in the results store and ``history`` naming that decision
for a run that measured the new spec. Plus the keyboard alone, and two reviewers at once."""

from __future__ import annotations

import html
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright._cli import main
from specwright._layers._read import read_spec
from specwright._results._store import ResultsStore
from tests.report import browser_support
from tests.report import report_factory as factory
from tests.report.browser_support import CHROMIUM
from tests.studio.conftest import Env, served, studio_env

pytest.importorskip("uvicorn")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not found at /usr/bin/chromium"
    ),
]
browser = browser_support.browser  # one Chromium for the module

RUN = "run-a-0001"
SPEC = "# Honesty {#honesty}\n\n## Be honest {#be_honest authority=user}\n\nTell the truth.\n"
PROPOSED = SPEC.replace("Tell the truth.", "Tell the truth, and say when you are unsure.")
NOTE = "the answer does say it is unsure"
REASON = "a duplicate of draft-1"
COMMENT = "clearer; the judges agreed on the new wording"
THREAD = "does 'unsure' cover a guess? I read it so"
ADJUDICATED = html.escape("person's verdict (judge: non-compliant)")  # as the report writes it


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[tuple[Env, str]]:
    env = studio_env(tmp_path, factory.run_a())
    (tmp_path / "spec.md").write_text(SPEC, encoding="utf-8")
    (tmp_path / "proposal.md").write_text(PROPOSED, encoding="utf-8")
    env.studio.spec, env.studio.spec_path = read_spec(tmp_path / "spec.md"), tmp_path / "spec.md"
    env.studio.proposals = [tmp_path / "proposal.md"]
    (tmp_path / "run.json").write_text(factory.run_a().model_dump_json(), encoding="utf-8")
    shutil.copy(env.studio.scenario_files[0], tmp_path / "by-cli.yaml")
    with served(env) as base:
        yield env, base
    env.studio.index.close()


def _quiet_page(context: Any, base: str) -> tuple[Any, list[str]]:
    """A page that records script errors and every request that leaves the studio."""
    page = context.new_page()
    trouble: list[str] = []
    page.on("pageerror", lambda e: trouble.append(f"error: {e}"))
    page.on("console", lambda m: trouble.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(base) else trouble.append(r.url))
    return page, trouble


def _report(env: Env, monkeypatch: pytest.MonkeyPatch) -> str:
    """``specwright report run.json`` over the studio's results store."""
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", env.url)
    out = env.tmp / "report.html"
    assert main(["report", str(env.tmp / "run.json"), "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_a_reviewer_works_through_the_studio(
    browser: Any,
    studio: tuple[Env, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env, base = studio
    base_hash = read_spec(env.tmp / "spec.md").content_hash()
    assert ADJUDICATED not in _report(env, monkeypatch)
    context = browser.new_context()
    page, trouble = _quiet_page(context, base)
    # A sample: from the runs page, under the non-compliant filter, a verdict with a note.
    page.goto(base + "/")
    page.get_by_role("link", name=RUN).click()
    page.get_by_role("listitem").filter(has_text="Non-compliant").click()
    page.get_by_role("link", name="be_honest/example-1").click()
    page.get_by_label("Note (why)").fill(NOTE)
    page.get_by_role("button", name="Compliant", exact=True).click()
    assert page.locator(".flash").inner_text() == "Your verdict was saved."
    # Drafts: approve two, reject one with a reason.
    page.get_by_role("navigation").get_by_role("link", name="Drafts").click()
    page.get_by_label("approve draft-1").check()
    page.get_by_label("approve draft-2").check()
    page.get_by_label("reject draft-3").check()
    page.get_by_label("Reason for the rejected ones").fill(REASON)
    page.get_by_role("button", name="Save review").click()
    assert "0 draft, 2 approved, 1 rejected" in page.locator("form.drafts .note").inner_text()
    # A revision: its diff, a comment in its thread, then approved with a reason.
    page.get_by_role("navigation").get_by_role("link", name="Revisions").click()
    page.get_by_role("link", name=str(env.studio.proposals[0])).click()
    assert page.locator("ins").count() >= 1
    page.get_by_label("Your comment").fill(THREAD)
    page.get_by_role("button", name="Comment", exact=True).click()
    assert page.locator(".flash").inner_text() == "Your comment was saved."
    assert THREAD in page.content()
    page.get_by_label("Reason (a rejection needs one)").fill(COMMENT)
    page.get_by_role("button", name="Approve and write the spec").click()
    assert page.locator(".flash").first.inner_text() == "Your decision was saved."
    assert "Approved by alice and written" in page.locator("#written").inner_text()
    assert trouble == []
    context.close()

    # The report of the run shows the person's verdict in place of the judge's.
    report = _report(env, monkeypatch)
    assert report.count(ADJUDICATED) == 1
    with ResultsStore(env.url) as store:
        (item,) = store.feedback()
    assert (item.scenario_id, item.verdict, item.note) == ("be_honest/example-1", "compliant", NOTE)
    # The scenario file: byte for byte what `scenarios review` writes.
    by_cli = env.tmp / "by-cli.yaml"
    review = ["--approve", "draft-1,draft-2", "--reject", "draft-3", "--reason", REASON]
    assert main(["scenarios", "review", str(by_cli), *review]) == 0
    assert env.studio.scenario_files[0].read_bytes() == by_cli.read_bytes()
    # The decision: a record in the store, with who, why and the two specs' hashes.
    proposed = read_spec(env.studio.proposals[0]).content_hash()
    (decision,) = env.studio.index.revision_decisions(proposed)
    assert (decision.author, decision.decision, decision.reason) == ("alice", "approved", COMMENT)
    assert decision.base_hash == base_hash
    # The spec file is the approved revision now, its hash the one the decision recorded.
    assert (env.tmp / "spec.md").read_text(encoding="utf-8") == PROPOSED
    written = read_spec(env.tmp / "spec.md").content_hash()
    assert decision.written_hash == written
    # `history` names that decision for a run that measured the written spec.
    measured = factory.run_b().model_copy(update={"spec_hash": written})
    (env.tmp / "runs.json").write_text(f"[{measured.model_dump_json()}]", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "specwright._eval", None)  # runs are JSON: no log reading
    assert main(["history", "--add", str(env.tmp / "runs.json"), "--no-index", "--json"]) == 0
    (named,) = json.loads(capsys.readouterr().out)["spec_revisions"]
    assert named["run_id"] == measured.run_id
    assert f"approved by alice on {decision.created:%Y-%m-%d}: {COMMENT}" in named["text"]


def _tab_to(page: Any, target: str, limit: int = 40) -> list[str]:
    """Press Tab until ``target`` (an element id) has the focus; the ids passed on the way."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
        passed.append(focused)
        if focused == target:
            return passed
    raise AssertionError(f"Tab never reached #{target}: {passed}")


def _access_key(page: Any, key: str) -> None:
    """Alt+``key`` as a keyboard delivers it (Chromium on Linux: Alt+key for an accesskey).

    Playwright's ``keyboard.press("Alt+j")`` sends no ``char`` event while Alt is down, and
    Chromium acts on access keys at the ``char`` event, so the events go through CDP.
    """
    cdp = page.context.new_cdp_session(page)
    code, vk = f"Key{key.upper()}", ord(key.upper())
    alt = {"key": "Alt", "code": "AltLeft", "windowsVirtualKeyCode": 18}
    cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "modifiers": 1, **alt})
    pressed = {"modifiers": 1, "key": key, "code": code, "windowsVirtualKeyCode": vk}
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **pressed})
    cdp.send("Input.dispatchKeyEvent", {"type": "char", "text": key, "unmodifiedText": key,
                                        "modifiers": 1, "key": key})  # fmt: skip
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **pressed})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "modifiers": 0, **alt})
    cdp.detach()


def test_the_keyboard_alone_reviews_a_queue(browser: Any, studio: tuple[Env, str]) -> None:
    env, base = studio
    context = browser.new_context()
    page, trouble = _quiet_page(context, base)
    page.goto(f"{base}/runs/{RUN}/sample?scenario=be_honest%2Fexample-1&epoch=1&filter=failed")
    # Tab order: the walk links, then the note, then the two verdict buttons.
    passed = _tab_to(page, "mark-noncompliant")
    assert passed.index("next-sample") < passed.index("note") < passed.index("mark-compliant")
    assert passed[-2:] == ["mark-compliant", "mark-noncompliant"]
    # The access keys (Alt+key in Chromium on Linux): j for the next sample, n for a verdict.
    with page.expect_navigation():
        _access_key(page, "j")
    assert "example-2" in page.url
    assert "filter=failed" in page.url
    page.locator("#note").focus()
    page.keyboard.type("typed without a mouse")
    with page.expect_navigation():
        _access_key(page, "n")
    assert "saved=1" in page.url
    assert "typed without a mouse" in page.locator("ul.feedback").inner_text()
    with page.expect_navigation():
        _access_key(page, "k")
    assert "example-1" in page.url
    assert trouble == []
    context.close()
    with ResultsStore(env.url) as store:
        (item,) = store.feedback()
    assert (item.scenario_id, item.verdict) == ("be_honest/example-2", "non-compliant")


def test_two_reviewers_at_once_are_told_what_changed(browser: Any, studio: tuple[Env, str]) -> None:
    env, base = studio
    alice, bob = browser.new_context(), browser.new_context()
    first, second = alice.new_page(), bob.new_page()
    # Both open the drafts; Alice approves draft-1, then Bob's rejection of it is refused.
    first.goto(base + "/drafts")
    second.goto(base + "/drafts")
    first.get_by_label("approve draft-1").check()
    first.get_by_role("button", name="Save review").click()
    assert first.locator(".flash").count() == 1
    before = env.studio.scenario_files[0].read_bytes()
    second.get_by_label("reject draft-1").check()
    second.get_by_label("Reason for the rejected ones").fill("off topic")
    second.get_by_role("button", name="Save review").click()
    assert second.locator("h1").inner_text() == "Changed since you opened it"
    assert env.studio.scenario_files[0].read_bytes() == before
    # Both open the revision; Bob rejects it first, then Alice's approval is refused.
    first.goto(base + "/revisions/0")
    second.goto(base + "/revisions/0")
    second.get_by_label("Reason (a rejection needs one)").fill("not yet")
    second.get_by_role("button", name="Reject").click()
    first.get_by_role("button", name="Approve and write the spec").click()
    assert first.locator("h1").inner_text() == "Changed since you opened it"
    proposed = read_spec(env.studio.proposals[0]).content_hash()
    decisions = env.studio.index.revision_decisions(proposed)
    assert [(d.decision, d.reason) for d in decisions] == [("rejected", "not yet")]
    alice.close()
    bob.close()
