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

from pydantic import TypeAdapter

from specwright._chain._answers import (
    CAPABILITIES,
    GRANTS,
    OVERRIDES,
    SPAN_CLASSES,
    Capability,
    Grant,
    Override,
    SpanClass,
)
from specwright._chain._authority import Span, split_conversation
from specwright._chain._candidates import (
    Candidate,
    CandidateStatus,
    SectionCandidate,
    SpanCandidate,
    span_candidates,
)
from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation, apply_delegations
from specwright._chain._fields import DroppedField, dropped_fields
from specwright._chain._interpreter import DeterministicInterpreter, Interpreter
from specwright._chain._resolution_rules import (
    AUTHORITY_WEIGHT,
    Relations,
    decide,
    instructions,
    message_others,
)
from specwright._chain._spec_index import SpecIndex
from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._model import AuthorityOrNone, Spec

__all__ = ["PartVerdict", "Resolution", "resolve"]


class PartVerdict(FrozenModel):
    """One message part in the trace: its highest authority and the status that goes with it."""

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
    spans: tuple[SpanCandidate, ...]
    """The part's spans as candidates, in order."""


class Resolution(FrozenModel):
    """Every candidate instruction with its status, related candidate and reason."""

    candidates: tuple[Candidate, ...]
    """Spec candidates in document order, then message candidates in conversation order."""
    interpreter: str
    """Name of the interpreter that answered the semantic questions."""
    delegations: tuple[Delegation, ...] = ()
    """Delegations applied: the caller's, then those the interpreter found."""
    interpreter_calls: int = 0
    """Calls the interpreter made, when it reports them (``call_summary``)."""
    interpreter_failures: int = 0
    """Of those, calls whose answers were all lost (no reply, unparseable, refused)."""
    dropped: tuple[DroppedField, ...] = ()
    """Fields of the conversation that are neither isolated nor structural: the compiler
    drops them (a warning in the trace)."""
    spans: tuple[Span, ...] = ()
    """Every structural span of the conversation, blank ones included: what the compiler
    rebuilds the turns from."""

    def get(self, candidate_id: str) -> Candidate:
        """The candidate with this id; ``KeyError`` naming it otherwise."""
        for candidate in self.candidates:
            if candidate.id == candidate_id:
                return candidate
        raise KeyError(f"no candidate {candidate_id!r}")

    def applicable(self) -> tuple[Candidate, ...]:
        """Candidates whose status is ``applicable``."""
        return tuple(c for c in self.candidates if c.status == "applicable")

    def message_candidates(self) -> tuple[SpanCandidate, ...]:
        """Candidates from the conversation, in order."""
        return tuple(c for c in self.candidates if isinstance(c, SpanCandidate))

    def section_candidates(self) -> tuple[SectionCandidate, ...]:
        """Candidates from the spec, in document order."""
        return tuple(c for c in self.candidates if isinstance(c, SectionCandidate))

    def parts(self) -> tuple[PartVerdict, ...]:
        """One verdict per message part, in conversation order."""
        groups: dict[tuple[int, int], list[SpanCandidate]] = defaultdict(list)
        for c in self.message_candidates():
            groups[(c.message_index, c.part_index)].append(c)
        # One validating call for every part: far cheaper than a constructor per part.
        return tuple(_PART_VERDICTS.validate_python([_part_verdict(*g) for g in groups.items()]))


_STATUS_WEIGHT: dict[CandidateStatus, int] = {
    "misaligned": 0,
    "superseded": 1,
    "beyond_capability": 2,
    "undetermined": 3,
    "applicable": 4,
    "no_authority": 5,
}


def _part_verdict(key: tuple[int, int], spans: list[SpanCandidate]) -> dict[str, object]:
    """A :class:`PartVerdict`'s fields, every one of them."""
    best = min(spans, key=lambda c: (AUTHORITY_WEIGHT[c.authority], _STATUS_WEIGHT[c.status]))
    return {
        "message_index": key[0],
        "part_index": key[1],
        "role": spans[0].role,
        "authority": best.authority,
        "status": best.status,
        "spans": tuple(spans),
    }


_PART_VERDICTS = TypeAdapter(list[PartVerdict])


def resolve(
    spec: Spec,
    conversation: Conversation,
    *,
    interpreter: Interpreter | None = None,
    delegations: Sequence[Delegation] = (),
    index: SpecIndex | None = None,
) -> Resolution:
    """Resolve the chain of command for ``conversation`` under ``spec``.

    ``interpreter`` answers the semantic questions (default: :class:`DeterministicInterpreter`,
    which answers ``"undetermined"`` to anything structure does not decide). ``delegations``
    are the caller's explicit grants of authority to untrusted sources. ``index`` is the
    spec's :class:`SpecIndex`: build it once to resolve many conversations against one spec.
    """
    interp = interpreter or DeterministicInterpreter()
    index = _index_for(spec, index)
    specs = index.candidates
    spans = split_conversation(conversation)
    messages = _message_candidates(spans)
    if delegations:
        messages = apply_delegations(messages, tuple(delegations), _tool_names(conversation), specs)
    messages = _classify(interp, messages, conversation)
    messages, found = _interpreted_delegations(interp, messages, conversation)
    relations, vague = _ask_relations(interp, specs, messages, conversation)
    capability = _ask_capability(interp, messages, conversation)
    decided = decide(specs, messages, relations, capability, index.standing, vague=vague)
    failures, calls = _call_summary(interp)
    return Resolution(
        interpreter_calls=calls,
        interpreter_failures=failures,
        candidates=tuple(decided),
        interpreter=interp.name,
        delegations=(*delegations, *found),
        spans=spans,
        dropped=dropped_fields(conversation),
    )


