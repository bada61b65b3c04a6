"""Resolution: which candidate instructions apply, and why — a trace that points to the text.

Two phases. First every semantic question goes to the :class:`Interpreter` (in batches).
Then the rules decide, level by level from root down:

* root-level sections are never overridden;
* a message instruction that conflicts with an applicable higher instruction is misaligned;
* a later message at the same level that overrides an earlier one supersedes it;
* spec defaults yield only to the levels and kinds of override :data:`OVERRIDE_RULES` allows
  (system by system; developer by developer; user only *explicitly* by developer or user;
  guideline also *implicitly*);
* an ``"undetermined"`` answer that could change the verdict makes it ``undetermined``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from specwright._chain._authority import split_conversation
from specwright._chain._candidates import Candidate, CandidateStatus, spec_candidates
from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation, apply_delegations
from specwright._chain._interpreter import (
    Capability,
    DeterministicInterpreter,
    Grant,
    Interpreter,
    Override,
    SpanClass,
)
from specwright._chain._resolution_rules import decide
from specwright._model import AuthorityOrNone, Spec

__all__ = ["PartVerdict", "Resolution", "resolve"]


class PartVerdict(BaseModel):
    """One message part in the trace: its highest authority and the status that goes with it."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    message_index: int
    """Zero-based turn index."""
    part_index: int
    """Zero-based part index."""
    role: str
    """The message's role."""
    authority: AuthorityOrNone
    """The highest authority of the part's spans (after delegation)."""
    status: CandidateStatus
    """The status of the part's span at that authority (the most telling one when several)."""
    spans: tuple[Candidate, ...]
    """The part's spans as candidates, in order."""


class Resolution(BaseModel):
    """Every candidate instruction with its status, related candidate and reason."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    candidates: tuple[Candidate, ...]
    """Spec candidates in document order, then message candidates in conversation order."""
    interpreter: str
    """Name of the interpreter that answered the semantic questions."""
    delegations: tuple[Delegation, ...] = ()
    """Delegations applied: the caller's, then those the interpreter found."""

    def get(self, candidate_id: str) -> Candidate:
        """The candidate with this id; ``KeyError`` naming it otherwise."""
        for candidate in self.candidates:
            if candidate.id == candidate_id:
                return candidate
        raise KeyError(f"no candidate {candidate_id!r}")

    def applicable(self) -> tuple[Candidate, ...]:
        """Candidates whose status is ``applicable``."""
        return tuple(c for c in self.candidates if c.status == "applicable")

    def message_candidates(self) -> tuple[Candidate, ...]:
        """Candidates from the conversation, in order."""
        return tuple(c for c in self.candidates if c.origin == "message")

    def parts(self) -> tuple[PartVerdict, ...]:
        """One verdict per message part, in conversation order."""
        groups: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
        for c in self.message_candidates():
            assert c.message_index is not None and c.part_index is not None
            groups[(c.message_index, c.part_index)].append(c)
        return tuple(_part_verdict(key, spans) for key, spans in groups.items())


_STATUS_WEIGHT: dict[CandidateStatus, int] = {
    "misaligned": 0,
    "superseded": 1,
    "beyond_capability": 2,
    "undetermined": 3,
    "applicable": 4,
    "no_authority": 5,
}
_AUTH_WEIGHT = {"root": 0, "system": 1, "developer": 2, "user": 3, "guideline": 4, "none": 5}


def _part_verdict(key: tuple[int, int], spans: list[Candidate]) -> PartVerdict:
    best = min(spans, key=lambda c: (_AUTH_WEIGHT[c.authority], _STATUS_WEIGHT[c.status]))
    return PartVerdict(
        message_index=key[0],
        part_index=key[1],
        role=str(spans[0].role),
        authority=best.authority,
        status=best.status,
        spans=tuple(spans),
    )


def resolve(
    spec: Spec,
    conversation: Conversation,
    *,
    interpreter: Interpreter | None = None,
    delegations: Sequence[Delegation] = (),
) -> Resolution:
    """Resolve the chain of command for ``conversation`` under ``spec``.

    ``interpreter`` answers the semantic questions (default: :class:`DeterministicInterpreter`,
    which answers ``"undetermined"`` to anything structure does not decide). ``delegations``
    are the caller's explicit grants of authority to untrusted sources.
    """
    interp = interpreter or DeterministicInterpreter()
    messages = _message_candidates(conversation)
    tool_names = {i: t.tool_name for i, t in enumerate(conversation.turns) if t.tool_name}
    messages = apply_delegations(messages, tuple(delegations), tool_names)
    messages = _classify(interp, messages, conversation)
    messages, found = _interpreted_delegations(interp, messages, conversation)
    specs = spec_candidates(spec)
    relations = _ask_relations(interp, specs, messages, conversation)
    capability = _ask_capability(interp, messages, conversation)
    decided = decide(specs, messages, relations, capability)
    return Resolution(
        candidates=tuple(decided),
        interpreter=interp.name,
        delegations=(*delegations, *found),
    )


