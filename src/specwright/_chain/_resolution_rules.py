"""The decision phase of the resolution: pure rules over interpreter answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from specwright._chain._authority import SpanKind
from specwright._chain._candidates import Candidate, CandidateStatus
from specwright._chain._interpreter import Capability, Override
from specwright._model import AUTHORITY_LEVELS, Authority, AuthorityOrNone, authority_rank

__all__ = ["OVERRIDE_RULES", "decide"]

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

_NO_AUTHORITY: dict[SpanKind, str] = {
    "untrusted": "an untrusted part",
    "untrusted_block": "inside an <untrusted> block",
    "block_quote": "a markdown block quote",
    "fenced_code": "a fenced code block",
    "attachment": "an attachment",
    "quoted": "marked as quoted by the application",
    "retrieved": "marked as retrieved by the application",
    "assistant": "an assistant message",
    "tool_output": "tool output",
    "text": "text without authority",
}

Relations = dict[str, list[tuple[str, Override]]]


@dataclass
class _Board:
    """What the rules consult: candidates by id, answers both ways, verdicts so far."""

    by_id: dict[str, Candidate]
    relations: Relations
    capability: dict[str, Capability]
    about: dict[str, list[tuple[str, Override]]] = field(default_factory=dict)
    decided: dict[str, Candidate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        about: dict[str, list[tuple[str, Override]]] = defaultdict(list)
        for subject, answers in self.relations.items():
            for other, answer in answers:
                about[other].append((subject, answer))
        self.about = dict(about)

    def status(self, candidate_id: str) -> CandidateStatus | None:
        found = self.decided.get(candidate_id)
        return None if found is None else found.status


def decide(
    specs: Sequence[Candidate],
    messages: Sequence[Candidate],
    relations: Relations,
    capability: dict[str, Capability],
) -> list[Candidate]:
    """Give every candidate its status, related candidate and reason."""
    board = _Board({c.id: c for c in (*specs, *messages)}, relations, capability)
    for level in AUTHORITY_LEVELS:
        # Later messages first, so that an earlier one can see whether a later one stands.
        for m in sorted(_at(messages, level), key=lambda c: -(c.message_index or 0)):
            board.decided[m.id] = _decide_message(m, board)
        for s in _at(specs, level):
            board.decided[s.id] = _decide_section(s, board)
    for m in messages:
        if m.authority == "none":
            board.decided[m.id] = _no_authority(m)
    return [_lapse(board.decided[c.id], board) for c in (*specs, *messages)]


def _at(candidates: Sequence[Candidate], level: Authority) -> list[Candidate]:
    return [c for c in candidates if c.authority == level]


def _verdict(
    c: Candidate, status: CandidateStatus, reason: str, related: str | None = None
) -> Candidate:
    if c.delegated_by and status != "no_authority":
        reason = f"{reason} (authority delegated by {c.delegated_by})"
    elif c.reason and c.origin == "message":
        reason = f"{reason}; {c.reason}"
    return c.model_copy(update={"status": status, "reason": reason, "related": related})


# --------------------------------------------------------------------------- messages


def _decide_message(m: Candidate, board: _Board) -> Candidate:
    if m.classification == "information":
        return _verdict(m, "applicable", "information, not an instruction: nothing to override")
    misaligned, pending = _against_higher(m, board)
    if misaligned is not None:
        return _verdict(m, "misaligned", misaligned[1], misaligned[0])
    superseded, later_pending = _against_later(m, board)
    if superseded is not None:
        return _verdict(
            m, "superseded", f"superseded by the later {m.authority} instruction", superseded
        )
    pending = pending or later_pending
    if pending is not None:
        return _verdict(m, "undetermined", pending[1], pending[0])
    if board.capability.get(m.id) == "beyond":
        return _verdict(
            m, "beyond_capability", "the interpreter judged it beyond the assistant's capabilities"
        )
    return _verdict(
        m, "applicable", "no applicable higher or later same-level instruction overrides it"
    )


def _against_higher(
    m: Candidate, board: _Board
) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(misaligned-with, reason) and (undetermined-because-of, reason), first found of each."""
    pending: tuple[str, str] | None = None
    for other_id, answer in board.relations.get(m.id, []):
        other = board.by_id[other_id]
        outcome = _outcome_against(m, other, answer, board)
        if outcome is None:
            continue
        status, reason = outcome
        if status == "misaligned":
            return (other_id, reason), None
        pending = pending or (other_id, reason)
    return None, pending


