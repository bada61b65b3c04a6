"""The studio's routes, answered to real requests (Starlette's TestClient) over real SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from specwright._results._store import ResultsStore
from specwright._studio._index import StudioIndex
from tests.report import report_factory as factory
from tests.studio.conftest import BASE, Env, token_of, version_of

RUN = "run-a-0001"
SAMPLE = {"scenario": "be_honest/example-1", "epoch": "1"}


def _sample_page(env: Env, client: object) -> str:
    response = client.get(f"/runs/{RUN}/sample", params=SAMPLE)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return str(response.text)


def _verdict(html: str, verdict: str = "non-compliant", **extra: str) -> dict[str, str]:
    return {
        "csrftoken": token_of(html),
        "scenario": SAMPLE["scenario"],
        "epoch": "1",
        "version": str(version_of(html)),
        "verdict": verdict,
        "note": "the judge missed the caveat",
        **extra,
    }


def _stored(env: Env) -> list[object]:
    with ResultsStore(env.url) as store:
        return list(store.feedback())


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/runs/{RUN}",
        f"/runs/{RUN}?filter=unscored",
        "/drafts",
        f"/runs/{RUN}/sample",
        "/spec",
    ],
)
def test_every_page_answers_with_the_strict_policy(env: Env, path: str) -> None:
    params = SAMPLE if path.endswith("sample") else None
    response = env.client().get(path, params=params)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert "form-action 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "specwright_csrf=" in response.headers["set-cookie"]
    assert "samesite=strict" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/runs/nope", 404),
        (f"/runs/{RUN}?filter=bogus", 400),
        (f"/runs/{RUN}?after=x", 400),
        (f"/runs/{RUN}/sample?scenario=nope&epoch=1", 404),
    ],
)
def test_bad_requests_are_answered_4xx_with_a_page(env: Env, path: str, status: int) -> None:
    response = env.client().get(path)
    assert response.status_code == status
    assert "<h1>" in response.text


def test_a_foreign_host_is_refused(env: Env) -> None:
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    response = env.client().get("/", headers={"host": "evil.example:8765"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("where", "count"),
    [("all", 27), ("failed", 13), ("unscored", 2), ("non-compliant", 11), ("disagree", 0)],
)
def test_filters_count_in_sql(env: Env, where: str, count: int) -> None:
    run = factory.run_a()
    expected = {
        "all": run.samples,
        "failed": [s for s in run.samples if s.compliant is not True],
        "unscored": [s for s in run.samples if s.compliant is None],
        "non-compliant": [s for s in run.samples if s.compliant is False],
        "disagree": [],
    }[where]
    assert len(expected) == count
    html = env.client().get(f"/runs/{RUN}", params={"filter": where}).text
    assert f"{count} samples" in html
    assert html.count("data-sample=") == count


def test_disagreeing_judges_and_feedback_are_filters(tmp_path: Path) -> None:
    from specwright._results._models import JudgeVerdict

    run = factory.run_a()
    first = run.samples[0]
    judges = (
        JudgeVerdict(grader="j1", compliant=True, rationale="fine"),
        JudgeVerdict(grader="j2", compliant=False, rationale="<b>not</b> fine"),
    )
    split = first.model_copy(update={"judges": judges})
    run = run.model_copy(update={"samples": (split, *run.samples[1:])})
    index = StudioIndex(f"sqlite:///{tmp_path / 'r.sqlite'}")
    index.index_run(run)
    page = index.page(run.run_id, "disagree")
    assert [r.scenario_id for r in page.rows] == [first.scenario_id]
    assert index.page(run.run_id, "feedback").total == 0
    index.close()


def test_pages_are_keyed_and_the_next_link_walks_them(env: Env, tmp_path: Path) -> None:
    index = env.studio.index
    seen: list[str] = []
    after = -1
    while True:
        page = index.page(RUN, "all", after=after, size=10)
        seen += [r.scenario_id for r in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [s.scenario_id for s in factory.run_a().samples]
    # Over HTTP: 27 samples fit on the first page of 50, so there is no next link.
    assert 'id="next-page"' not in env.client().get(f"/runs/{RUN}").text


def test_reindexing_the_same_run_writes_nothing(env: Env) -> None:
    run = factory.run_a()
    assert env.studio.index.index_run(run) is False
    changed = run.model_copy(update={"samples": run.samples[:5]})
    assert env.studio.index.index_run(changed) is True
    assert env.studio.index.page(RUN, "all").total == 5


def test_a_verdict_lands_in_the_feedback_store(env: Env) -> None:
    client = env.client()
    html = _sample_page(env, client)
    response = client.post(f"/runs/{RUN}/verdict", data=_verdict(html))
    assert response.status_code == 303
    assert "saved=1" in response.headers["location"]
    (item,) = _stored(env)
    assert (item.author, item.verdict, item.scenario_id, item.epoch) == (  # type: ignore[attr-defined]
        "alice", "non-compliant", "be_honest/example-1", 1
    )  # fmt: skip
    assert item.note == "the judge missed the caveat"  # type: ignore[attr-defined]
    assert item.judge_verdict == "non-compliant"  # type: ignore[attr-defined]
    after = client.get(response.headers["location"]).text
    assert "Your verdict was saved." in after and "the judge missed the caveat" in after
    assert version_of(after) == 1
    listing = client.get(f"/runs/{RUN}", params={"filter": "feedback"}).text
    assert "1 samples" in listing


def test_two_reviewers_never_overwrite_each_other(env: Env) -> None:
    alice, bob = env.client(), env.client()
    seen_by_alice, seen_by_bob = _sample_page(env, alice), _sample_page(env, bob)
    assert alice.post(f"/runs/{RUN}/verdict", data=_verdict(seen_by_alice)).status_code == 303
    late = bob.post(f"/runs/{RUN}/verdict", data=_verdict(seen_by_bob, "compliant"))
    assert late.status_code == 409
    assert "Changed since you opened it" in late.text
    assert len(_stored(env)) == 1
    # Bob reloads, sees Alice's verdict, and his own then lands.
    fresh = _sample_page(env, bob)
    assert bob.post(f"/runs/{RUN}/verdict", data=_verdict(fresh, "compliant")).status_code == 303
    assert [f.verdict for f in _stored(env)] == ["non-compliant", "compliant"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "headers"),
    [
        ({"csrftoken": ""}, {}),
        ({"csrftoken": "x" * 43}, {}),
        ({}, {"origin": "http://evil.example"}),
        ({}, {"referer": "http://evil.example/page"}),
        ({}, {"sec-fetch-site": "cross-site"}),
        ({}, {"origin": "null"}),
    ],
)
def test_cross_site_posts_are_refused_and_write_nothing(
    env: Env, change: dict[str, str], headers: dict[str, str]
) -> None:
    client = env.client()
    form = _verdict(_sample_page(env, client)) | change
    response = client.post(f"/runs/{RUN}/verdict", data=form, headers=headers)
    assert response.status_code == 403
    assert _stored(env) == []


def test_a_post_without_the_cookie_is_refused(env: Env) -> None:
    form = _verdict(_sample_page(env, env.client()))
    response = env.client().post(f"/runs/{RUN}/verdict", data=form)  # a fresh browser: no cookie
    assert response.status_code == 403
    assert _stored(env) == []


def test_a_same_origin_post_passes(env: Env) -> None:
    client = env.client()
    form = _verdict(_sample_page(env, client))
    headers = {"origin": BASE, "sec-fetch-site": "same-origin"}
    assert client.post(f"/runs/{RUN}/verdict", data=form, headers=headers).status_code == 303


def test_the_proxy_header_names_the_reviewer(env: Env) -> None:
    env.studio.reviewer_header = "X-Forwarded-User"
    client = env.client()
    html = _sample_page(env, client)
    refused = client.post(f"/runs/{RUN}/verdict", data=_verdict(html))
    assert refused.status_code == 401
    ok = client.post(
        f"/runs/{RUN}/verdict", data=_verdict(html), headers={"x-forwarded-user": "carol"}
    )
    assert ok.status_code == 303
    assert [f.author for f in _stored(env)] == ["carol"]  # type: ignore[attr-defined]


def test_a_bad_verdict_is_400(env: Env) -> None:
    client = env.client()
    form = _verdict(_sample_page(env, client), "maybe")
    assert client.post(f"/runs/{RUN}/verdict", data=form).status_code == 400
    assert _stored(env) == []


def test_the_outline_shows_each_sections_latest_compliance_and_trend(env: Env) -> None:
    env.studio.index.store.add(factory.run_b())  # newer than run A
    html = env.client().get("/spec").text
    row = html[html.index('data-section="be_honest"') :]
    row = row[: row.index("</tr>")]
    # Run A: 1 of 10 compliant; run B: 10 of 10.
    assert "100% [72%–100%]" in row and "openai/model-b, n=10" in row
    assert "10% [2%–40%] → 100% [72%–100%]" in row
    assert ">user<" in row
    part = html[html.index('data-section="seek_truth"') :]
    assert "not measured" in part[: part.index("</tr>")]


def test_the_outline_without_a_spec_says_how_to_get_one(env: Env) -> None:
    env.studio.spec = None
    assert "--spec" in env.client().get("/spec").text


def test_a_sample_links_to_its_neighbours_under_the_filter(env: Env) -> None:
    client = env.client()
    listing = client.get(f"/runs/{RUN}", params={"filter": "non-compliant"}).text
    assert "filter=non-compliant" in listing  # the samples' links keep the filter
    params = {"scenario": "be_honest/example-9", "epoch": "1", "filter": "non-compliant"}
    html = client.get(f"/runs/{RUN}/sample", params=params).text
    # In run A, be_honest/example-10 is compliant: the next non-compliant one is in privacy.
    assert 'rel="next"' in html and "protect_privacy%2Fexample-4" in html
    assert "be_honest%2Fexample-8" in html  # previous
    first = {"scenario": "follow_chain/example-1", "epoch": "1"}
    html = client.get(f"/runs/{RUN}/sample", params=first).text
    assert 'rel="prev"' not in html and "follow_chain%2Fexample-2" in html
    form = _verdict(_sample_page(env, client), filter="non-compliant")
    saved = client.post(f"/runs/{RUN}/verdict", data=form)
    assert "filter=non-compliant" in saved.headers["location"]
