"""The readers on mutated real inputs: each document either reads into a conversation whose
every part, meta, message and turn is the typed model (the one ``model_validate`` call the
readers make builds the same conversation as building it model by model), or fails with one
ConversationError naming the message and field — never another exception."""

from __future__ import annotations

import contextlib
import copy
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specwright import ConversationError
from specwright._chain._adapters_anthropic import from_anthropic, to_anthropic
from specwright._chain._adapters_openai import from_openai, to_openai
from specwright._chain._conversation import Conversation, Media, PartMeta, ToolCall, Turn
from specwright._model import Attachment, Message, TextPart, UntrustedPart

from .test_adapters import ANTHROPIC, OPENAI

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_serve import CONVERSATION

OPENAI_SEEDS: list[Any] = [
    OPENAI,
    {"model": "m", "messages": CONVERSATION, "tools": [{"type": "function"}]},
]
ANTHROPIC_SEEDS: list[Any] = [ANTHROPIC, ANTHROPIC["messages"]]
ODD: list[Any] = [None, 1, 2.5, True, "s", [], {}, [1], {"type": "text"}, {"type": "x"}, "tool"]


def _paths(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*path, key))
    elif isinstance(doc, list):
        for n, value in enumerate(doc):
            found += _paths(value, (*path, n))
    return found


def _mutated(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(doc)[1:])
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if rng.random() < 0.3:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD))
    return doc


def _rebuilt(conversation: Conversation) -> Conversation:
    """The conversation built constructor by constructor from its own field values."""

    def meta(m: PartMeta) -> PartMeta:
        media = Media(**m.media.model_dump()) if m.media else None
        return PartMeta(media=media, mark=m.mark, extra=m.extra)

    def turn(t: Turn) -> Turn:
        parts = tuple(type(p)(**p.model_dump()) for p in t.message.parts)
        message = Message(role=t.message.role, parts=parts, attributes=t.message.attributes)
        return Turn(
            message=message,
            part_meta=tuple(meta(m) for m in t.part_meta),
            content_form=t.content_form,
            tool_calls=tuple(ToolCall(**c.model_dump()) for c in t.tool_calls),
            tool_call_id=t.tool_call_id,
            continues=t.continues,
            extra=t.extra,
        )

    return Conversation(
        turns=tuple(turn(t) for t in conversation.turns),
        source_format=conversation.source_format,
        extra=conversation.extra,
    )


def _typed(conversation: Conversation) -> None:
    for t in conversation.turns:
        assert isinstance(t, Turn) and isinstance(t.message, Message)
        assert isinstance(t.message.parts, tuple) and isinstance(t.part_meta, tuple)
        assert all(isinstance(p, TextPart | UntrustedPart | Attachment) for p in t.message.parts)
        assert all(isinstance(m, PartMeta) for m in t.part_meta)
        assert len(t.part_meta) == len(t.message.parts)
        assert all(isinstance(c, ToolCall) for c in t.tool_calls)


Reader = Callable[[object], Conversation]
Writer = Callable[[Conversation], object]


@pytest.mark.parametrize(
    ("read", "write", "seeds"),
    [(from_openai, to_openai, OPENAI_SEEDS), (from_anthropic, to_anthropic, ANTHROPIC_SEEDS)],
)
def test_mutated_documents_read_typed_or_fail_with_one_clear_error(
    read: Reader, write: Writer, seeds: list[Any]
) -> None:
    rng = random.Random(13)
    read_ok = failed = 0
    deadline = time.monotonic() + 20
    for _ in range(600):
        document = _mutated(rng.choice(seeds), rng)
        before = copy.deepcopy(document)
        try:
            conversation = read(document)
        except ConversationError as error:
            assert error.field is not None
            failed += 1
            continue
        assert document == before  # reading does not mutate its input
        _typed(conversation)
        assert conversation == _rebuilt(conversation)
        assert conversation == Conversation.model_validate(conversation.model_dump())
        # A conversation may still not be writable (an image in an OpenAI tool message): refused
        # by name, as tested elsewhere.
        with contextlib.suppress(ConversationError):
            write(conversation)
        read_ok += 1
        assert time.monotonic() < deadline
    assert read_ok > 60 and failed > 60  # both paths really exercised