def _outcome_against(
    m: Candidate, other: Candidate, answer: Override, board: _Board
) -> tuple[CandidateStatus, str] | None:
    """What ``m``'s answer about ``other`` means for ``m`` itself (``None``: nothing)."""
    if other.origin == "spec":
        return _against_section(m, other, answer)
    if authority_rank(other.authority) >= authority_rank(m.authority):
        return None  # an earlier same-level message: m may supersede it, decided there
    status = board.status(other.id)
    if status in ("misaligned", "superseded", "no_authority"):
        return None  # only applicable higher instructions bind
    if status == "undetermined" and answer != "none":
        return (
            "undetermined",
            f"the higher instruction {other.id} it may conflict with is undetermined",
        )
    return _conflict(answer, f"{other.authority} instruction {other.id}")


def _against_section(
    m: Candidate, other: Candidate, answer: Override
) -> tuple[CandidateStatus, str] | None:
    allowed = OVERRIDE_RULES[_level(other)].get(m.authority)
    if allowed is None:
        return _conflict(answer, f"{other.authority}-level section {other.section_id}")
    # m may override this default (or only implicitly, which leaves a user-level default
    # standing): either way that is the section's verdict, not m's.
    return None


def _conflict(answer: Override, what: str) -> tuple[CandidateStatus, str] | None:
    if answer in ("explicit", "implicit"):
        return "misaligned", f"conflicts ({answer}ly) with the higher {what}"
    if answer == "undetermined":
        return (
            "undetermined",
            f"the interpreter could not tell whether it conflicts with the {what}",
        )
    return None


def _against_later(m: Candidate, board: _Board) -> tuple[str | None, tuple[str, str] | None]:
    pending: tuple[str, str] | None = None
    for subject_id, answer in board.about.get(m.id, []):
        subject = board.by_id[subject_id]
        if subject.authority != m.authority or (subject.message_index or 0) <= (
            m.message_index or 0
        ):
            continue
        status = board.status(subject_id)
        if status == "applicable" and answer in ("explicit", "implicit"):
            return subject_id, None
        if answer == "undetermined" or (status == "undetermined" and answer != "none"):
            pending = pending or (
                subject_id,
                f"the interpreter could not tell whether {subject_id} supersedes it",
            )
    return None, pending


# --------------------------------------------------------------------------- sections


def _decide_section(s: Candidate, board: _Board) -> Candidate:
    if s.authority == "root":
        return _verdict(s, "applicable", "root-level section: never overridden")
    pending: tuple[str, str] | None = None
    for subject_id, answer in board.about.get(s.id, []):
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
            return _verdict(s, verdict, reason, subject_id)
        if answer == "undetermined" or (answer in allowed and status == "undetermined"):
            pending = pending or (
                subject_id,
                f"the interpreter could not tell whether {subject_id} overrides it",
            )
    if pending is not None:
        return _verdict(s, "undetermined", pending[1], pending[0])
    return _verdict(
        s, "applicable", f"no instruction allowed to override a {s.authority}-level default does"
    )


def _level(c: Candidate) -> Authority:
    assert c.authority != "none"
    return c.authority


# --------------------------------------------------------------------------- no authority


def _no_authority(m: Candidate) -> Candidate:
    what = _NO_AUTHORITY[m.kind or "text"]
    return _verdict(m, "no_authority", f"{what}: data, not instructions, unless delegated")


def _lapse(c: Candidate, board: _Board) -> Candidate:
    """A delegation stands only while its grantor is not misaligned or superseded."""
    if c.delegated_by is None:
        return c
    grantor = board.status(c.delegated_by)
    if grantor in ("misaligned", "superseded"):
        reason = f"delegation lapsed: its grantor {c.delegated_by} is {grantor}"
        return c.model_copy(
            update={"status": "no_authority", "reason": reason, "related": c.delegated_by}
        )
    return c
