"""Training records and their metadata: the typed contract of ``specwright export-data``.

``sft`` and ``dpo`` follow the conversational forms Hugging Face TRL's trainers read
(``messages``; ``prompt``/``chosen``/``rejected``), with a ``metadata`` column beside them.
``openai-chat`` and ``openai-preference`` follow OpenAI's fine-tuning JSONL (``messages``;
``input``/``preferred_output``/``non_preferred_output``); those files hold only the keys OpenAI
documents, so their metadata goes to a sidecar file, one line per record, in the same order.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field

from specwright._frozen import FrozenModel
from specwright._model import Authority, Label

__all__ = [
    "TRAINING_FORMATS",
    "ChatMessage",
    "DpoRecord",
    "OpenAIChatRecord",
    "OpenAIPreferenceInput",
    "OpenAIPreferenceRecord",
    "RecordMetadata",
    "RecordSource",
    "SftRecord",
    "Split",
    "ToolCallEntry",
    "ToolFunction",
    "TrainingFormat",
]

TrainingFormat: TypeAlias = Literal["sft", "dpo", "openai-chat", "openai-preference"]
"""The file formats ``export-data`` writes."""

TRAINING_FORMATS: tuple[TrainingFormat, ...] = ("sft", "dpo", "openai-chat", "openai-preference")

RecordSource: TypeAlias = Literal["example", "comparison", "run_sample"]
"""Where a record came from: one labelled answer, a GOOD/BAD comparison, or judged run samples."""

Split: TypeAlias = Literal["train", "test"]


class ToolFunction(FrozenModel):
    """The function a tool call names, with its arguments as written."""

    name: str
    """``[a-zA-Z0-9_-]`` only, as Chat Completions requires."""
    arguments: str
    """The call's arguments (the spec writes them as free text or JSON)."""


class ToolCallEntry(FrozenModel):
    """One entry of an assistant message's ``tool_calls``."""

    id: str
    """The call id a ``tool`` message answers."""
    type: Literal["function"] = "function"
    """Always ``function``."""
    function: ToolFunction
    """What is called."""


class ChatMessage(FrozenModel):
    """One message in the Chat Completions shape (written without null fields)."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    """The author; system and developer stay apart."""
    content: str | None = None
    """The text; absent on an assistant message that only calls a tool."""
    tool_calls: list[ToolCallEntry] | None = None
    """An assistant's tool calls."""
    tool_call_id: str | None = None
    """The call a ``tool`` message answers."""


class RecordMetadata(FrozenModel):
    """Where one record came from, so every record can be traced to its section."""

    section_id: str
    """The governing section."""
    authority: Authority | None
    """The section's effective authority."""
    spec_hash: str
    """:meth:`specwright.Spec.content_hash` of the spec the record was taken from."""
    spec_version: str | None
    """The spec's version label."""
    source: RecordSource
    """What produced the record."""
    source_id: str
    """The example id (``section/example-n``), or ``run_id/scenario_id/epoch`` for run samples."""
    scenario_id: str
    """The eval scenario the prompt belongs to: train/test splits and contamination key on it."""
    label: Label | None = None
    """SFT: the answer's label (GOOD or OK)."""
    chosen_label: Label | None = None
    """Preference pairs from the spec: the chosen answer's label."""
    rejected_label: Label | None = None
    """Preference pairs from the spec: the rejected answer's label."""
    run_ids: tuple[str, ...] = ()
    """Run samples: the runs the chosen and rejected answers came from."""
    judge: str | None = None
    """Run samples: the grader whose verdicts ordered the pair."""
    judge_kappa: float | None = None
    """Run samples: that grader's calibrated kappa."""
    adjudicated: bool = False
    """Run samples: a person's verdict (feedback) decided at least one side of the pair."""
    split: Split = "train"
    """The split the record belongs to."""


class SftRecord(FrozenModel):
    """TRL conversational SFT: the conversation, ending with the labelled answer."""

    messages: list[ChatMessage] = Field(min_length=2)
    """System/developer/user turns as written in the spec, then the assistant's answer."""
    metadata: RecordMetadata
    """Provenance."""


class DpoRecord(FrozenModel):
    """TRL conversational preference record (explicit prompt)."""

    prompt: list[ChatMessage] = Field(min_length=1)
    """The conversation up to the answer."""
    chosen: list[ChatMessage] = Field(min_length=1)
    """The preferred answer (GOOD, or judged compliant)."""
    rejected: list[ChatMessage] = Field(min_length=1)
    """The dispreferred answer (BAD, or judged non-compliant)."""
    metadata: RecordMetadata
    """Provenance."""


class OpenAIChatRecord(FrozenModel):
    """OpenAI chat fine-tuning line (supervised)."""

    messages: list[ChatMessage] = Field(min_length=2)
    """The conversation, ending with the answer to learn."""


class OpenAIPreferenceInput(FrozenModel):
    """The ``input`` object of an OpenAI preference fine-tuning line."""

    messages: list[ChatMessage] = Field(min_length=1)
    """The conversation up to the answer."""


class OpenAIPreferenceRecord(FrozenModel):
    """OpenAI preference (DPO) fine-tuning line."""

    input: OpenAIPreferenceInput
    """The prompt."""
    preferred_output: list[ChatMessage] = Field(min_length=1, max_length=1)
    """Exactly one assistant message: the preferred answer."""
    non_preferred_output: list[ChatMessage] = Field(min_length=1, max_length=1)
    """Exactly one assistant message: the dispreferred answer."""
