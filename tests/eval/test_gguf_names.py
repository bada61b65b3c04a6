"""The ``gguf/...`` provider without llama.cpp: names, files, messages, the missing extra."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    get_model,
)
from inspect_ai.tool import ToolCall

from specwright._errors import ConfigurationError
from specwright._eval import _gguf
from specwright._eval._messages import ROLE_KEY
from specwright._llm import DEVELOPER_HEADER


def test_a_path_name_is_the_file(tmp_path: Path) -> None:
    model = tmp_path / "judge.gguf"
    model.write_bytes(b"GGUF")
    assert _gguf.gguf_path(str(model)) == model


def test_a_missing_file_names_the_path_and_the_short_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _gguf.gguf_path(str(tmp_path / "absent.gguf"))
    message = str(raised.value)
    assert str(tmp_path / "absent.gguf") in message and "gguf/smollm2" in message
    assert "\n" not in message


def test_without_llama_cpp_the_error_says_which_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as if not installed
    with pytest.raises(ConfigurationError, match=r"specwright\[local\]"):
        _gguf._new_llama(tmp_path / "m.gguf", 512)


def test_without_the_bundle_the_error_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ConfigurationError, match=r"specwright\[local\]"):
        _gguf.bundled_model_path()


def test_messages_become_text_a_chat_template_takes() -> None:
    call = ToolCall(id="c1", function="browser", arguments={"url": "x"})
    messages = [
        ChatMessageSystem(content="Platform rules."),
        ChatMessageSystem(content="Be brief.", metadata={ROLE_KEY: "developer"}),
        ChatMessageUser(content="Open x."),
        ChatMessageAssistant(content="", tool_calls=[call]),
        ChatMessageTool(content="page text", tool_call_id="c1", function="browser"),
    ]
    converted = _gguf.chat_messages(messages)
    assert [m["role"] for m in converted] == ["system", "system", "user", "assistant", "tool"]
    assert converted[1]["content"] == f"{DEVELOPER_HEADER}\n\nBe brief."
    assert "browser" in converted[3]["content"]  # the call is written out, never a null content
    assert all(isinstance(m["content"], str) for m in converted)


def test_inspect_resolves_the_provider_and_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no GGUF file at"):
        get_model(f"{_gguf.PROVIDER}/{tmp_path}/absent.gguf", memoize=False)


def test_constrained_strings_and_arrays_get_a_bound_and_keep_their_own() -> None:
    schema = {
        "type": "object",
        "properties": {
            "rationale": {"type": "string"},
            "label": {"type": "string", "enum": ["GOOD", "BAD"]},
            "title": {"type": "string", "maxLength": 80},
            "cited": {"type": "array", "items": {"type": "string"}},
            "examples": {"type": "array", "maxItems": 6, "items": {"$ref": "#/$defs/E"}},
        },
        "$defs": {"E": {"type": "object", "properties": {"user": {"type": "string"}}}},
    }
    out = _gguf.bounded(schema)
    props = out["properties"]
    assert props["rationale"]["maxLength"] == _gguf.STRING_CAP
    assert "maxLength" not in props["label"] and props["title"]["maxLength"] == 80
    assert props["cited"]["maxItems"] == _gguf.ARRAY_CAP
    assert props["cited"]["items"]["maxLength"] == _gguf.STRING_CAP
    assert props["examples"]["maxItems"] == 6
    assert out["$defs"]["E"]["properties"]["user"]["maxLength"] == _gguf.STRING_CAP
    assert "maxLength" not in schema["properties"]["rationale"]  # the caller's is untouched


def test_a_constrained_reply_with_a_raw_newline_in_a_string_becomes_strict_json() -> None:
    raw = '{ "score": 1, "rationale": "cut here\n"}'
    with pytest.raises(ValueError):
        json.loads(raw)
    assert json.loads(_gguf.strict_json(raw)) == {"score": 1, "rationale": "cut here\n"}
    assert _gguf.strict_json("not json {") == "not json {"
