"""The conversation model: spec-model messages plus what chat APIs carry beside them.

A :class:`Conversation` is a sequence of :class:`Turn` objects. Each turn wraps a
:class:`specwright.Message` (role and parts, shared with the spec model) and keeps what the
spec model has no place for — tool calls, the tool call id a result answers, media payloads of
attachments, marks the application puts on parts (quoted, retrieved) and unmodelled keys — so
that the adapters can write a conversation back in the format it came from without loss.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field, JsonValue

from specwright._frozen import FrozenModel
from specwright._model import Message, Role

__all__ = [
    "ContentForm",
    "Conversation",
    "Media",
    "PartMark",
    "PartMeta",
    "ToolCall",
    "Turn",
]

PartMark: TypeAlias = Literal["quoted", "retrieved"]
"""How an application marks a part as material rather than its author's own words."""

ContentForm: TypeAlias = Literal["string", "parts", "null", "absent"]
"""How the source wrote a message's content: one string, a list of parts, ``null``, or no key."""


class Media(FrozenModel):
    """Where an attachment's bytes are: a URL, inline base64 data or a provider file id."""

    url: str | None = None
    """An http(s) or ``data:`` URL."""
    data: str | None = None
    """Inline base64 data (or plain text for text documents)."""
    media_type: str | None = None
    """MIME type such as ``image/png`` or ``application/pdf``."""
    file_id: str | None = None
    """A provider-side file id."""
    filename: str | None = None
    """The file's name, when given."""
    detail: str | None = None
    """OpenAI image ``detail`` (``auto``, ``low``, ``high``)."""
    format: str | None = None
    """Audio format (``wav``, ``mp3``) for OpenAI ``input_audio``."""
    source_type: str | None = None
    """Anthropic ``source.type`` (``base64``, ``url``, ``file``, ``text``) as written."""


class PartMeta(FrozenModel):
    """What a part carries beside its text: media, an application mark, unmodelled keys."""

    media: Media | None = None
    """The attachment's payload, for attachment parts."""
    mark: PartMark | None = None
    """Set when the application marks the part as quoted or retrieved material."""
    extra: dict[str, JsonValue] = Field(default_factory=dict)
    """Keys of the source part that the model does not interpret, kept for round trips."""


class ToolCall(FrozenModel):
    """A tool (function) call made by the assistant."""

    id: str
    """The call id that the tool result refers to."""
    name: str
    """The tool's name."""
    arguments: str = "{}"
    """The arguments as a JSON text (OpenAI sends text; Anthropic's object is serialised)."""


class Turn(FrozenModel):
    """One message of a conversation with its chat-API extras."""

    message: Message
    """Role and parts, in the spec model's terms."""
    part_meta: tuple[PartMeta, ...] = ()
    """One entry per part of ``message`` (filled with empty entries when omitted)."""
    content_form: ContentForm = "parts"
    """How the source wrote the content, so that it is written back the same way."""
    tool_calls: tuple[ToolCall, ...] = ()
    """Tool calls of an assistant turn."""
    tool_call_id: str | None = None
    """For a tool turn: the id of the call it answers."""
    continues: bool = False
    """True when this turn shared one source message with the previous turn (Anthropic puts
    tool results and user text into one user message)."""
    extra: dict[str, JsonValue] = Field(default_factory=dict)
    """Message keys the model does not interpret, kept for round trips."""

    def model_post_init(self, context: object, /) -> None:
        # Not an ``after`` model validator: pydantic runs those again each time a built turn is
        # passed into a Conversation, while post-init runs once, when the turn is built. A
        # ValueError raised here still reaches callers as a ValidationError.
        parts = len(self.message.parts)
        if not self.part_meta:
            if parts:
                object.__setattr__(self, "part_meta", tuple(PartMeta() for _ in range(parts)))
        elif len(self.part_meta) != parts:
            raise ValueError(f"part_meta has {len(self.part_meta)} entries for {parts} parts")

    @property
    def role(self) -> Role:
        """The message's role."""
        return self.message.role

    @property
    def tool_name(self) -> str | None:
        """For tool turns, the tool's name when known (the ``name`` attribute)."""
        return self.message.attributes.get("name")


class Conversation(FrozenModel):
    """An ordered conversation, as an API would receive it."""

    turns: tuple[Turn, ...] = ()
    """The turns in order; a turn's index is its ``message_index`` in traces."""
    source_format: str | None = None
    """The format it was read from (``openai``, ``anthropic``, ``spec``), when read."""
    extra: dict[str, JsonValue] = Field(default_factory=dict)
    """Document keys beside the messages (``model``, ``tools`` …), kept for round trips."""

    @classmethod
    def from_messages(cls, messages: tuple[Message, ...] | list[Message]) -> Conversation:
        """Wrap spec-model messages (e.g. an example's) into a conversation."""
        return cls(turns=tuple(Turn(message=m) for m in messages), source_format="spec")

    @property
    def messages(self) -> tuple[Message, ...]:
        """The spec-model messages, in order."""
        return tuple(t.message for t in self.turns)

    def __len__(self) -> int:
        return len(self.turns)

    def with_mark(self, index: int, part: int, mark: PartMark) -> Conversation:
        """Return a copy in which part ``part`` of turn ``index`` carries ``mark``."""
        turn = self.turns[index]
        metas = list(turn.part_meta)
        metas[part] = metas[part].model_copy(update={"mark": mark})
        turns = list(self.turns)
        turns[index] = turn.model_copy(update={"part_meta": tuple(metas)})
        return self.model_copy(update={"turns": tuple(turns)})
