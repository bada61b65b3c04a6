"""Delegation as data: a higher instruction grants authority to a named untrusted source.

Delegation is never guessed from wording. It comes from the caller (a :class:`Delegation`
list) or from an interpreter answering "does this instruction delegate to that source?".
"""

from __future__ import annotations

from collections.abc import Sequence

from specwright._chain._candidates import Candidate, SpanCandidate, ref_names
from specwright._chain._refs import Ref, RefField, ToolRef
from specwright._errors import ConversationError
from specwright._frozen import FrozenModel
from specwright._model import Authority, AuthorityOrNone, authority_rank

__all__ = ["Delegation", "apply_delegations"]


class Delegation(FrozenModel):
    """A grant of authority from an instruction to a source without authority."""

    grantor: RefField
    """Reference of the granting instruction: ``message:<i>``, ``message:<i>.<p>``, a span id
    (``message:<i>.<p>:<start>-<end>``) or ``section:<id>``."""
    source: RefField
    """Reference of what is granted authority: ``message:<i>``, ``message:<i>.<p>``, a span id,
    or ``tool:<name>`` for every output of that tool."""
    level: Authority | None = None
    """The level granted; never above the grantor's (``None``: the grantor's own level)."""
    note: str = ""
    """Free text, e.g. the scope the grantor gave ("style only")."""


def apply_delegations(
    candidates: list[SpanCandidate],
    delegations: tuple[Delegation, ...],
    tool_names: dict[int, str],
    grantors: Sequence[Candidate] = (),
) -> list[SpanCandidate]:
    """Lift the authority of the no-authority spans each delegation names.

    Raises :class:`ConversationError` naming ``delegations[i]`` when a grantor names no
    candidate with authority.
    """
    out = list(candidates)
    for number, delegation in enumerate(delegations):
        grantor = _grantor([*out, *grantors], delegation, number)
        level = _granted_level(delegation.level, grantor.authority)
        for position, candidate in enumerate(out):
            if candidate.authority == "none" and _source_matches(
                delegation.source, candidate, tool_names
            ):
                out[position] = candidate.model_copy(
                    update={"authority": level, "delegated_by": grantor.id}
                )
    return out


def _grantor(candidates: Sequence[Candidate], delegation: Delegation, number: int) -> Candidate:
    for candidate in candidates:
        if candidate.authority != "none" and ref_names(delegation.grantor, candidate):
            return candidate
    raise ConversationError(
        f"grantor {str(delegation.grantor)!r} names no candidate with authority",
        field=f"delegations[{number}].grantor",
    )


def _granted_level(level: Authority | None, grantor: AuthorityOrNone) -> AuthorityOrNone:
    if level is None or authority_rank(level) < authority_rank(grantor):
        return grantor  # a grantor cannot give more authority than it has
    return level


def _source_matches(source: Ref, candidate: SpanCandidate, tool_names: dict[int, str]) -> bool:
    if isinstance(source, ToolRef):
        return candidate.role == "tool" and tool_names.get(candidate.message_index) == source.name
    return ref_names(source, candidate)
