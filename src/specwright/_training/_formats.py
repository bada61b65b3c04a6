"""Demonstrations and pairs → the records of each file format, and back to typed records."""

from __future__ import annotations

from typing import Any, TypeAlias

from pydantic import BaseModel

from specwright._chat import call_message, chat_messages, message_text
from specwright._model import Message
from specwright._training._items import Demonstration, PreferencePair
from specwright._training._records import (
    DpoRecord,
    OpenAIChatRecord,
    OpenAIPreferenceInput,
    OpenAIPreferenceRecord,
    RecordMetadata,
    SftRecord,
    TrainingFormat,
)

__all__ = ["PREFERENCE_FORMATS", "RECORD_TYPES", "TrainingRecord", "to_record"]

TrainingRecord: TypeAlias = SftRecord | DpoRecord | OpenAIChatRecord | OpenAIPreferenceRecord

RECORD_TYPES: dict[TrainingFormat, type[BaseModel]] = {
    "sft": SftRecord,
    "dpo": DpoRecord,
    "openai-chat": OpenAIChatRecord,
    "openai-preference": OpenAIPreferenceRecord,
}
"""The record model each format's lines validate against."""

PREFERENCE_FORMATS: frozenset[TrainingFormat] = frozenset({"dpo", "openai-preference"})
"""Formats made of preference pairs (the others hold one demonstration per record)."""


def to_record(
    item: Demonstration | PreferencePair, fmt: TrainingFormat, meta: RecordMetadata
) -> TrainingRecord:
    """The record of ``item`` in format ``fmt``, carrying ``meta`` (inline or not, per format)."""
    if isinstance(item, Demonstration):
        messages = chat_messages((*item.prompt, item.answer))
        if fmt == "sft":
            return SftRecord(messages=messages, metadata=meta)
        return OpenAIChatRecord(messages=messages)
    prompt = chat_messages(item.prompt)
    chosen, rejected = [_answer(item.chosen)], [_answer(item.rejected)]
    if fmt == "dpo":
        return DpoRecord(prompt=prompt, chosen=chosen, rejected=rejected, metadata=meta)
    return OpenAIPreferenceRecord(
        input=OpenAIPreferenceInput(messages=prompt),
        preferred_output=chosen,
        non_preferred_output=rejected,
    )


def _answer(message: Message) -> dict[str, Any]:
    if message.attributes.get("recipient", "all") == "all":
        return {"role": "assistant", "content": message_text(message)}
    return call_message(message, "answer_call")  # an answer that calls a tool stays a call
