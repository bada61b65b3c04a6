"""The cited-evidence reader against ``propose``'s own citation lines (built by its real
``_cited``) with generated run ids, samples and reasons, and against arbitrary text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specwright._model import Example
from specwright._revise._answer import ProposedExample
from specwright._revise._evidence import Evidence
from specwright._revise._revision import _cited
from specwright._studio._revisions import _citations

_ID = st.text(st.sampled_from("abcXYZ019_-./:"), min_size=1, max_size=20).filter(
    lambda s: "@" not in s and s.strip() == s
)
_AUTHOR = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="`\n"),
                  max_size=20)  # fmt: skip
_WHY = st.one_of(
    _AUTHOR.map(lambda a: f"feedback by {a}: unclear (judge: compliant)"),
    st.just("every model judged non-compliant"),
    st.floats(0, 1).map(lambda x: f"verdicts disagree (score {x:.2f}: judges {x:.2f})"),
)


def _evidence(run: str, scenario: str, epoch: int, why: str) -> Evidence:
    return Evidence(id="", run_id=run, model="m", scenario_id=scenario, epoch=epoch, why=why,
                    conversation=(), answer="", judge=None)  # fmt: skip


_EVIDENCE = st.builds(_evidence, _ID, _ID, st.integers(1, 999), _WHY)


@settings(max_examples=150, deadline=None)
@given(st.lists(_EVIDENCE, min_size=1, max_size=4))
def test_every_citation_propose_writes_reads_back(evidence: list[Evidence]) -> None:
    by_id = {f"E{i}": e for i, e in enumerate(evidence, 1)}
    proposed = ProposedExample(title="t", evidence=list(by_id), user="u", good="g", bad="b")
    example = Example(id="s/example-1", title="t", trailing_markdown=_cited(proposed, by_id))
    found = _citations("s", example)
    expected = [(e.run_id, e.scenario_id, e.epoch) for e in by_id.values()]
    assert [(c.run_id, c.scenario_id, c.epoch) for c in found] == expected
    for cited, source in zip(found, by_id.values(), strict=True):
        if ")" not in source.why.split(": unclear")[0]:  # an author's own ")" may end it early
            assert cited.why == source.why


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_trailing_text_reads_without_error(text: str) -> None:
    example = Example(id="s/example-1", title="t", trailing_markdown=text)
    for cited in _citations("s", example):
        assert cited.run_id and cited.scenario_id and cited.epoch >= 1
