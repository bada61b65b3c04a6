"""Limits on one conversation: messages, parts and text, refused where conversations are read
(the adapters, ``read_conversation``, ``check`` and ``compile``) with an error naming the
field and the setting."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from specwright import (
    ConversationError,
    ConversationTooLarge,
    Settings,
    example_spec_path,
    from_anthropic,
    from_openai,
    read_conversation,
)
from specwright._chain._limits import DEFAULT_LIMITS
from specwright._cli import main
from specwright.chain import ConversationLimits

SMALL = ConversationLimits(max_messages=3, max_parts=4, max_text_chars=40)


def _chat(messages: int, parts: int = 1, chars: int = 2) -> list[dict[str, object]]:
    content = [{"type": "text", "text": "x" * chars} for _ in range(parts)]
    return [{"role": "user", "content": content} for _ in range(messages)]


@pytest.mark.parametrize(
    ("document", "limit", "field"),
    [
        (_chat(4), "max_messages", "messages"),
        (_chat(2, parts=3), "max_parts", "content"),
        (_chat(1, chars=41), "max_text_chars", "content"),
    ],
)
def test_each_limit_is_refused_naming_the_field_and_the_setting(
    document: list[dict[str, object]], limit: str, field: str
) -> None:
    with pytest.raises(ConversationTooLarge) as caught:
        from_openai(document, limits=SMALL)
    error = caught.value
    assert isinstance(error, ConversationError)  # a gateway that knows only this still says 4xx
    assert (error.limit, error.field, error.index) == (limit, field, None)
    assert f"SPECWRIGHT_{limit.upper()}" in str(error)
    assert pickle.loads(pickle.dumps(error)).limit == limit  # crosses process boundaries


def test_at_the_limit_is_accepted_and_none_means_no_limit() -> None:
    assert len(from_openai(_chat(3, parts=1, chars=10), limits=SMALL)) == 3
    assert len(from_openai(_chat(2, parts=2, chars=10), limits=SMALL)) == 2
    assert len(from_openai(_chat(9, parts=9, chars=99), limits=None)) == 9


def test_tool_calls_and_their_arguments_count() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}" * 21}}
    with pytest.raises(ConversationTooLarge, match="characters"):
        from_openai([{"role": "assistant", "content": None, "tool_calls": [call]}], limits=SMALL)
    calls = [
        {**call, "id": f"c{n}", "function": {"name": "f", "arguments": "{}"}} for n in range(5)
    ]
    with pytest.raises(ConversationTooLarge, match="parts"):
        from_openai([{"role": "assistant", "content": None, "tool_calls": calls}], limits=SMALL)


def test_anthropic_bodies_are_held_to_the_same_limits() -> None:
    body = {"system": "s", "messages": [{"role": "user", "content": "hi"}] * 4}
    with pytest.raises(ConversationTooLarge) as caught:
        from_anthropic(body, limits=SMALL)
    assert caught.value.limit == "max_messages"
    assert len(from_anthropic(body, limits=None)) == 5


def test_message_count_is_refused_before_the_messages_are_read() -> None:
    # The messages are malformed: a count over the limit is found before reading any.
    with pytest.raises(ConversationTooLarge):
        from_openai([{"role": "nobody"}] * 4, limits=SMALL)
    with pytest.raises(ConversationTooLarge):
        from_anthropic([{"role": "nobody"}] * 4, limits=SMALL)
    # Parts listed in the raw messages are counted before any is read, too.
    flood = [{"role": "nobody", "content": [{"type": "nothing"}] * 5}]
    with pytest.raises(ConversationTooLarge) as caught:
        from_openai(flood, limits=SMALL)
    assert caught.value.limit == "max_parts"
    with pytest.raises(ConversationTooLarge):
        from_anthropic(flood, limits=SMALL)
    with pytest.raises(ConversationError):  # within the limits: read, and refused as malformed
        from_openai(flood, limits=None)
    # An Anthropic tool result without content holds no part: not counted before reading.
    calls = [{"type": "tool_use", "id": f"t{n}", "name": "f", "input": {}} for n in range(3)]
    results = [{"type": "tool_result", "tool_use_id": f"t{n}"} for n in range(3)]
    body = [{"role": "assistant", "content": calls}, {"role": "user", "content": results}]
    four_parts = ConversationLimits(max_messages=10, max_parts=4)
    assert len(from_anthropic(body, limits=four_parts)) == 4  # three calls, three empty results


def test_defaults_come_from_the_settings_and_real_conversations_stay_far_below() -> None:
    settings = Settings()
    assert (settings.max_messages, settings.max_parts, settings.max_text_chars) == (
        DEFAULT_LIMITS.max_messages,
        DEFAULT_LIMITS.max_parts,
        DEFAULT_LIMITS.max_text_chars,
    )
    # The adapters apply the defaults when given none: a long session passes.
    assert len(from_openai(_chat(5_000, chars=100))) == 5_000


def test_read_conversation_names_the_file(tmp_path: Path) -> None:
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps(_chat(4)), encoding="utf-8")
    with pytest.raises(ConversationTooLarge) as caught:
        read_conversation(chat, "openai", SMALL)
    assert caught.value.file == str(chat) and caught.value.limit == "max_messages"
    assert len(read_conversation(chat, "openai", None)[0]) == 4
    # Counted before any message is read: these are malformed, and too many comes first.
    chat.write_text(json.dumps([{"role": "nobody"}] * 4), encoding="utf-8")
    with pytest.raises(ConversationTooLarge):
        read_conversation(chat, "openai", SMALL)


@pytest.mark.parametrize("command", ["check", "compile"])
def test_check_and_compile_exit_2_with_one_line(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps(_chat(6)), encoding="utf-8")
    monkeypatch.setenv("SPECWRIGHT_MAX_MESSAGES", "5")
    assert main([command, str(chat), "--spec", str(example_spec_path())]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert str(chat) in err and "SPECWRIGHT_MAX_MESSAGES" in err and "messages" in err
    monkeypatch.setenv("SPECWRIGHT_MAX_MESSAGES", "6")
    assert main([command, str(chat), "--spec", str(example_spec_path())]) in (0, 1)
