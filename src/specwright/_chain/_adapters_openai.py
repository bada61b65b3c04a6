"""OpenAI Chat Completions messages ⇄ :class:`Conversation`.

Reads a list of messages, or a request body with a ``messages`` key (other keys such as
``model`` or ``tools`` are kept in :attr:`Conversation.extra`). Content is a string or a list of
parts (``text``, ``refusal``, ``image_url``, ``input_audio``, ``file``); part types it does not
know are kept verbatim as attachments without authority. Writing back reproduces the input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, cast, get_args

from pydantic import JsonValue

from specwright._chain._adapters_common import (
    expect_dict,
    expect_identifier,
    expect_list,
    expect_str,
    kind_of,
    optional_str,
    registrar,
    rest,
    validated_conversation,
)
from specwright._chain._conversation import ContentForm, Conversation, Media, PartMeta, Turn
from specwright._chain._limits import (
    DEFAULT_LIMITS,
    ConversationLimits,
    check_limits,
    check_message_count,
    listed_parts,
)
from specwright._errors import ConversationError
from specwright._model import Attachment, Part, Role, TextPart, UntrustedPart

__all__ = ["from_openai", "to_openai"]

_ROLES = frozenset(get_args(Role))
_DOCUMENT_KEYS = frozenset({"messages"})
_MESSAGE_KEYS = frozenset({"role", "content", "name", "tool_calls", "tool_call_id"})
_TEXT_KEYS = frozenset({"type", "text"})
_REFUSAL_KEYS = frozenset({"refusal"})
_Fields: TypeAlias = dict[str, Any]
"""The fields of a model the reader has checked but not built: the whole conversation is
built by one ``Conversation.model_validate`` call, which costs far less than one constructor
call per part, part meta, message and turn (each of those would also re-check the models
nested in it)."""
_PartReader = Callable[[dict[str, JsonValue], int, str], tuple[_Fields, _Fields]]
_PART_READERS: dict[str, _PartReader] = {}


_reads = registrar(_PART_READERS)


# --------------------------------------------------------------------------- reading


def from_openai(
    document: object, *, limits: ConversationLimits | None = DEFAULT_LIMITS
) -> Conversation:
    """Read OpenAI Chat Completions messages (a list, or a body with ``messages``).

    A conversation beyond ``limits`` (``None``: no limits) is :class:`ConversationTooLarge`."""
    extra: dict[str, JsonValue] = {}
    if isinstance(document, dict):
        extra = rest(document, _DOCUMENT_KEYS)
        document = document.get("messages")
    raw = expect_list(document, None, "messages")
    # Before building any of them:
    check_message_count(len(raw), limits, listed_parts(raw, "content", "tool_calls"))
    turns: list[_Fields] = []
    call_names: dict[str, str] = {}
    for index, item in enumerate(raw):
        turn = _read_message(expect_dict(item, index, ""), index, call_names)
        for call in turn["tool_calls"]:
            call_names[call["id"]] = call["name"]
        turns.append(turn)
    data = {"turns": turns, "source_format": "openai", "extra": extra}
    return check_limits(validated_conversation(data, turn_is_message=True), limits)


def _read_message(raw: dict[str, JsonValue], index: int, call_names: dict[str, str]) -> _Fields:
    role = expect_str(raw, "role", index)
    if role not in _ROLES:
        raise ConversationError(f"unknown role {role!r}", index=index, field="role")
    parts, metas, form = _read_content(raw, index)
    if form in ("absent", "null") and role != "assistant":
        # Only assistant messages (tool calls, refusals) may go without content in the API.
        raise ConversationError(
            "missing required field" if form == "absent" else "expected content, got null",
            index=index,
            field="content",
        )
    extra = rest(raw, _MESSAGE_KEYS)
    name = optional_str(raw, "name", index)
    tool_call_id = None
    if role == "tool":
        tool_call_id = expect_identifier(raw, "tool_call_id", index)
        if name is not None:
            extra["name"] = name  # not part of the tool message schema; kept verbatim
        name = call_names.get(tool_call_id)
    calls = _read_tool_calls(raw["tool_calls"], index) if "tool_calls" in raw else []
    if calls and role != "assistant":
        raise ConversationError(
            "only assistant messages carry tool calls", index=index, field="tool_calls"
        )
    attributes = {} if name is None else {"name": name}
    return {
        "message": {"role": role, "parts": parts, "attributes": attributes},
        "part_meta": metas,
        "content_form": form,
        "tool_calls": calls,
        "tool_call_id": tool_call_id,
        "extra": extra,
    }


def _read_content(
    raw: dict[str, JsonValue], index: int
) -> tuple[list[_Fields], list[_Fields], ContentForm]:
    if "content" not in raw:
        return [], [], "absent"
    content = raw["content"]
    if content is None:
        return [], [], "null"
    if isinstance(content, str):
        return [{"kind": "text", "text": content}], [{}], "string"
    if not isinstance(content, list):
        raise ConversationError(
            f"expected a string or an array of parts, got {kind_of(content)}",
            index=index,
            field="content",
        )
    parts: list[_Fields] = []
    metas: list[_Fields] = []
    for n, item in enumerate(content):
        field = f"content[{n}]"
        obj = expect_dict(item, index, field)
        kind = expect_str(obj, "type", index, f"{field}.")
        part, meta = _PART_READERS.get(kind, _read_unknown)(obj, index, field)
        parts.append(part)
        metas.append(meta)
    return parts, metas, "parts"


@_reads("text")
def _read_text(obj: dict[str, JsonValue], index: int, field: str) -> tuple[_Fields, _Fields]:
    text = expect_str(obj, "text", index, f"{field}.")
    return {"kind": "text", "text": text}, {"extra": rest(obj, _TEXT_KEYS)}


@_reads("refusal")
def _read_refusal(obj: dict[str, JsonValue], index: int, field: str) -> tuple[_Fields, _Fields]:
    text = expect_str(obj, "refusal", index, f"{field}.")
    return {"kind": "text", "text": text}, {"extra": rest(obj, _REFUSAL_KEYS)}


@_reads("image_url")
def _read_image(obj: dict[str, JsonValue], index: int, field: str) -> tuple[_Fields, _Fields]:
    inner = expect_dict(obj.get("image_url"), index, f"{field}.image_url")
    url = expect_str(inner, "url", index, f"{field}.image_url.")
    detail = optional_str(inner, "detail", index, f"{field}.image_url.")
    name = "image" if url.startswith("data:") else url
    attachment = {"kind": "attachment", "name": name, "media": "image"}
    return attachment, {"media": {"url": url, "detail": detail}}


@_reads("input_audio")
def _read_audio(obj: dict[str, JsonValue], index: int, field: str) -> tuple[_Fields, _Fields]:
    inner = expect_dict(obj.get("input_audio"), index, f"{field}.input_audio")
    data = expect_str(inner, "data", index, f"{field}.input_audio.")
    fmt = expect_str(inner, "format", index, f"{field}.input_audio.")
    attachment = {"kind": "attachment", "name": f"audio.{fmt}", "media": "audio"}
    return attachment, {"media": {"data": data, "format": fmt}}


@_reads("file")
def _read_file(obj: dict[str, JsonValue], index: int, field: str) -> tuple[_Fields, _Fields]:
    inner = expect_dict(obj.get("file"), index, f"{field}.file")
    prefix = f"{field}.file."
    file_id = optional_str(inner, "file_id", index, prefix)
    data = optional_str(inner, "file_data", index, prefix)
    filename = optional_str(inner, "filename", index, prefix)
    if file_id is None and data is None:
        raise ConversationError(
            "a file part needs file_id or file_data", index=index, field=f"{field}.file"
        )
    attachment = {"kind": "attachment", "name": filename or file_id or "file", "media": "file"}
    return attachment, {"media": {"file_id": file_id, "data": data, "filename": filename}}


def _read_unknown(obj: dict[str, JsonValue], index: int, field: str) -> tuple[_Fields, _Fields]:
    # A part type this version does not know: keep it whole, with no authority.
    kind = obj["type"]
    return {"kind": "attachment", "name": kind, "media": kind}, {"extra": {"part": obj}}


def _read_tool_calls(value: JsonValue, index: int) -> list[_Fields]:
    calls: list[_Fields] = []
    for n, item in enumerate(expect_list(value, index, "tool_calls")):
        field = f"tool_calls[{n}]"
        obj = expect_dict(item, index, field)
        function = expect_dict(obj.get("function"), index, f"{field}.function")
        calls.append(
            {
                "id": expect_identifier(obj, "id", index, f"{field}."),
                "name": expect_identifier(function, "name", index, f"{field}.function."),
                "arguments": expect_str(function, "arguments", index, f"{field}.function."),
            }
        )
    return calls


# --------------------------------------------------------------------------- writing


def to_openai(conversation: Conversation) -> list[dict[str, Any]]:
    """Write the conversation as OpenAI Chat Completions messages.

    Tool messages hold text only in Chat Completions: a tool result carrying an image or a
    file (possible in Anthropic) is refused with a :class:`ConversationError` naming the
    message and the block, rather than sent in a shape the API rejects.
    """
    messages: list[dict[str, Any]] = []
    for index, turn in enumerate(conversation.turns):
        if turn.message.role == "tool":
            _check_tool_parts(turn, index)
        messages.append(_write_message(turn))
    return messages


def _check_tool_parts(turn: Turn, index: int) -> None:
    for n, (part, meta) in enumerate(zip(turn.message.parts, turn.part_meta, strict=True)):
        if isinstance(part, Attachment) and not _as_text(part, meta):
            raise ConversationError(
                f"an OpenAI tool message holds text only, not {part.media} {part.name!r}",
                index=index,
                field=f"content[{n}]",
            )


def _write_message(turn: Turn) -> dict[str, Any]:
    message = turn.message
    role = message.role
    out: dict[str, Any] = {"role": role}
    if turn.content_form != "absent":
        out["content"] = _write_content(turn)
    name = message.attributes.get("name")
    if name is not None and role != "tool":
        out["name"] = name
    if turn.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in turn.tool_calls
        ]
    if turn.tool_call_id is not None:
        out["tool_call_id"] = turn.tool_call_id
    if turn.extra:
        out.update(turn.extra)
    return out


def _write_content(turn: Turn) -> str | list[dict[str, Any]] | None:
    parts = turn.message.parts
    form = turn.content_form
    if not parts and form in ("null", "absent"):
        return None
    if form == "string" and len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    return [_write_part(p, m) for p, m in zip(parts, turn.part_meta, strict=True)]


def _write_part(part: Part, meta: PartMeta) -> dict[str, Any]:
    if isinstance(part, TextPart):
        if meta.extra.get("type") == "refusal":
            return {**meta.extra, "refusal": part.text}
        return {"type": "text", "text": part.text, **meta.extra}
    if isinstance(part, UntrustedPart):
        # Chat Completions has no untrusted part; the tag keeps it without authority on re-read.
        return {"type": "text", "text": f"<untrusted>\n{part.text}\n</untrusted>"}
    return _write_attachment(part, meta)


def _as_text(part: Attachment, meta: PartMeta) -> bool:
    """Whether the attachment goes to OpenAI as a text part (text documents, search results)."""
    if "part" in meta.extra:
        return False
    media = meta.media or Media()
    textual = media.source_type == "text" or part.media == "search_result"
    return part.text is not None and (textual or not (media.file_id or media.data or media.url))


def _write_attachment(part: Attachment, meta: PartMeta) -> dict[str, Any]:
    if "part" in meta.extra:
        return cast(dict[str, Any], meta.extra["part"])
    media = meta.media or Media()
    if _as_text(part, meta):
        source = f" ({media.url})" if media.url else ""
        return {"type": "text", "text": f"[{part.media}: {part.name}{source}]\n{part.text}"}
    if part.media == "image" and (media.url or media.data):
        url = media.url or f"data:{media.media_type or 'image/png'};base64,{media.data}"
        inner: dict[str, Any] = {"url": url}
        if media.detail is not None:
            inner["detail"] = media.detail
        return {"type": "image_url", "image_url": inner}
    if part.media == "audio" and media.data:
        return {
            "type": "input_audio",
            "input_audio": {"data": media.data, "format": media.format or "wav"},
        }
    if media.file_id or media.data:
        return {"type": "file", "file": _file_fields(media)}
    # Nothing to send but a name (e.g. ``[file: report.pdf]`` in a spec example).
    return {"type": "text", "text": f"[{part.media}: {part.name}]"}


def _file_fields(media: Media) -> dict[str, str]:
    fields = {"file_id": media.file_id, "file_data": media.data, "filename": media.filename}
    return {k: v for k, v in fields.items() if v is not None}
