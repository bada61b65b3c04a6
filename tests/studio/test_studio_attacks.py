"""Attacks on revision review's write: a proposal edited between the page and the approval,
a spec or backup folder that is a symlink elsewhere, a spec that is a directory."""

from __future__ import annotations

from specwright._layers._read import read_spec
from specwright._revise._approve import BACKUP_DIR
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
