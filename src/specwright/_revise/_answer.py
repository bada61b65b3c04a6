"""The drafting model's answer: a strict shape, read once; anything else is a reason to ask again.

The answer is one JSON object (a fenced block or prose around it is tolerated): the section's
clarified prose and new examples, each citing the evidence ids (``E1``…) that motivated it.
Prose may not open a heading, a fence or an ``**Example**`` line: those would change the
structure of the spec rather than the section's wording.
"""

from __future__ import annotations

import json
import re

from pydantic import ConfigDict, Field, ValidationError, field_validator

from specwright._frozen import FrozenModel
from specwright._generate._client import Reply

__all__ = ["ProposalAnswer", "ProposedExample", "read_answer"]

_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_STRUCTURE = re.compile(r"^\s{0,3}(#{1,6}\s|```|~~~|\*\*Example\*\*|!!! )", re.MULTILINE)


def _unix_lines(value: str) -> str:
    # The reader ends a line at \r too: written as sent, the text would not read back as sent.
    return value.replace("\r\n", "\n").replace("\r", "\n")


class _Strict(FrozenModel):
    # Unknown keys are tolerated (models add notes); missing or mistyped ones are not.
    model_config = ConfigDict(extra="ignore")


class ProposedExample(_Strict):
    """One new example: a user request, a GOOD and a BAD answer, and the evidence behind it."""

    title: str = Field(min_length=1, max_length=200)
    """What the example shows, one line."""
    evidence: list[str] = Field(min_length=1)
    """Ids of the evidence (``E1``…) that motivated it."""
    user: str = Field(min_length=1)
    """The user's message."""
    good: str = Field(min_length=1)
    """A compliant answer."""
    bad: str = Field(min_length=1)
    """A non-compliant answer."""
    bad_why: str = ""
    """Why the BAD answer is bad (one line)."""

    @field_validator("title", "bad_why")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("must be one line")
        return " ".join(value.split())

    @field_validator("user", "good", "bad")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is blank")
        return _unix_lines(value).strip()


class ProposalAnswer(_Strict):
    """The whole answer: the clarified text, the new examples and why."""

    text: str = Field(min_length=1)
    """The section's clarified prose (markdown paragraphs)."""
    examples: list[ProposedExample] = Field(min_length=1, max_length=6)
    """New examples, one to six."""
    rationale: str = ""
    """What changed and why, for the reviewer."""

    @field_validator("text")
    @classmethod
    def _prose_only(cls, value: str) -> str:
        value = _unix_lines(value)
        if not value.strip():
            raise ValueError("is blank")
        match = _STRUCTURE.search(value)
        if match is not None:
            raise ValueError(f"holds a structural line ({match.group(1).strip()!r}): prose only")
        return value.strip()


def read_answer(reply: Reply) -> ProposalAnswer | str:
    """``reply`` as a :class:`ProposalAnswer`, or one line saying why it is not one."""
    if reply.refused:
        return "the model refused"
    match = _JSON_OBJECT.search(reply.text)
    if match is None:
        return "no JSON object in the answer" if reply.text.strip() else "an empty answer"
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at character {exc.pos})"
    try:
        return ProposalAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the answer"
        return f"{where}: {first['msg']}"
