"""The one door for model calls: profiles, request adaptation, structured output, retries.

Stable interface (other packages and branches build on it):

- :class:`ModelProfile`, :data:`PROFILES`, :func:`profile_named` — what a server accepts
  (developer role, content-part lists, ``content: null``, the structured-output form) and how
  hard to push it (connections, timeout). Built-in: ``openai`` (the default), ``llama-cpp``,
  ``vllm``, ``ollama``, ``generic``.
- :func:`adapt_body` — pure: a whole request body adapted (the gateway's upstream body).
- :func:`adapt_messages` — pure: Chat Completions message dicts reshaped for a profile, and the
  :class:`Adaptation` records of what changed (for the eval log, reports, decision records).
- :func:`learn_from_refusal` — the narrower profile a refusal calls for (a :class:`Lesson`),
  or ``None``.
- :func:`structured_fields` — the request fields that ask for a JSON Schema in the profile's
  form (OpenAI ``json_schema``, llama-cpp ``json_object`` + ``schema``, vLLM ``guided_json``,
  Ollama ``format``, or nothing: ``prompted``).
- :class:`RetryPolicy`, :func:`classify_status`, :func:`error_message` — which failures are
  retried (never a refusal; a timeout only when asked) and the server's own error text.
- :func:`resolve_endpoint`, :class:`Endpoint` — ``openai-api/<name>/<model>`` and
  ``openai/<model>``.
- :class:`UnparsedReply`, :func:`keep_unparsed` — replies that could not be read, kept.
- :class:`ChatClient` (protocol), :class:`ChatRequest`, :class:`ChatReply`,
  :class:`OpenAIChatClient` (the official SDK), :func:`open_client` (the one factory: every
  stage builds its client there), :class:`Door` (the attempt loop both clients share) and
  :class:`Failure` (one classified failed attempt).
- :class:`ScriptedModel` (tests and examples, as pydantic-ai's ``TestModel``): answers from a
  script of texts, replies and :class:`ScriptedFailure` (an HTTP status, a timeout …) through
  the same loop; reachable as ``scripted/<name>`` by any command while
  :meth:`ScriptedModel.installed`.

Importing this package loads neither the OpenAI SDK nor httpx: clients load them on first use.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:  # every name loads on first use; typed here for checkers
    from specwright._llm._adapt import (
        DEVELOPER_HEADER,
        Adaptation,
        AdaptationKind,
        Lesson,
        adapt_body,
        adapt_messages,
        already_learned,
        learn_from_refusal,
    )
    from specwright._llm._door import (
        ChatClient,
        ChatReply,
        ChatRequest,
        Door,
        Failure,
        OpenAIChatClient,
    )
    from specwright._llm._endpoint import Endpoint, check_reachable, connect_error, resolve_endpoint
    from specwright._llm._kept import UnparsedReply, keep_unparsed, unparsed_path
    from specwright._llm._open import open_client
    from specwright._llm._profiles import (
        DEFAULT_PROFILE,
        PROFILES,
        ModelProfile,
        StructuredForm,
        profile_named,
    )
    from specwright._llm._retry import (
        FailureKind,
        RetryPolicy,
        advice,
        classify_status,
        error_message,
    )
    from specwright._llm._scripted import ScriptedFailure, ScriptedModel
    from specwright._llm._structured import structured_fields

_LAZY: dict[str, str] = {
    "Adaptation": "specwright._llm._adapt",
    "AdaptationKind": "specwright._llm._adapt",
    "ChatClient": "specwright._llm._door",
    "ChatReply": "specwright._llm._door",
    "ChatRequest": "specwright._llm._door",
    "DEFAULT_PROFILE": "specwright._llm._profiles",
    "DEVELOPER_HEADER": "specwright._llm._adapt",
    "Door": "specwright._llm._door",
    "Endpoint": "specwright._llm._endpoint",
    "Failure": "specwright._llm._door",
    "FailureKind": "specwright._llm._retry",
    "Lesson": "specwright._llm._adapt",
    "ModelProfile": "specwright._llm._profiles",
    "OpenAIChatClient": "specwright._llm._door",
    "PROFILES": "specwright._llm._profiles",
    "RetryPolicy": "specwright._llm._retry",
    "ScriptedFailure": "specwright._llm._scripted",
    "ScriptedModel": "specwright._llm._scripted",
    "StructuredForm": "specwright._llm._profiles",
    "UnparsedReply": "specwright._llm._kept",
    "adapt_body": "specwright._llm._adapt",
    "adapt_messages": "specwright._llm._adapt",
    "advice": "specwright._llm._retry",
    "already_learned": "specwright._llm._adapt",
    "check_reachable": "specwright._llm._endpoint",
    "classify_status": "specwright._llm._retry",
    "connect_error": "specwright._llm._endpoint",
    "error_message": "specwright._llm._retry",
    "keep_unparsed": "specwright._llm._kept",
    "learn_from_refusal": "specwright._llm._adapt",
    "open_client": "specwright._llm._open",
    "profile_named": "specwright._llm._profiles",
    "resolve_endpoint": "specwright._llm._endpoint",
    "structured_fields": "specwright._llm._structured",
    "unparsed_path": "specwright._llm._kept",
}


__all__ = [
    "DEFAULT_PROFILE",
    "DEVELOPER_HEADER",
    "PROFILES",
    "Adaptation",
    "AdaptationKind",
    "ChatClient",
    "ChatReply",
    "ChatRequest",
    "Door",
    "Endpoint",
    "Failure",
    "FailureKind",
    "Lesson",
    "ModelProfile",
    "OpenAIChatClient",
    "RetryPolicy",
    "ScriptedFailure",
    "ScriptedModel",
    "StructuredForm",
    "UnparsedReply",
    "adapt_body",
    "adapt_messages",
    "advice",
    "already_learned",
    "check_reachable",
    "classify_status",
    "connect_error",
    "error_message",
    "keep_unparsed",
    "learn_from_refusal",
    "open_client",
    "profile_named",
    "resolve_endpoint",
    "structured_fields",
    "unparsed_path",
]


def __getattr__(name: str) -> object:
    # Lazy (PEP 562): the chain's interpreter imports this package on every `check`, and the
    # client module brings asyncio and ssl with it; a submodule loads only when a name asks.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value
