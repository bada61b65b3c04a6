"""Attacks on revision review's write: a proposal edited between the page and the approval,
a spec or backup folder that is a symlink elsewhere, a spec that is a directory."""

from __future__ import annotations

import asyncio
import time

import pytest

from specwright._layers._read import read_spec
from specwright._revise._approve import BACKUP_DIR
from specwright._studio._revisions import _CITATION
from tests.studio.conftest import Env
from tests.studio.test_studio_revision_review import BASE, form_of, review

__all__ = ["review"]


def _approve(env: Env, before_post: object = None) -> object:
    client = env.client()
    form = form_of(client.get("/revisions/0").text, "/revisions/0")
    if callable(before_post):
        before_post()
    return client.post("/revisions/0", data=form | {"decision": "approved", "reason": "ok"})


def test_a_proposal_edited_after_the_page_was_shown_is_not_written(review: Env) -> None:
    proposal, spec_file = review.studio.proposals[0], review.studio.spec_path
    assert spec_file is not None
    swapped = proposal.read_text().replace("say when you are unsure", "say whatever you like")

    response = _approve(review, lambda: proposal.write_text(swapped, encoding="utf-8"))

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert spec_file.read_text() == BASE  # what was approved is not what was shown
    assert review.studio.index.revision_decisions(read_spec(proposal).content_hash()) == []


def test_a_spec_file_that_is_a_symlink_is_refused_and_its_target_untouched(review: Env) -> None:
    spec_file = review.studio.spec_path
    assert spec_file is not None
    elsewhere = review.tmp / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "real.md"
    real.write_text(BASE, encoding="utf-8")
    spec_file.unlink()
    spec_file.symlink_to(real)

    response = _approve(review)

    assert response.status_code == 400 and "symlink" in response.text  # type: ignore[attr-defined]
    assert spec_file.is_symlink() and real.read_text() == BASE
    assert not (review.tmp / BACKUP_DIR).exists()


def test_a_backup_folder_that_is_a_symlink_is_refused(review: Env) -> None:
    spec_file = review.studio.spec_path
    assert spec_file is not None
    elsewhere = review.tmp / "elsewhere"
    elsewhere.mkdir()
    (review.tmp / BACKUP_DIR).symlink_to(elsewhere)

    response = _approve(review)

    assert response.status_code == 400 and "symlink" in response.text  # type: ignore[attr-defined]
    assert spec_file.read_text() == BASE and list(elsewhere.iterdir()) == []


def test_a_spec_directory_gets_its_model_spec_written(review: Env) -> None:
    folder = review.tmp / "specdir"
    folder.mkdir()
    (folder / "model_spec.md").write_text(BASE, encoding="utf-8")
    review.studio.spec, review.studio.spec_path = read_spec(folder), folder

    assert _approve(review).status_code == 303  # type: ignore[attr-defined]

    assert "say when you are unsure" in (folder / "model_spec.md").read_text()
    assert (folder / BACKUP_DIR).is_dir() and folder.is_dir()


def test_a_huge_form_is_refused_before_it_is_read_whole(review: Env) -> None:
    app, read, sent = review.client().app, [0], []

    async def receive() -> dict[str, object]:  # 64 MiB offered in chunks, no content-length
        read[0] += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": read[0] < 1024}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/revisions/0/comments", "raw_path": b"/revisions/0/comments",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8765),
        "headers": [(b"host", b"127.0.0.1"),
                    (b"content-type", b"application/x-www-form-urlencoded")],
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]

    assert sent[0]["status"] == 413
    assert read[0] < 16  # stopped near the 256 KiB bound, not after 64 MiB


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1.evil.com", "[::1]evil", "localhost:80@evil", "localhost.", "", "localhost:",
     "127.0.0.1:99999999", "evil.example:8765", "[::2]"],
)  # fmt: skip
def test_hosts_crafted_to_look_like_loopback_are_refused(review: Env, host: str) -> None:
    assert review.client().get("/revisions", headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", ["LOCALHOST", "[0:0:0:0:0:0:0:1]:8765", "127.0.0.1:80"])
def test_loopback_spelled_otherwise_is_served(review: Env, host: str) -> None:
    assert review.client().get("/revisions", headers={"host": host}).status_code == 200


def _citation_seconds(times: int) -> float:
    line = "run `a` sample `b/c-1` (" * times  # citations opening a why that never closes
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        _CITATION.findall(line)
        best = min(best, time.perf_counter() - start)
    return best


def test_a_line_of_crafted_citations_reads_in_linear_time() -> None:
    small, large = _citation_seconds(1000), _citation_seconds(4000)
    assert large < 0.5 and large / max(small, 1e-4) < 8  # 4x the text: ~4x the time, not 16x
