"""The studio's third verdict, "unclear": stored in the feedback table beside the CLI's, shown
as unclear, and no label (the report's adjudication keeps the judge's verdict)."""

from __future__ import annotations

from specwright._results._store import ResultsStore
from specwright._revise._adjudicate import apply_feedback
from tests.report import report_factory as factory
from tests.studio.conftest import Env, token_of, version_of

RUN = "run-a-0001"
SAMPLE = {"scenario": "be_honest/example-1", "epoch": "1"}


def test_an_unclear_verdict_lands_in_the_feedback_store_and_is_no_label(env: Env) -> None:
    client = env.client()
    html = client.get(f"/runs/{RUN}/sample", params=SAMPLE).text
    assert 'id="mark-unclear"' in html and 'value="unclear"' in html
    form = {"csrftoken": token_of(html), "version": str(version_of(html)), **SAMPLE,
            "verdict": "unclear", "note": "the section says nothing about caveats"}  # fmt: skip
    assert client.post(f"/runs/{RUN}/verdict", data=form).status_code == 303
    with ResultsStore(env.url) as store:
        (item,) = store.feedback()
    assert (item.verdict, item.author, item.note) == (
        "unclear",
        "alice",
        "the section says nothing about caveats",
    )
    after = client.get(f"/runs/{RUN}/sample", params=SAMPLE).text
    assert '<span class="badge">unclear</span>' in after
    (decided,) = apply_feedback([factory.run_a()], env.url)
    assert decided.n_adjudicated == 0  # the judge's verdict stands
