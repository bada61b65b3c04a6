"""The decision phase of the resolution: pure rules over interpreter answers.

Every rule that looks at one piece of evidence (an answer about a higher instruction, a later
one, the capability question) yields an :class:`Outcome`; a candidate's verdict is the
strongest of its outcomes by :data:`OUTCOME_PRECEDENCE`, so it never depends on the order in
which the answers came.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple, TypeAlias, get_args

from specwright._chain._answers import Capability, Override
from specwright._chain._candidates import (
    Candidate,
    CandidateStatus,
    SectionCandidate,
    SpanCandidate,
)
from specwright._chain._span_kinds import SpanKind
from specwright._model import AUTHORITY_LEVELS, Authority, AuthorityOrNone, authority_rank

__all__ = [
    "AUTHORITY_WEIGHT",
    "OUTCOME_PRECEDENCE",
    "OVERRIDE_RULES",
    "Outcome",
    "RuleVerdict",
    "decide",
    "instructions",
    "message_others",
    "standing_verdict",
]

_BOTH: frozenset[Override] = frozenset({"explicit", "implicit"})
_EXPLICIT: frozenset[Override] = frozenset({"explicit"})

OVERRIDE_RULES: dict[Authority, dict[AuthorityOrNone, frozenset[Override]]] = {
    "root": {},
    "system": {"system": _BOTH},
    "developer": {"system": _BOTH, "developer": _BOTH},
    "user": {"system": _EXPLICIT, "developer": _EXPLICIT, "user": _EXPLICIT},
    "guideline": {"system": _BOTH, "developer": _BOTH, "user": _BOTH},
}
"""Spec level → message level → the kinds of override that displace a spec default."""

AUTHORITY_WEIGHT: dict[AuthorityOrNone, int] = {
    level: authority_rank(level) for level in get_args(AuthorityOrNone)
}
"""Authority levels by rank, highest (root) first: :func:`authority_rank` as a table."""

OUTCOME_PRECEDENCE: tuple[CandidateStatus, ...] = (
    "misaligned",
    "superseded",
    "undetermined",
    "beyond_capability",
    "applicable",
)
"""Which outcome decides when several apply, strongest first: a conflict with a standing
higher instruction outweighs being superseded, which outweighs a question left undetermined,
which outweighs a capability doubt; ``applicable`` is what remains."""

_NO_AUTHORITY: dict[SpanKind, str] = {
    "untrusted": "an untrusted part",
    "untrusted_block": "inside an <untrusted> block",
    "block_quote": "a markdown block quote",
    "fenced_code": "a fenced code block",
    "quotation": "text in quotation marks",
    "yaml": "a YAML block",
    "json": "a JSON block",
    "xml": "an XML block",
    "tool_call": "the arguments of a tool call",
    "attachment": "an attachment",
    "quoted": "marked as quoted by the application",
    "retrieved": "marked as retrieved by the application",
    "assistant": "an assistant message",
    "tool_output": "tool output",
    "text": "text without authority",
}

Relations = dict[str, list[tuple[str, Override]]]


class Outcome(NamedTuple):
    """What one piece of evidence means for a candidate's verdict (a named tuple: the
    rules make many, and a tuple costs less to build than a frozen dataclass)."""

    status: CandidateStatus
    """The status it argues for."""
    reason: str
    """Why, in one sentence."""
    related: str | None = None
    """The candidate the evidence is about."""


class RuleVerdict(NamedTuple):
    """The fields a decision sets on a candidate: values of the candidate's own types, so
    ``model_copy`` needs no validation. The rules pass these around, not copies: a candidate
    is copied once, with its final verdict (a lapsed delegation included)."""

    status: CandidateStatus
    reason: str
    related: str | None


Decided: TypeAlias = RuleVerdict | SectionCandidate
"""A candidate's decision: its verdict, or the section's precomputed standing verdict."""


_RANK: dict[CandidateStatus, int] = {s: n for n, s in enumerate(OUTCOME_PRECEDENCE)}


def strongest(outcomes: Iterable[Outcome]) -> Outcome | None:
    """The outcome that decides: highest precedence, the first found among equals."""
    best: Outcome | None = None
    for outcome in outcomes:
        if best is None or _RANK[outcome.status] < _RANK[best.status]:
            best = outcome
    return best


def instructions(messages: Sequence[SpanCandidate]) -> list[SpanCandidate]:
    """Message candidates with authority that may be instructions: the subjects of the
    relation questions, in conversation order."""
    return [c for c in messages if c.authority != "none" and c.classification != "information"]


def message_others(subject: SpanCandidate, asked: Sequence[SpanCandidate]) -> list[SpanCandidate]:
    """What ``subject`` is asked about among the instructions ``asked`` (after the spec's
    sections): higher ones, and same-level ones in earlier messages."""
    rank = AUTHORITY_WEIGHT[subject.authority]
    return [
        c
        for c in asked
        if AUTHORITY_WEIGHT[c.authority] < rank
        or (c.authority == subject.authority and c.message_index < subject.message_index)
    ]


Answers: TypeAlias = list[tuple[str, Override]]

_NO_ANSWERS: Answers = []


@dataclass
class _Board:
    """What the rules consult: candidates by id, answers both ways, verdicts so far.

    ``vague`` subjects answered "undetermined" about every candidate they were asked about
    (the spec's sections, then :func:`message_others`), and are not listed in ``relations``:
    listing them costs the square of the conversation. Only the first of those answers that
    means anything for a candidate can decide its verdict (the rules keep the first outcome
    among equals, and an undetermined answer argues nothing stronger), so the board hands the
    rules that one answer in its place (:meth:`answers_of`, :meth:`answers_about`)."""

    specs: Sequence[SectionCandidate]
    instructions: list[SpanCandidate]
    by_id: dict[str, Candidate]
    relations: Relations
    capability: dict[str, Capability]
    standing: Mapping[str, SectionCandidate] = field(default_factory=dict)
    vague: frozenset[str] = frozenset()
    about: dict[str, Answers] = field(default_factory=dict)
    decided: dict[str, Decided] = field(default_factory=dict)
    _higher: dict[AuthorityOrNone, Answers] = field(default_factory=dict)

    def __post_init__(self) -> None:
        about: dict[str, Answers] = defaultdict(list)
        for subject, answers in self.relations.items():
            for other, answer in answers:
                about[other].append((subject, answer))
        self.about = dict(about)

    def status(self, candidate_id: str) -> CandidateStatus | None:
        found = self.decided.get(candidate_id)
        return None if found is None else found.status

    def answers_of(self, m: SpanCandidate) -> Answers:
        """``m``'s answers about higher (and earlier same-level) candidates, in order."""
        if m.id not in self.vague:
            return self.relations.get(m.id, _NO_ANSWERS)
        if m.authority not in self._higher:  # the levels above are decided by now
            self._higher[m.authority] = self._first_binding(m.authority)
        return self._higher[m.authority]

    def _first_binding(self, level: AuthorityOrNone) -> Answers:
        """The first candidate a vague subject at ``level`` is asked about whose
        "undetermined" says something: a section that level cannot override, else a higher
        instruction still standing (earlier same-level ones say nothing to the subject)."""
        for s in self.specs:
            if level not in OVERRIDE_RULES[_level(s)]:
                return [(s.id, "undetermined")]
        rank = AUTHORITY_WEIGHT[level]
        for c in self.instructions:
            if AUTHORITY_WEIGHT[c.authority] < rank and self.status(c.id) not in _LAPSED:
                return [(c.id, "undetermined")]
        return _NO_ANSWERS

    def answers_about(self, c: Candidate) -> Answers:
        """The answers about ``c``, by subject in conversation order, with the first vague
        subject that can bear on it in its place."""
        listed = self.about.get(c.id, _NO_ANSWERS)
        vague = self._first_vague(c)
        if vague is None:
            return listed
        position = self._position[vague]
        at = next(
            (n for n, (s, _) in enumerate(listed) if self._position[s] > position), len(listed)
        )
        return [*listed[:at], (vague, "undetermined"), *listed[at:]]

    def _first_vague(self, c: Candidate) -> str | None:
        if isinstance(c, SectionCandidate):
            return self._vague_over.get(_level(c))
        ids, after = self._vague_at.get(c.authority, ((), ()))
        n = bisect_right(after, c.message_index)  # only later same-level ones supersede
        return ids[n] if n < len(ids) else None

    @cached_property
    def _position(self) -> dict[str, int]:
        return {c.id: n for n, c in enumerate(self.instructions)}

    @cached_property
    def _vague_at(self) -> dict[AuthorityOrNone, tuple[list[str], list[int]]]:
        """Per level, the vague subjects' ids and message indices, in conversation order."""
        at: dict[AuthorityOrNone, tuple[list[str], list[int]]] = defaultdict(lambda: ([], []))
        for c in self.instructions:
            if c.id in self.vague:
                at[c.authority][0].append(c.id)
                at[c.authority][1].append(c.message_index)
        return dict(at)

    @cached_property
    def _vague_over(self) -> dict[Authority, str]:
        """Per spec level, the first vague subject of a level allowed to override it."""
        first: dict[Authority, str] = {}
        for level, allowed in OVERRIDE_RULES.items():
            found = (
                c.id for c in self.instructions if c.id in self.vague and c.authority in allowed
            )
            vague = next(found, None)
            if vague is not None:
                first[level] = vague
        return first


_LAPSED: frozenset[CandidateStatus | None] = frozenset({"misaligned", "superseded", "no_authority"})


def decide(
    specs: Sequence[SectionCandidate],
    messages: Sequence[SpanCandidate],
    relations: Relations,
    capability: dict[str, Capability],
    standing: Mapping[str, SectionCandidate] | None = None,
    *,
    vague: Iterable[str] = (),
    bulk: bool = True,
) -> list[Candidate]:
    """Give every candidate its status, related candidate and reason.

    ``standing`` holds each section's :func:`standing_verdict`, precomputed per spec.
    ``vague`` names the subjects that answered "undetermined" about everything they were
    asked (left out of ``relations``: see :class:`_Board`).
    ``bulk`` (default) decides the sections of a level once per distinct set of answers
    about them (:func:`_decide_sections`); ``False`` decides each section on its own, the
    reference the tests hold the bulk path to."""
    everything: list[Candidate] = [*specs, *messages]
    board = _Board(
        specs,
        instructions(messages),
        {c.id: c for c in everything},
        relations,
        capability,
        standing or {},
        frozenset(vague),
    )
    sections_at: dict[AuthorityOrNone, list[SectionCandidate]] = defaultdict(list)
    for s in specs:
        sections_at[s.authority].append(s)
    for level in AUTHORITY_LEVELS:
        # Later messages first, so that an earlier one can see whether a later one stands.
        for m in sorted(_at(messages, level), key=lambda c: -c.message_index):
            board.decided[m.id] = _decide_message(m, board)
        if bulk:
            _decide_sections(sections_at[level], board)
        else:
            for s in sections_at[level]:
                board.decided[s.id] = _decide_section(s, board)
    for m in messages:
        if m.authority == "none":
            board.decided[m.id] = _no_authority(m)
    return [
        *(_copied(s, board.decided[s.id]) for s in specs),
        *(_copied(m, _lapse(m, board.decided[m.id], board)) for m in messages),
    ]


def _copied(c: Candidate, decided: Decided) -> Candidate:
    """The decided candidate: one copy with its verdict (a model_copy costs less than
    validating the candidate again), or the section's precomputed standing verdict."""
    if isinstance(decided, RuleVerdict):
        status, reason, related = decided
        return c.model_copy(update={"status": status, "reason": reason, "related": related})
    return decided


def _at(candidates: Sequence[SpanCandidate], level: Authority) -> list[SpanCandidate]:
    return [c for c in candidates if c.authority == level]


def _verdict(c: Candidate, outcome: Outcome) -> RuleVerdict:
    reason = outcome.reason
    if isinstance(c, SpanCandidate):
        if c.delegated_by and outcome.status != "no_authority":
            reason = f"{reason} (authority delegated by {c.delegated_by})"
        elif c.reason:
            reason = f"{reason}; {c.reason}"
    return RuleVerdict(outcome.status, reason, outcome.related)


# --------------------------------------------------------------------------- messages


def _decide_message(m: SpanCandidate, board: _Board) -> RuleVerdict:
    if m.classification == "information":
        return _verdict(m, _INFORMATION)
    outcomes = [*_against_higher(m, board), *_against_later(m, board)]
    if board.capability.get(m.id) == "beyond":
        outcomes.append(_BEYOND)
    return _verdict(m, strongest([*outcomes, _STANDS]) or _STANDS)


# The outcomes that name nothing of the request, built once.
_INFORMATION = Outcome("applicable", "information, not an instruction: nothing to override")
_BEYOND = Outcome(
    "beyond_capability", "the interpreter judged it beyond the assistant's capabilities"
)
_STANDS = Outcome("applicable", "no applicable higher or later same-level instruction overrides it")


def _against_higher(m: SpanCandidate, board: _Board) -> Iterable[Outcome]:
    """What ``m``'s answers about higher (and earlier same-level) candidates mean for it."""
    pending = False
    for other_id, answer in board.answers_of(m):
        if pending and answer == "undetermined":
            continue  # it can only argue "undetermined", and the first such outcome stands
        outcome = _outcome_against(m, board.by_id[other_id], answer, board)
        if outcome is not None:
            pending = pending or outcome.status == "undetermined"
            yield outcome


def _outcome_against(
    m: SpanCandidate, other: Candidate, answer: Override, board: _Board
) -> Outcome | None:
    """What ``m``'s answer about ``other`` means for ``m`` itself (``None``: nothing)."""
    if isinstance(other, SectionCandidate):
        return _against_section(m, other, answer)
    if authority_rank(other.authority) >= authority_rank(m.authority):
        return None  # an earlier same-level message: m may supersede it, decided there
    status = board.status(other.id)
    if status in ("misaligned", "superseded", "no_authority"):
        return None  # only applicable higher instructions bind
    if status == "undetermined" and answer != "none":
        return Outcome(
            "undetermined",
            f"the higher instruction {other.id} it may conflict with is undetermined",
            other.id,
        )
    return _conflict(answer, f"{other.authority} instruction {other.id}", other.id)


def _against_section(m: SpanCandidate, other: SectionCandidate, answer: Override) -> Outcome | None:
    allowed = OVERRIDE_RULES[_level(other)].get(m.authority)
    if allowed is None:
        return _conflict(answer, f"{other.authority}-level section {other.section_id}", other.id)
    # m may override this default (or only implicitly, which leaves a user-level default
    # standing): either way that is the section's verdict, not m's.
    return None


def _conflict(answer: Override, what: str, related: str) -> Outcome | None:
    if answer in ("explicit", "implicit"):
        return Outcome("misaligned", f"conflicts ({answer}ly) with the higher {what}", related)
    if answer == "undetermined":
        return Outcome(
            "undetermined",
            f"the interpreter could not tell whether it conflicts with the {what}",
            related,
        )
    return None


def _against_later(m: SpanCandidate, board: _Board) -> Iterable[Outcome]:
    """What later same-level instructions' answers about ``m`` mean for it."""
    for subject_id, answer in board.answers_about(m):
        subject = board.by_id[subject_id]
        if (
            not isinstance(subject, SpanCandidate)
            or subject.authority != m.authority
            or subject.message_index <= m.message_index
        ):
            continue
        status = board.status(subject_id)
        if status == "applicable" and answer in ("explicit", "implicit"):
            yield Outcome(
                "superseded", f"superseded by the later {m.authority} instruction", subject_id
            )
        elif answer == "undetermined" or (status == "undetermined" and answer != "none"):
            yield Outcome(
                "undetermined",
                f"the interpreter could not tell whether {subject_id} supersedes it",
                subject_id,
            )


# --------------------------------------------------------------------------- sections


def standing_verdict(s: SectionCandidate) -> SectionCandidate:
    """A section's verdict when no instruction says anything about it: it applies.

    It depends on the section alone, so :class:`SpecIndex` computes it once per spec."""
    if s.authority == "root":
        outcome = Outcome("applicable", "root-level section: never overridden")
    else:
        outcome = _standing(s)
    return s.model_copy(update=_verdict(s, outcome)._asdict())


def _standing(s: SectionCandidate) -> Outcome:
    return _STANDING_DEFAULT[s.authority]


_STANDING_DEFAULT: dict[AuthorityOrNone, Outcome] = {
    level: Outcome("applicable", f"no instruction allowed to override a {level}-level default does")
    for level in get_args(AuthorityOrNone)
}
"""A section's standing outcome by level, built once."""


def _decide_section(s: SectionCandidate, board: _Board) -> Decided:
    if s.authority == "root" or not board.answers_about(s):
        return _standing_verdict(s, board)
    standing = _standing(s)
    outcomes = [o for o in _overrides_of(s, board) if o is not None]
    return _verdict(s, strongest([*outcomes, standing]) or standing)


def _standing_verdict(s: SectionCandidate, board: _Board) -> SectionCandidate:
    known = board.standing.get(s.id)
    return known if known is not None else standing_verdict(s)


def _decide_sections(sections: Sequence[SectionCandidate], board: _Board) -> None:
    """Decide every section of one level, as :func:`_decide_section` would one by one.

    A section's outcome depends only on its level and on the answers about it, read with
    the verdicts of the candidates that gave them; those are of the same or a higher level,
    all decided by now. So sections with the same answers share one outcome: with the
    deterministic interpreter every instruction answers "undetermined" about every section,
    and one outcome is worked out per level instead of one per section. A shared standing
    outcome is the section's precomputed standing verdict, not a copy of it.
    """
    shared: dict[tuple[tuple[str, Override], ...], RuleVerdict | None] = {}
    for s in sections:
        about = board.answers_about(s) if s.authority != "root" else None
        key = tuple(about) if about else None
        if key is not None and key not in shared:
            standing = _standing(s)
            found = [o for o in _overrides_of(s, board) if o is not None]
            outcome = strongest([*found, standing]) or standing
            # Only the standing outcome says "applicable" (the rules argue against it).
            shared[key] = None if outcome is standing else _verdict(s, outcome)
        verdict = None if key is None else shared[key]
        board.decided[s.id] = _standing_verdict(s, board) if verdict is None else verdict


def _overrides_of(s: SectionCandidate, board: _Board) -> Iterable[Outcome | None]:
    pending = False
    for subject_id, answer in board.answers_about(s):
        if pending and answer == "undetermined":
            continue  # it can only argue "undetermined", and the first such outcome stands
        subject = board.by_id[subject_id]
        allowed = OVERRIDE_RULES[_level(s)].get(subject.authority)
        if allowed is None:
            continue  # that level cannot override this default
        status = board.status(subject_id)
        if answer in allowed and status == "applicable":
            verdict: CandidateStatus = (
                "superseded" if subject.authority == s.authority else "misaligned"
            )
            reason = f"overridden {answer}ly by the {subject.authority} instruction {subject_id}"
            yield Outcome(verdict, reason, subject_id)
        elif answer == "undetermined" or (answer in allowed and status == "undetermined"):
            pending = True
            yield Outcome(
                "undetermined",
                f"the interpreter could not tell whether {subject_id} overrides it",
                subject_id,
            )


def _level(c: Candidate) -> Authority:
    assert c.authority != "none"
    return c.authority


# --------------------------------------------------------------------------- no authority


def _no_authority(m: SpanCandidate) -> RuleVerdict:
    what = _NO_AUTHORITY[m.kind]
    return _verdict(m, Outcome("no_authority", f"{what}: data, not instructions, unless delegated"))


def _lapse(m: SpanCandidate, decided: Decided, board: _Board) -> Decided:
    """A delegation stands only while its grantor is not misaligned or superseded."""
    if m.delegated_by is None:
        return decided
    grantor = board.status(m.delegated_by)
    if grantor in ("misaligned", "superseded"):
        reason = f"delegation lapsed: its grantor {m.delegated_by} is {grantor}"
        return RuleVerdict("no_authority", reason, m.delegated_by)
    return decided