def _tool_names(conversation: Conversation) -> dict[int, str]:
    return {i: t.tool_name for i, t in enumerate(conversation.turns) if t.tool_name}


def _call_summary(interp: Interpreter) -> tuple[int, int]:
    # Optional protocol member: interpreters that call out report (failed, total) calls.
    summary = getattr(interp, "call_summary", None)
    if summary is None:
        return 0, 0
    failed, total = summary()
    return int(failed), int(total)


def _index_for(spec: Spec, index: SpecIndex | None) -> SpecIndex:
    if index is None:
        return SpecIndex.build(spec)
    if index.spec is not spec:
        raise ConfigurationError("the SpecIndex was built for another spec")
    return index


def _message_candidates(spans: Sequence[Span]) -> list[SpanCandidate]:
    blank = [s.blank for s in spans]  # a property that strips the text: once per span
    part_has_text = {
        (s.message_index, s.part_index) for s, b in zip(spans, blank, strict=True) if not b
    }
    return span_candidates(
        [
            s
            for s, b in zip(spans, blank, strict=True)
            if not b or (s.message_index, s.part_index) not in part_has_text
        ]
    )


def _classify(
    interp: Interpreter, messages: list[SpanCandidate], conversation: Conversation
) -> list[SpanCandidate]:
    asked = [c for c in messages if c.authority != "none"]
    if not asked:
        return messages
    answers = iter(_checked(interp.classify(asked, conversation), len(asked), SPAN_CLASSES))
    # ``asked`` is ``messages`` with authority, in order: their answers come in turn.
    return [
        c.model_copy(update={"classification": next(answers)}) if c.authority != "none" else c
        for c in messages
    ]


def _interpreted_delegations(
    interp: Interpreter, messages: list[SpanCandidate], conversation: Conversation
) -> tuple[list[SpanCandidate], list[Delegation]]:
    targets = [c for c in messages if c.authority == "none" and c.text.strip()]
    found: list[Delegation] = []
    if not targets:
        return messages, found
    uniform = getattr(interp, "delegates_all", None)  # optional: see Interpreter
    for grantor in instructions(messages):
        answer = None if uniform is None else _checked_one(uniform(grantor, conversation), GRANTS)
        if answer in ("no", "undetermined"):
            continue  # grants nothing: spares asking about every target
        if answer is None:
            answers = _checked(
                interp.delegates(grantor, targets, conversation), len(targets), GRANTS
            )
        else:
            answers = [answer] * len(targets)
        found += [
            Delegation.model_validate(
                {"grantor": grantor.id, "source": t.id, "note": f"found by {interp.name}"}
            )
            for t, answer in zip(targets, answers, strict=True)
            if answer == "yes"
        ]
    if found:
        messages = apply_delegations(messages, tuple(found), {})
    return messages, found


def _ask_relations(
    interp: Interpreter,
    specs: Sequence[SectionCandidate],
    messages: list[SpanCandidate],
    conversation: Conversation,
) -> tuple[Relations, list[str]]:
    """Subject id → (other id, answer) for every answer other than ``"none"``, and the
    subjects that answered "undetermined" about everything (listed apart: see ``decide``).

    An interpreter that gives one subject the same answer about every candidate says so
    through ``relate_all`` (optional): the question is then asked once, not once per
    candidate, which keeps a long conversation linear instead of quadratic."""
    relations: Relations = {}
    vague: list[str] = []
    asked = instructions(messages)
    uniform = getattr(interp, "relate_all", None)
    for subject in asked:
        answer = (
            None if uniform is None else _checked_one(uniform(subject, conversation), OVERRIDES)
        )
        if answer == "undetermined":
            vague.append(subject.id)
            continue
        if answer == "none":
            relations[subject.id] = []
            continue
        others: list[Candidate] = [*specs, *message_others(subject, asked)]
        if answer is None:
            answers = _checked(interp.relate(subject, others, conversation), len(others), OVERRIDES)
        else:
            answers = [answer] * len(others)
        relations[subject.id] = [
            (o.id, a) for o, a in zip(others, answers, strict=True) if a != "none"
        ]
    return relations, vague


def _ask_capability(
    interp: Interpreter, messages: list[SpanCandidate], conversation: Conversation
) -> dict[str, Capability]:
    asked = instructions(messages)
    if not asked:
        return {}
    answers = _checked(interp.capability(asked, conversation), len(asked), CAPABILITIES)
    return {c.id: a for c, a in zip(asked, answers, strict=True)}


_A = TypeVar("_A", SpanClass, Override, Grant, Capability)


def _checked_one(answer: object, vocabulary: tuple[_A, ...]) -> _A | None:
    """A uniform answer: ``None`` (ask item by item), else one of the vocabulary, anything
    else undetermined."""
    if answer is None:
        return None
    return next((a for a in vocabulary if a == answer), "undetermined")


def _checked(answers: Sequence[_A], expected: int, vocabulary: tuple[_A, ...]) -> list[_A]:
    """Answers of the right number from the vocabulary; anything else is undetermined."""
    undetermined: _A = "undetermined"
    if len(answers) != expected:
        return [undetermined] * expected
    try:
        clean = set(answers).issubset(vocabulary)  # the common case, in one C pass
    except TypeError:  # an unhashable answer is none of the vocabulary's
        clean = False
    if clean:
        return list(answers)
    return [a if a in vocabulary else undetermined for a in answers]
