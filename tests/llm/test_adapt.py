"""Adapting requests to a server's profile, and learning a profile from a refusal."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest

from specwright._errors import ConfigurationError
from specwright._llm import (
    DEVELOPER_HEADER,
    PROFILES,
    adapt_messages,
    classify_status,
    error_message,
    learn_from_refusal,
    profile_named,
    structured_fields,
)
from tests.llm.refusing_server import refusal

PLAIN = PROFILES["generic"]
TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


def _conversation() -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": [{"type": "text", "text": t} for t in ("Hi", "!")]},
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
    ]


def test_openai_profile_changes_nothing() -> None:
    messages = _conversation()
    adapted, changes = adapt_messages(messages, PROFILES["openai"])
    assert adapted == messages and changes == []


def test_developer_message_is_folded_into_the_system_message_under_a_header() -> None:
    adapted, changes = adapt_messages(_conversation(), PLAIN)
    assert [m["role"] for m in adapted] == ["system", "user", "assistant", "tool"]
    system = adapted[0]["content"]
    assert system.startswith("Be brief.") and DEVELOPER_HEADER in system
    assert system.endswith("Answer in French.")
    assert [(c.kind, c.index) for c in changes] == [
        ("parts_joined", 2), ("null_content", 3), ("developer_folded", 1)
    ]  # fmt: skip
    assert all(c.profile == "generic" for c in changes)


def test_shapes_are_repaired_and_the_input_is_not_mutated() -> None:
    messages = _conversation()
    before = copy.deepcopy(messages)
    adapted, _ = adapt_messages(messages, PLAIN)
    assert messages == before
    assert adapted[1]["content"] == "Hi\n!"
    assert adapted[2]["content"] == "" and adapted[2]["tool_calls"] == [TOOL_CALL]


def test_developer_without_a_system_message_becomes_one() -> None:
    adapted, changes = adapt_messages(
        [{"role": "developer", "content": "Rule."}, {"role": "user", "content": "Q"}], PLAIN
    )
    assert adapted == [
        {"role": "system", "content": f"{DEVELOPER_HEADER}\n\nRule."},
        {"role": "user", "content": "Q"},
    ]
    assert "new system message" in changes[0].detail


def test_a_list_with_an_image_is_left_alone() -> None:
    image = [{"type": "text", "text": "see"}, {"type": "image_url", "image_url": {"url": "x"}}]
    adapted, changes = adapt_messages([{"role": "user", "content": image}], PLAIN)
    assert adapted[0]["content"] == image and changes == []


def test_every_adapted_request_is_accepted_by_every_refusing_server() -> None:
    body = {"messages": _conversation()}
    for quirks in ("llama-cpp", "vllm", "ollama"):
        assert refusal(quirks, body) is not None, quirks
        adapted, _ = adapt_messages(body["messages"], PLAIN)
        assert refusal(quirks, {"messages": adapted}) is None, quirks


@pytest.mark.parametrize("quirks", ["llama-cpp", "vllm", "ollama"])
def test_each_refusal_teaches_the_narrowing_that_avoids_it(quirks: str) -> None:
    profile = PROFILES["openai"]
    body: dict[str, Any] = {"messages": _conversation()}
    lessons = []
    for _ in range(5):
        refused = refusal(quirks, body)
        if refused is None:
            break
        lesson = learn_from_refusal(profile, body, error_message(json.dumps(refused[1])))
        assert lesson is not None, refused
        lessons.append(lesson.field)
        profile = lesson.profile
        body = {"messages": adapt_messages(_conversation(), profile)[0]}
    assert refusal(quirks, body) is None
    assert lessons and lessons == list(profile.learned)


def test_llama_cpp_structured_refusal_teaches_its_json_object_form() -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    body = {"messages": [], **structured_fields(PROFILES["openai"], schema)}
    status, error = refusal("llama-cpp", body) or (0, {})
    message = error_message(json.dumps(error))
    assert classify_status(status, message) == "refused"
    lesson = learn_from_refusal(PROFILES["openai"], body, message)
    assert lesson is not None and lesson.profile.structured == "json_object_schema"
    retried = {"messages": [], **structured_fields(lesson.profile, schema)}
    assert refusal("llama-cpp", retried) is None
    assert retried["response_format"] == {"type": "json_object", "schema": schema}


def test_a_refusal_naming_nothing_the_request_used_teaches_nothing() -> None:
    body = {"messages": [{"role": "user", "content": "hi"}]}
    assert learn_from_refusal(PROFILES["openai"], body, "developer role refused") is None
    assert learn_from_refusal(PROFILES["openai"], body, "model 'x' not found") is None
    dev = {"messages": [{"role": "developer", "content": "d"}]}
    assert learn_from_refusal(PROFILES["generic"], dev, "developer role refused") is None


def test_structured_forms_per_profile() -> None:
    schema = {"type": "object"}
    assert structured_fields(PROFILES["openai"], schema)["response_format"]["type"] == "json_schema"
    assert structured_fields(PROFILES["vllm"], schema) == {"guided_json": schema}
    assert structured_fields(PROFILES["ollama"], schema) == {"format": schema}
    assert structured_fields(PROFILES["generic"], schema) == {}
    assert structured_fields(PROFILES["openai"], None) == {}


def test_status_classes() -> None:
    assert classify_status(400, "bad") == "refused"
    assert classify_status(408, "") == "busy" and classify_status(429, "") == "busy"
    assert classify_status(401, "") == "auth"
    assert classify_status(503, "overloaded") == "server"
    assert classify_status(500, "Input should be 'system'") == "refused"


def test_error_message_reads_each_servers_error_shape() -> None:
    assert error_message(b'{"error": {"message": "bad role"}}') == "bad role"
    assert error_message(b'{"error": "invalid role: developer"}') == "invalid role: developer"
    assert error_message(b'{"object": "error", "message": "no"}') == "no"
    detail = b'{"detail": [{"loc": ["body", "response_format"], "msg": "wrong"}]}'
    assert error_message(detail) == "body.response_format: wrong"
    assert error_message(b"<html>\n oops </html>") == "<html> oops </html>"


def test_unknown_profile_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match=r"--profile 'llama'.*llama-cpp"):
        profile_named("llama")
    assert profile_named(None).name == "openai"


def test_importing_the_door_loads_no_sdk() -> None:
    code = (
        "import sys, specwright._llm\n"
        "print(sorted(m for m in ('openai', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_refusal_naming_the_field_late_in_a_long_message_is_learned() -> None:
    # llama-cpp-python 0.3.36 answers an assistant tool call with `content: null` with seven
    # pydantic errors; the one about `content` comes ~400 characters in. Learning reads the
    # whole message (a 300-character excerpt, as error lines show, hid it).
    from specwright._llm import error_message

    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    body = {"messages": [{"role": "user", "content": "hi"},
                         {"role": "assistant", "content": None, "tool_calls": [call]}]}  # fmt: skip
    errors = [
        "{'type': 'literal_error', 'loc': ('body', 'messages', 1, "
        f"'ChatCompletionRequest{role}Message', 'role'), 'msg': \"Input should be "
        f"'{role.lower()}'\", 'input': 'assistant'}}"
        for role in ("System", "User")
    ] + [
        "{'type': 'string_type', 'loc': ('body', 'messages', 1, "
        "'ChatCompletionRequestAssistantMessage', 'content'), 'msg': 'Input should be a valid "
        "string', 'input': None}"
    ]
    reply = json.dumps({"error": {"message": "3 validation errors:\n  " + "\n  ".join(errors)}})
    assert learn_from_refusal(PROFILES["openai"], body, error_message(reply)) is None
    lesson = learn_from_refusal(PROFILES["openai"], body, error_message(reply, None))
    assert lesson is not None and lesson.field == "null_content"
