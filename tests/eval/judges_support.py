"""A scripted three-judge run: a spec of two sections whose judges' verdicts are fixed by a table.

Section ``clear``: the three judges always agree. Section ``murky``: they split, as the table
says. The hand arithmetic of the tests that use it is spelled out beside them.
"""

from __future__ import annotations

import re
from typing import Any

from specwright import Example, LabelledAnswer, Prose, Section, Spec
from tests.eval._server import grade_json, is_grader_request, last_user_text
from tests.eval.conftest import msg

JUDGES = ("judge_a", "judge_b", "judge_c")

VERDICTS: dict[str, tuple[bool, bool, bool]] = {
    "clear-1": (True, True, True),
    "clear-2": (False, False, False),
    "clear-3": (True, True, True),
    "clear-4": (False, False, False),
    "murky-1": (True, True, False),
    "murky-2": (True, False, False),
    "murky-3": (False, False, True),
    "murky-4": (True, False, True),
}
"""Each case's verdict by judge_a, judge_b, judge_c."""

_CASE = re.compile(r"case (\w+-\d)")


def _example(section: str, n: int) -> Example:
    return Example(
        id=f"{section}/example-{n}",
        title=f"{section} {n}",
        messages=(msg("user", f"please answer case {section}-{n}"),),
        answers=tuple(
            LabelledAnswer(label=label, message=msg("assistant", f"{label.lower()} answer"))
            for label in ("GOOD", "BAD")
        ),
        has_comparison=True,
    )


def judges_spec() -> Spec:
    """Two sections of four examples each, each with a GOOD and a BAD answer."""
    sections = tuple(
        Section(
            id=name,
            title=name.title(),
            depth=1,
            blocks=(Prose(markdown=f"The {name} rule."), *(_example(name, n) for n in range(1, 5))),
        )
        for name in ("clear", "murky")
    )
    return Spec(title="Judges test spec", version="1", sections=sections)


CALIBRATION = {
    "judge_a": lambda good: good,
    "judge_b": lambda good: True,
    "judge_c": lambda good: not good,
}
"""How each judge grades the spec's labelled answers: judge_a as labelled (kappa 1), judge_b
always compliant (kappa 0), judge_c the other way round (kappa -1)."""


def respond(body: dict[str, Any]) -> str:
    """The target echoes the case; each judge answers its column of :data:`VERDICTS` (and
    grades labelled answers as :data:`CALIBRATION` says)."""
    if not is_grader_request(body):
        found = _CASE.search(last_user_text(body))
        return f"ANSWER case {found.group(1) if found else '?'}"
    transcript = body["messages"][-1]["content"].split("## TRANSCRIPT", 1)[1]
    judge = str(body["model"])
    if "ANSWER case" not in transcript:  # a labelled answer: calibration
        return grade_json(CALIBRATION[judge]("good answer" in transcript))
    found = _CASE.search(transcript.split("ANSWER", 1)[1])
    assert found is not None, transcript
    return grade_json(VERDICTS[found.group(1)][JUDGES.index(judge)])
