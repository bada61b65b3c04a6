"""The compiler's turn rewriting: plan which spans to isolate, then rebuild the turns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import TypeAdapter

from specwright._chain._authority import Span
from specwright._chain._candidates import SpanCandidate
from specwright._chain._compiled import IsolatedBlock
from specwright._chain._conversation import Conversation, PartMeta, Turn
from specwright._chain._fields import strip_turn
from specwright._chain._resolution import Resolution
from specwright._chain._spotlight import Boundary
from specwright._errors import ConfigurationError
from specwright._model import Attachment, Part, TextPart

__all__ = ["Piece", "TurnPlan", "compile_turn", "plan_turns", "turn_texts"]


@dataclass(frozen=True)
class Piece:
    """A piece of a rebuilt part: intact text, or isolated block ``block`` (> 0)."""

    text: str = ""
    block: int = 0


@dataclass
class TurnPlan:
    """Isolated blocks in order, and for each turn and part the pieces to rebuild it from."""

    blocks: list[IsolatedBlock] = field(default_factory=list)
    pieces: list[list[list[Piece]]] = field(default_factory=list)


def plan_turns(
    conversation: Conversation, resolution: Resolution, isolate_assistant: bool
) -> TurnPlan:
    """Decide, span by span, what stays intact and what is isolated.

    The spans are the resolution's own (the compiler never re-splits a part), so what is
    isolated is exactly what the trace says carries no authority.
    """
    spans = _spans_by_part(conversation, resolution)
    delegated = {
        c.id: c
        for c in resolution.message_candidates()
        if c.delegated_by and c.status != "no_authority"
    }
    plan = TurnPlan()
    blocks: list[dict[str, object]] = []
    for index, turn in enumerate(conversation.turns):
        keep = turn.role == "assistant" and not isolate_assistant
        parts: list[list[Piece]] = []
        for number, part in enumerate(turn.message.parts):
            if keep:
                parts.append([Piece(_part_text(part))])
            else:
                parts.append(_plan(blocks, spans[(index, number)], delegated))
        plan.pieces.append(parts)
    # Every block in one validating call: far cheaper than a constructor per block.
    plan.blocks = _BLOCKS.validate_python(blocks)
    return plan


_BLOCKS = TypeAdapter(list[IsolatedBlock])


def _spans_by_part(
    conversation: Conversation, resolution: Resolution
) -> dict[tuple[int, int], list[Span]]:
    grouped: dict[tuple[int, int], list[Span]] = defaultdict(list)
    parts = [len(turn.message.parts) for turn in conversation.turns]
    for span in resolution.spans:
        if span.kind == "tool_call" or (
            span.message_index < len(parts) and span.part_index >= parts[span.message_index]
        ):
            continue  # calls stay structured calls; a message without content has no part
        grouped[(span.message_index, span.part_index)].append(span)
    expected = {
        (i, p) for i, turn in enumerate(conversation.turns) for p in range(len(turn.message.parts))
    }
    if set(grouped) != expected:
        raise ConfigurationError(
            "the resolution does not match the conversation: resolve this conversation first"
        )
    return grouped


def _plan(
    blocks: list[dict[str, object]], spans: list[Span], delegated: dict[str, SpanCandidate]
) -> list[Piece]:
    """The pieces of one part; each isolated span adds its block's fields to ``blocks``."""
    pieces: list[Piece] = []
    for span in spans:
        if span.authority != "none":
            pieces.append(Piece(span.text))
            continue
        grant = delegated.get(span.id)
        number = len(blocks) + 1
        blocks.append(
            {
                "block": number,
                "message_index": span.message_index,
                "part_index": span.part_index,
                "start": span.start,
                "end": span.end,
                "kind": span.kind,
                "text": span.text,
                "delegated": grant.authority if grant else "none",
                "delegated_by": grant.delegated_by if grant else None,
            }
        )
        pieces.append(Piece(block=number))
    return pieces


def _part_text(part: Part) -> str:
    if isinstance(part, Attachment):
        return part.text or ""
    return part.text


def turn_texts(conversation: Conversation) -> list[str]:
    """Every text of the request, for choosing a boundary token absent from all of them."""
    texts: list[str] = []
    for turn in conversation.turns:
        texts += [_part_text(p) for p in turn.message.parts]
        texts += [p.name for p in turn.message.parts if isinstance(p, Attachment)]
        texts += [c.arguments for c in turn.tool_calls]
    return texts


def _intact(turn: Turn, pieces: list[list[Piece]]) -> bool:
    """Whether every part is a text part without media or mark that stays as it is: nothing
    isolated, its pieces joined giving back its text."""
    for part, meta, planned in zip(turn.message.parts, turn.part_meta, pieces, strict=True):
        if not isinstance(part, TextPart) or meta.media is not None or meta.mark is not None:
            return False
        if any(p.block for p in planned) or "".join(p.text for p in planned) != part.text:
            return False
    return True


def compile_turn(
    turn: Turn, pieces: list[list[Piece]], boundary: Boundary, bodies: list[str]
) -> Turn:
    """Rebuild one turn from its planned pieces, without the fields the compiler drops."""
    turn = strip_turn(turn)
    if _intact(turn, pieces):
        return turn  # rebuilding would give back an equal turn: spare the copies
    parts: list[Part] = []
    metas: list[PartMeta] = []
    for part, meta, planned in zip(turn.message.parts, turn.part_meta, pieces, strict=True):
        if isinstance(part, Attachment) and planned[0].block:
            # Media stay as they are, fenced by text parts holding the block's markers.
            block = planned[0].block
            parts += [
                TextPart(text=boundary.begin(block)),
                part,
                TextPart(text=boundary.end(block)),
            ]
            metas += [PartMeta(), meta, PartMeta()]
            continue
        text = "".join(
            p.text if not p.block else boundary.wrap(p.block, bodies[p.block - 1]) for p in planned
        )
        parts.append(TextPart(text=text))
        metas.append(PartMeta(extra=meta.extra) if isinstance(part, TextPart) else PartMeta())
    form = turn.content_form if len(parts) == len(turn.message.parts) else "parts"
    message = turn.message.model_copy(update={"parts": tuple(parts)})
    return turn.model_copy(
        update={"message": message, "part_meta": tuple(metas), "content_form": form}
    )