def _message_candidates(conversation: Conversation) -> list[Candidate]:
    spans = split_conversation(conversation)
    part_has_text = {(s.message_index, s.part_index) for s in spans if not s.blank}
    return [
        Candidate.from_span(s)
        for s in spans
        if not s.blank or (s.message_index, s.part_index) not in part_has_text
    ]


def _instructions(messages: list[Candidate]) -> list[Candidate]:
    """Message candidates with authority that may be instructions."""
    return [c for c in messages if c.authority != "none" and c.classification != "information"]


def _classify(
    interp: Interpreter, messages: list[Candidate], conversation: Conversation
) -> list[Candidate]:
    asked = [c for c in messages if c.authority != "none"]
    if not asked:
        return messages
    answers = _checked(interp.classify(asked, conversation), len(asked), _SPAN_CLASSES)
    by_id = {c.id: a for c, a in zip(asked, answers, strict=True)}
    return [
        c.model_copy(update={"classification": by_id[c.id]}) if c.id in by_id else c
        for c in messages
    ]


def _interpreted_delegations(
    interp: Interpreter, messages: list[Candidate], conversation: Conversation
) -> tuple[list[Candidate], list[Delegation]]:
    targets = [c for c in messages if c.authority == "none" and c.text.strip()]
    found: list[Delegation] = []
    if not targets:
        return messages, found
    for grantor in _instructions(messages):
        answers = _checked(interp.delegates(grantor, targets, conversation), len(targets), _GRANTS)
        found += [
            Delegation(grantor=grantor.id, source=t.id, note=f"found by {interp.name}")
            for t, answer in zip(targets, answers, strict=True)
            if answer == "yes"
        ]
    if found:
        messages = apply_delegations(messages, tuple(found), {})
    return messages, found


Relations = dict[str, list[tuple[str, Override]]]
"""Subject id → (other id, answer) for every answer other than ``"none"``."""


def _ask_relations(
    interp: Interpreter,
    specs: Sequence[Candidate],
    messages: list[Candidate],
    conversation: Conversation,
) -> Relations:
    relations: Relations = {}
    instructions = _instructions(messages)
    for subject in instructions:
        others = [*specs, *_message_others(subject, instructions)]
        answers = _checked(interp.relate(subject, others, conversation), len(others), _OVERRIDES)
        relations[subject.id] = [
            (o.id, a) for o, a in zip(others, answers, strict=True) if a != "none"
        ]
    return relations


def _message_others(subject: Candidate, instructions: list[Candidate]) -> list[Candidate]:
    """Higher message instructions, and same-level ones in earlier messages."""
    rank = _AUTH_WEIGHT[subject.authority]
    index = subject.message_index or 0
    return [
        c
        for c in instructions
        if _AUTH_WEIGHT[c.authority] < rank
        or (c.authority == subject.authority and (c.message_index or 0) < index)
    ]


def _ask_capability(
    interp: Interpreter, messages: list[Candidate], conversation: Conversation
) -> dict[str, Capability]:
    asked = _instructions(messages)
    if not asked:
        return {}
    answers = _checked(interp.capability(asked, conversation), len(asked), _CAPABILITIES)
    return {c.id: a for c, a in zip(asked, answers, strict=True)}


_SPAN_CLASSES: frozenset[str] = frozenset({"instruction", "information", "undetermined"})
_OVERRIDES: frozenset[str] = frozenset({"explicit", "implicit", "none", "undetermined"})
_GRANTS: frozenset[str] = frozenset({"yes", "no", "undetermined"})
_CAPABILITIES: frozenset[str] = frozenset({"within", "beyond", "undetermined"})


_A = TypeVar("_A", SpanClass, Override, Grant, Capability)


def _checked(answers: Sequence[_A], expected: int, vocabulary: frozenset[str]) -> list[_A]:
    """Answers of the right number from the vocabulary; anything else is undetermined."""
    undetermined: _A = "undetermined"
    if len(answers) != expected:
        return [undetermined] * expected
    return [a if a in vocabulary else undetermined for a in answers]
