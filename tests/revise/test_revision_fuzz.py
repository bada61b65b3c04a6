"""Hostile drafting answers: a revision is either offered clean and exact, or refused with a
reason — never an exception, never a spec whose structure the answer's text has changed.

Fields are built from fragments of the dialect's own syntax (message tags, fences, headings,
footnotes, references, labels, admonitions, elisions, attachments, entities) and odd
characters. Whatever is offered must read back with exactly the text the model wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from specwright import example_spec_path, lint_spec, read_spec
from specwright._layers._read import parse_spec
from specwright._results import TranscriptMessage
from specwright._revise._answer import ProposalAnswer
from specwright._revise._evidence import Evidence
from specwright._revise._propose import Proposal, revise_from_answer

FRAGMENTS = [
    "<user>", "</assistant>", "<comparison>", "</comparison>", "<assistant> <!-- GOOD -->",
    "**Example**: x", "~~~xml", "```", "# Heading {#h}", "## Sub {#s authority=root}",
    "[^cfb1]", "[^nope]", "[?](#overview)", "[?](#no_such)", "[t](#local_currency)",
    "{#id authority=root}", '!!! meta "Commentary"', "[...]", "&amp;", "&lt;x&gt;",
    "[file: x.pdf]", "<!-- BAD -->", "<untrusted>", "<settings>", "---", "    indented",
    "> quote", "- item", "1. item", "é ☃ 𝔘", "\u2028", "\t", "\r", "\\", "|a|b|", "*", "_",
    "plain words", "BAD[#local_currency]", "\x00", "\ufeff", "\x0b", "\x85",
]  # fmt: skip
pieces = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6)
text = pieces.map(" ".join) | pieces.map("\n".join)

SPEC = read_spec(example_spec_path())
BASE_FINDINGS = len(lint_spec(SPEC))
EVIDENCE = (
    Evidence(id="E1", run_id="r", model="m", scenario_id="local_currency/example-1", epoch=1,
             why="verdicts disagree", conversation=(TranscriptMessage(role="user", content="q"),),
             answer="a", judge=True),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prose=text, title=text, user=text, good=text, bad=text)
@pytest.mark.parametrize("section", ["local_currency", "protect_documents"])
def test_hostile_answers_are_clean_and_exact_or_refused(
    tmp_path: Path, section: str, *, prose: str, title: str, user: str, good: str, bad: str
) -> None:
    example = {"title": title, "evidence": ["E1"], "user": user, "good": good, "bad": bad}
    try:
        answer = ProposalAnswer.model_validate({"text": prose, "examples": [example]})
    except ValidationError:
        event("refused by the answer's shape")
        return  # refused at the door, as read_answer reports it
    out = tmp_path / "p"
    result = revise_from_answer(SPEC, example_spec_path(), section, answer, EVIDENCE, output=out)
    if isinstance(result, str):
        event(f"refused: {result.split(':')[0][:40]}")
        assert result and "\n" not in result.strip()
        return
    event("offered")
    assert isinstance(result, Proposal)
    evals = None
    if result.spec is not None:
        from specwright._writer import write_eval_file

        evals = {tag: write_eval_file(result.spec, tag) for tag in result.spec.eval_files}
    proposed = parse_spec(result.text, file=str(out / "model_spec.md"), eval_files=evals)
    assert len(lint_spec(proposed)) <= BASE_FINDINGS
    revised = proposed.section(section)
    new = revised.examples[-1]
    assert new.title == answer.examples[0].title
    assert new.messages[0].text == answer.examples[0].user
    assert [a.message.text for a in new.answers] == [answer.examples[0].good,
                                                     answer.examples[0].bad]  # fmt: skip
    assert [s.id for s in proposed.walk()] == [s.id for s in SPEC.walk()]
    assert proposed.effective_authority(section) == SPEC.effective_authority(section)
