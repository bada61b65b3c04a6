"""Anthropic Messages JSON ⇄ :class:`Conversation`.

Reads a request body (``system`` plus ``messages``) or a bare list of messages. The top-level
system prompt becomes a system turn. A user message mixing ``tool_result`` blocks and other
content is split into one tool turn per result plus a user turn, flagged with
:attr:`Turn.continues` so that writing merges them back into one message. Block types it does
not know are kept verbatim as attachments without authority.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeAlias, cast

from pydantic import JsonValue

from specwright._chain._adapters_common import (
    expect_dict,
    expect_identifier,
    expect_list,
    expect_str,
    optional_str,
    registrar,
    rest,
    validated_conversation,
)
from specwright._chain._conversation import (
    ContentForm,
    Conversation,
    Media,
    PartMeta,
    Turn,
)
from specwright._chain._limits import (
    DEFAULT_LIMITS,
    ConversationLimits,
    check_limits,
    check_message_count,
    listed_parts,
)
from specwright._errors import ConversationError
from specwright._model import Attachment, Part, Role, TextPart, UntrustedPart

__all__ = ["from_anthropic", "to_anthropic"]

_Block = dict[str, JsonValue]
_Fields: TypeAlias = dict[str, Any]
"""The fields of a model the reader has checked but not built: the whole conversation is
built by one ``Conversation.model_validate`` call, which costs far less than one constructor
call per part, part meta, message and turn (each of those would also re-check the models
nested in it)."""
_BlockReader = Callable[[_Block, int, str], tuple[_Fields, _Fields]]
_BLOCK_READERS: dict[str, _BlockReader] = {}
_SOURCE_KEYS = {
    "base64": ("media_type", "data"),
    "url": ("url",),
    "file": ("file_id",),
    "text": ("media_type", "data"),
}
_DOCUMENT_KEYS = frozenset({"messages", "system"})
_MESSAGE_KEYS = frozenset({"role", "content"})
_TEXT_KEYS = frozenset({"type", "text"})
_SOURCE_BLOCK_KEYS = frozenset({"type", "source"})
_TOOL_RESULT_KEYS = frozenset({"type", "tool_use_id", "content"})


_reads = registrar(_BLOCK_READERS)


# --------------------------------------------------------------------------- reading


def from_anthropic(
    document: object, *, limits: ConversationLimits | None = DEFAULT_LIMITS
) -> Conversation:
    """Read an Anthropic Messages request body (or a bare list of messages).

    A conversation beyond ``limits`` (``None``: no limits) is :class:`ConversationTooLarge`."""
    turns: list[_Fields] = []
    extra: dict[str, JsonValue] = {}
    if isinstance(document, dict):
        extra = rest(document, _DOCUMENT_KEYS)
        if "system" in document:
            turns.append(_read_system(document["system"]))
        document = document.get("messages")
    names: dict[str, str] = {}
    raw = expect_list(document, None, "messages")
    parts = listed_parts(raw, "content", unless="tool_result")
    check_message_count(len(raw), limits, parts)  # before building any message
    for index, item in enumerate(raw):
        obj = expect_dict(item, index, "")
        role = expect_str(obj, "role", index)
        if role not in ("user", "assistant"):
            raise ConversationError(
                f"role must be user or assistant, not {role!r}", index=index, field="role"
            )
        new = _read_message(obj, cast(Role, role), index, names)
        turns.extend(new)
        names.update({c["id"]: c["name"] for t in new for c in t.get("tool_calls", ())})
    data = {"turns": turns, "source_format": "anthropic", "extra": extra}
    return check_limits(validated_conversation(data, turn_is_message=False), limits)


def _text_turn(role: Role, text: str) -> _Fields:
    message = {"role": role, "parts": [{"kind": "text", "text": text}]}
    return {"message": message, "part_meta": [{}], "content_form": "string", "extra": {}}


def _read_system(value: JsonValue) -> _Fields:
    if isinstance(value, str):
        return _text_turn("system", value)
    parts: list[_Fields] = []
    metas: list[_Fields] = []
    for n, item in enumerate(expect_list(value, None, "system")):
        block = expect_dict(item, None, f"system[{n}]")
        text = expect_str(block, "text", None, f"system[{n}].")
        parts.append({"kind": "text", "text": text})
        metas.append({"extra": rest(block, _TEXT_KEYS)})
    message = {"role": "system", "parts": parts}
    return {"message": message, "part_meta": metas, "content_form": "parts"}


def _read_message(obj: _Block, role: Role, index: int, names: dict[str, str]) -> list[_Fields]:
    extra = rest(obj, _MESSAGE_KEYS)
    content = obj.get("content")
    if isinstance(content, str):
        turn = _text_turn(role, content)
        turn["extra"] = extra
        return [turn]
    groups = _group_blocks(expect_list(content, index, "content"), index)
    turns = [_group_turn(group, role, index, names) for group in groups]
    if not turns:
        turns = [{"message": {"role": role}, "content_form": "parts", "extra": {}}]
    # Message-level keys (none are documented today) ride on the first turn.
    turns[0]["extra"] = {**turns[0]["extra"], **extra}
    for turn in turns[1:]:
        turn["continues"] = True
    return turns


def _group_blocks(items: list[JsonValue], index: int) -> list[list[tuple[int, _Block]]]:
    """Split blocks into runs: each tool_result alone, other blocks together in order."""
    groups: list[list[tuple[int, _Block]]] = []
    for n, item in enumerate(items):
        block = expect_dict(item, index, f"content[{n}]")
        kind = expect_str(block, "type", index, f"content[{n}].")
        if kind == "tool_result" or not groups or groups[-1][0][1].get("type") == "tool_result":
            groups.append([])
        groups[-1].append((n, block))
    return groups


def _group_turn(
    group: list[tuple[int, _Block]], role: Role, index: int, names: dict[str, str]
) -> _Fields:
    n, first = group[0]
    if first["type"] == "tool_result":
        return _tool_result_turn(first, index, f"content[{n}]", names)
    parts: list[_Fields] = []
    metas: list[_Fields] = []
    calls: list[_Fields] = []
    for n, block in group:
        field = f"content[{n}]"
        if block["type"] == "tool_use":
            calls.append(_read_tool_use(block, index, field))
            continue
        part, meta = _BLOCK_READERS.get(cast(str, block["type"]), _read_unknown)(
            block, index, field
        )
        parts.append(part)
        metas.append(meta)
    if calls and role != "assistant":
        raise ConversationError(
            "tool_use blocks belong to assistant messages", index=index, field="content"
        )
    message = {"role": role, "parts": parts}
    return {"message": message, "part_meta": metas, "tool_calls": calls, "extra": {}}


def _tool_result_turn(block: _Block, index: int, field: str, names: dict[str, str]) -> _Fields:
    call_id = expect_identifier(block, "tool_use_id", index, f"{field}.")
    content = block.get("content")
    form: ContentForm = "absent" if "content" not in block else "string"
    parts: list[_Fields] = []
    metas: list[_Fields] = []
    if isinstance(content, str):
        parts, metas = [{"kind": "text", "text": content}], [{}]
    elif content is not None:
        form = "parts"
        for k, item in enumerate(expect_list(content, index, f"{field}.content")):
            sub = expect_dict(item, index, f"{field}.content[{k}]")
            kind = expect_str(sub, "type", index, f"{field}.content[{k}].")
            part, meta = _BLOCK_READERS.get(kind, _read_unknown)(
                sub, index, f"{field}.content[{k}]"
            )
            parts.append(part)
            metas.append(meta)
    attributes = {"name": names[call_id]} if call_id in names else {}
    message = {"role": "tool", "parts": parts, "attributes": attributes}
    return {
        "message": message,
        "part_meta": metas,
        "content_form": form,
        "tool_call_id": call_id,
        "extra": rest(block, _TOOL_RESULT_KEYS),
    }


def _read_tool_use(block: _Block, index: int, field: str) -> _Fields:
    arguments = expect_dict(block.get("input", {}), index, f"{field}.input")
    return {
        "id": expect_identifier(block, "id", index, f"{field}."),
        "name": expect_identifier(block, "name", index, f"{field}."),
        "arguments": json.dumps(arguments, ensure_ascii=False),
    }


@_reads("text")
def _read_text(block: _Block, index: int, field: str) -> tuple[_Fields, _Fields]:
    text = expect_str(block, "text", index, f"{field}.")
    return {"kind": "text", "text": text}, {"extra": rest(block, _TEXT_KEYS)}


@_reads("image")
def _read_image(block: _Block, index: int, field: str) -> tuple[_Fields, _Fields]:
    media = _read_source(block, index, field)
    name = media.url or media.file_id or "image"
    attachment = {"kind": "attachment", "name": name, "media": "image"}
    return attachment, {"media": media, "extra": rest(block, _SOURCE_BLOCK_KEYS)}


@_reads("document")
def _read_document(block: _Block, index: int, field: str) -> tuple[_Fields, _Fields]:
    media = _read_source(block, index, field)
    title = optional_str(block, "title", index, f"{field}.")
    text = media.data if media.source_type == "text" else None
    if title is not None:
        media = media.model_copy(update={"filename": title})
    part = {
        "kind": "attachment",
        "name": title or media.url or media.file_id or "document",
        "media": "document",
        "text": text,
    }
    return part, {"media": media, "extra": rest(block, _SOURCE_BLOCK_KEYS)}


@_reads("search_result")
def _read_search_result(block: _Block, index: int, field: str) -> tuple[_Fields, _Fields]:
    # Kept whole for Anthropic round trips; its title, source and text blocks are read so that
    # other formats (and the trace) see the content rather than a placeholder.
    source = optional_str(block, "source", index, f"{field}.")
    title = optional_str(block, "title", index, f"{field}.")
    texts = []
    for k, item in enumerate(expect_list(block.get("content", []), index, f"{field}.content")):
        sub = expect_dict(item, index, f"{field}.content[{k}]")
        texts.append(expect_str(sub, "text", index, f"{field}.content[{k}]."))
    name = title or source or "search result"
    part = {
        "kind": "attachment",
        "name": name,
        "media": "search_result",
        "text": "\n\n".join(texts),
    }
    return part, {"media": {"url": source}, "extra": {"block": block}}


def _read_source(block: _Block, index: int, field: str) -> Media:
    source = expect_dict(block.get("source"), index, f"{field}.source")
    kind = expect_str(source, "type", index, f"{field}.source.")
    if kind not in _SOURCE_KEYS:
        raise ConversationError(
            f"unknown source type {kind!r}", index=index, field=f"{field}.source.type"
        )
    values = {key: expect_str(source, key, index, f"{field}.source.") for key in _SOURCE_KEYS[kind]}
    return Media(source_type=kind, **values)


def _read_unknown(block: _Block, index: int, field: str) -> tuple[_Fields, _Fields]:
    # thinking, search_result, server tools …: kept whole, with no authority.
    kind = block["type"]
    return {"kind": "attachment", "name": kind, "media": kind}, {"extra": {"block": block}}


# --------------------------------------------------------------------------- writing


def to_anthropic(conversation: Conversation) -> dict[str, Any]:
    """Write the conversation as an Anthropic Messages body (``system`` and ``messages``)."""
    out: dict[str, Any] = {}
    messages: list[dict[str, Any]] = []
    for index, turn in enumerate(conversation.turns):
        author = turn.message.role
        if author in ("system", "developer"):
            if messages:
                raise ConversationError(
                    f"Anthropic Messages has no {author} message after the first turn",
                    index=index,
                    field="role",
                )
            _add_system(out, turn)
            continue
        role = "user" if author == "tool" else author
        blocks = _turn_blocks(turn)
        if turn.continues and messages and messages[-1]["role"] == role:
            _append_blocks(messages[-1], blocks)
        else:
            messages.append(_new_message(turn, role, blocks))
    out["messages"] = messages
    out.update(conversation.extra)
    return out


def _add_system(out: dict[str, Any], turn: Turn) -> None:
    if turn.content_form == "string" and "system" not in out:
        out["system"] = turn.message.text
        return
    blocks = [_write_part(p, m) for p, m in zip(turn.message.parts, turn.part_meta, strict=True)]
    previous = out.get("system")
    if isinstance(previous, str):
        previous = [{"type": "text", "text": previous}]
    out["system"] = [*(previous or []), *blocks]


def _new_message(turn: Turn, role: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    if (
        turn.role != "tool"
        and turn.content_form == "string"
        and len(blocks) == 1
        and blocks[0]["type"] == "text"
        and len(blocks[0]) == 2
    ):
        return {"role": role, "content": blocks[0]["text"], **turn.extra}
    return {"role": role, "content": blocks, **(turn.extra if turn.role != "tool" else {})}


def _append_blocks(message: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
    if isinstance(message["content"], str):
        message["content"] = [{"type": "text", "text": message["content"]}]
    message["content"].extend(blocks)


def _turn_blocks(turn: Turn) -> list[dict[str, Any]]:
    if turn.message.role == "tool":
        return [_tool_result_block(turn)]
    blocks = [_write_part(p, m) for p, m in zip(turn.message.parts, turn.part_meta, strict=True)]
    for call in turn.tool_calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": call.id,
                "name": call.name,
                "input": json.loads(call.arguments or "{}"),
            }
        )
    return blocks


def _tool_result_block(turn: Turn) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": turn.tool_call_id or ""}
    parts = turn.message.parts
    if turn.content_form == "string" and len(parts) == 1 and isinstance(parts[0], TextPart):
        block["content"] = parts[0].text
    elif turn.content_form != "absent" or parts:
        block["content"] = [_write_part(p, m) for p, m in zip(parts, turn.part_meta, strict=True)]
    block.update(turn.extra)
    return block


def _write_part(part: Part, meta: PartMeta) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text, **meta.extra}
    if isinstance(part, UntrustedPart):
        return {"type": "text", "text": f"<untrusted>\n{part.text}\n</untrusted>"}
    if "block" in meta.extra:
        return cast(dict[str, Any], meta.extra["block"])
    source = _write_source(part, meta.media)
    if source is None:
        return {"type": "text", "text": f"[{part.media}: {part.name}]"}
    kind = "image" if part.media == "image" else "document"
    return {"type": kind, "source": source, **meta.extra}


def _write_source(part: Attachment, media: Media | None) -> dict[str, Any] | None:
    if media is None:
        return (
            {"type": "text", "media_type": "text/plain", "data": part.text} if part.text else None
        )
    kind = media.source_type or _guess_source_type(media)
    if kind is None:
        return None
    if kind == "base64" and media.url and media.url.startswith("data:"):
        head, _, data = media.url.partition(",")
        return {"type": "base64", "media_type": head[5:].split(";")[0], "data": data}
    fields = {
        "media_type": media.media_type,
        "data": media.data,
        "url": media.url,
        "file_id": media.file_id,
    }
    return {"type": kind, **{k: fields[k] for k in _SOURCE_KEYS[kind]}}


def _guess_source_type(media: Media) -> str | None:
    # Converting from OpenAI: a data: URL becomes base64, an http URL stays a URL.
    if media.url:
        return "base64" if media.url.startswith("data:") else "url"
    if media.file_id:
        return "file"
    if media.data:
        return "base64"
    return None
