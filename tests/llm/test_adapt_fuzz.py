"""Fuzzing the adaptation at the gateway's trust boundary: any JSON a client sends as a body."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specwright._llm import PROFILES, adapt_body, learn_from_refusal

_TEXT = st.text(max_size=20)
_PART = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": _TEXT}),
    st.fixed_dictionaries({"type": st.sampled_from(["image_url", "text", "x"])}),
    _TEXT,
)
_CONTENT = st.one_of(st.none(), _TEXT, st.lists(_PART, max_size=3), st.integers())
_MESSAGE = st.one_of(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "developer", "user", "assistant", "tool", "x"])},
        optional={"content": _CONTENT, "tool_calls": st.just([{"id": "c"}])},
    ),
    _TEXT,
    st.none(),
)
_BODY = st.fixed_dictionaries(
    {"messages": st.one_of(st.lists(_MESSAGE, max_size=8), _TEXT, st.none())},
    optional={
        "response_format": st.one_of(
            st.just({"type": "json_schema", "json_schema": {"name": "a", "schema": {}}}),
            st.just({"type": "json_schema", "json_schema": "oops"}),
            st.just({"type": "json_schema"}),
            _TEXT,
        )
    },
)


@settings(max_examples=300, deadline=None)
@given(body=_BODY)
def test_any_body_adapts_without_error_and_only_once(body: dict[str, Any]) -> None:
    before = copy.deepcopy(body)
    adapted, _ = adapt_body(body, PROFILES["llama-cpp"])
    assert body == before  # the caller's body is never changed
    given = adapted["messages"] if isinstance(adapted.get("messages"), list) else []
    if not all(isinstance(m, dict) for m in given):
        assert adapted["messages"] == body["messages"]  # unreadable: passed on as it came
        given = []
    messages = [m for m in given if isinstance(m, dict)]
    assert all(m.get("role") != "developer" for m in messages)
    assert not any(m.get("role") == "assistant" and m.get("content") is None for m in messages)
    wanted = adapted.get("response_format")
    assert not (isinstance(wanted, dict) and wanted.get("type") == "json_schema")
    again, changes = adapt_body(adapted, PROFILES["llama-cpp"])
    assert changes == [] and again == adapted  # idempotent: nothing left to adapt


@settings(max_examples=200, deadline=None)
@given(body=_BODY, refusal=st.text(max_size=80))
def test_learning_never_fails_and_only_narrows(body: dict[str, Any], refusal: str) -> None:
    lesson = learn_from_refusal(PROFILES["openai"], body, refusal)
    if lesson is not None:
        assert lesson.profile.learned == (lesson.field,)
        assert getattr(lesson.profile, lesson.field) != getattr(PROFILES["openai"], lesson.field)
