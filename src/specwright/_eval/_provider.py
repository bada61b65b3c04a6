"""A Chat Completions provider that keeps system *and* developer messages apart on the wire.

Inspect's ``openai-api`` provider sends every system message with one role, so a conversation
with a platform (system) message and a developer message arrives as two ``system`` messages and
the chain of command is lost. ``openai-roles/<service>/<model>`` is the same provider (same
``<SERVICE>_BASE_URL`` and ``<SERVICE>_API_KEY`` variables) except that messages marked as
developer messages by :mod:`specwright._eval._messages` go out as ``developer``.
``specwright eval`` maps ``openai-api/...`` names onto it (:func:`resolve_model_name`).

Every failure of a request leaves this provider as a :class:`ModelReplyError` whose one-line
message names the model, its URL, the HTTP status and a short excerpt of the body. A 200 reply
that is not a completion (garbage, an empty body, the wrong shape, an answer holding a lone
surrogate) is *malformed*: retried like a transient error, then it fails its own sample only.
A refused connection while the server is down fails at once instead of retrying for minutes.

What the server accepts is its :class:`specwright._llm.ModelProfile` (``profile=`` model
argument, the eval's ``--profile``; default ``openai``): messages are adapted to it
(:func:`specwright._llm.adapt_messages`, every change collected for the sample's metadata by
:func:`collect_adaptations`), a schema asked in ``GenerateConfig.response_schema`` goes out in
its form, and the first refusal that names a role, a shape or the structured-output form
narrows it for the rest of the run and the request is sent once more, adapted. Any other
refusal (4xx but 408/429, a validation error) and a timeout are not retried: the line says so
and names the setting that fixes it.
"""

from __future__ import annotations

import json
import re
import socket
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import anyio
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    RetryDecision,
    get_model,
    modelapi,
)

# The one reach into Inspect's private modules: the class behind ``openai-api`` is not exported,
# and subclassing it (overriding its ``messages_to_openai``) is the only way to keep the
# developer role on the wire. Pinned by tests/eval/test_wire.py (both roles must arrive) and by
# the exact inspect-ai version in pyproject.toml.
from inspect_ai.model._providers.openai_compatible import OpenAICompatibleAPI
from inspect_ai.tool import ToolChoice, ToolInfo
from openai import APIConnectionError, APIStatusError, APITimeoutError, OpenAIError
from tenacity import RetryError

from specwright._errors import ConfigurationError, SpecwrightError
from specwright._eval._gguf import PROVIDER as IN_PROCESS
from specwright._eval._messages import original_role
from specwright._llm import (
    Adaptation,
    Lesson,
    ModelProfile,
    adapt_messages,
    advice,
    already_learned,
    classify_status,
    error_message,
    learn_from_refusal,
    profile_named,
    structured_fields,
)

__all__ = [
    "PROVIDER",
    "ModelReplyError",
    "RolePreservingOpenAIAPI",
    "collect_adaptations",
    "connections_for",
    "inspect_model",
    "record_adaptations",
    "request_failure",
    "resolve_model_name",
]

PROVIDER = "openai-roles"
"""The Inspect provider name this module registers."""

_EXCERPT = 120
"""Characters of a reply body quoted in an error line."""


class ModelReplyError(SpecwrightError):
    """A model request that failed: one line naming model, URL, status and body excerpt.

    ``message`` is the attribute Inspect records as a sample's error, so the line reaches the
    log and the summary unchanged. ``retry`` is Inspect's retry decision for the cause.
    """

    def __init__(self, message: str, retry: Any = False) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry

    def __reduce__(self) -> tuple[object, ...]:
        return (ModelReplyError, (self.message,))


class _Reply:
    """What the last HTTP reply of this request looked like (kept for error lines)."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body


# Set by the HTTP client's response hook, which runs in the task that awaits the request.
_last_reply: ContextVar[_Reply | None] = ContextVar("specwright_last_reply", default=None)
# The body of the last request sent (the request hook), read when a refusal is to be learned.
_last_request: ContextVar[dict[str, Any] | None] = ContextVar("specwright_last_request",
                                                             default=None)  # fmt: skip
# Where adaptations made in this context are collected (a list shared with the collector).
_adaptations: ContextVar[list[Adaptation] | None] = ContextVar("specwright_adaptations",
                                                               default=None)  # fmt: skip


def collect_adaptations() -> list[Adaptation]:
    """Collect the adaptations the provider makes from now on in this context (and its tasks).

    The returned list fills as requests go out; the solver and the scorer call this first and
    record the list in the sample's metadata.
    """
    found: list[Adaptation] = []
    _adaptations.set(found)
    return found


def record_adaptations(metadata: dict[str, Any], adapted: list[Adaptation]) -> None:
    """Add ``adapted`` to a sample's metadata (``adaptations``, the log contract's field)."""
    if not adapted:
        return
    known = list(metadata.get("adaptations") or [])
    for change in adapted:
        entry = change.model_dump(mode="json")
        if entry not in known:
            known.append(entry)
    metadata["adaptations"] = known


def _note(changes: list[Adaptation], model: str) -> None:
    found = _adaptations.get()
    if found is None:
        return
    for change in changes:
        named = change.model_copy(update={"model": model})
        if named not in found:  # a retried request repeats its adaptations
            found.append(named)


def _excerpt(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.encode("utf-8", "backslashreplace").decode("ascii", "replace").split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


def _has_lone_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


@modelapi(name=PROVIDER)
class RolePreservingOpenAIAPI(OpenAICompatibleAPI):
    """``openai-api`` with the developer role preserved and SDK retries off."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 - Inspect's own signature
        **model_args: Any,
    ) -> None:
        # Inspect retries on its own; SDK retries underneath would multiply them.
        model_args.setdefault("max_retries", 0)
        self.profile: ModelProfile = profile_named(model_args.pop("profile", None))
        self.lessons: list[Lesson] = []
        super().__init__(
            model_name=model_name, base_url=base_url, api_key=api_key, config=config, **model_args
        )
        self.http_client.event_hooks["request"].append(_remember_request)
        self.http_client.event_hooks["response"].append(_remember_reply)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> Any:
        """Generate as ``openai-api`` does, adapted to the profile; a failure is a
        :class:`ModelReplyError`. A refusal the profile can learn from is sent once more."""
        while True:
            _last_reply.set(None)
            try:
                result = await super().generate(input, tools, tool_choice, self._shaped(config))
            except ModelReplyError:
                raise
            except APIStatusError as exc:
                if self._learned(exc):
                    continue
                raise self._failure(exc, self._retry(exc)) from exc
            except APITimeoutError as exc:
                # Not retried: the server may still be generating the first answer, at full cost.
                raise self._failure(exc, False) from exc
            except APIConnectionError as exc:
                # A refused connection is a server that is down: retrying for minutes is waiting.
                down = not await _reachable(self.base_url, timeout=2.0)
                raise self._failure(exc, False if down else super().should_retry(exc)) from exc
            except (OpenAIError, ValueError, TypeError, KeyError, AttributeError) as exc:
                # The reply parsed as a completion only in part (or not at all): malformed.
                raise self._malformed(_what_is_wrong(exc)) from exc
            output = result[0] if isinstance(result, tuple) else result
            if isinstance(result, tuple) and isinstance(output, APIStatusError):
                if self._learned(output):
                    continue
                # An error the provider hands back (a 400 it does not retry): one line.
                return (self._failure(output, self._retry(output)), result[1])
            return self._checked(result, output)

    def _checked(self, result: Any, output: Any) -> Any:
        if isinstance(output, ModelOutput) and _has_lone_surrogate(output.completion):
            raise self._malformed(
                "the answer holds a lone surrogate (invalid Unicode)", output.completion
            )
        return result

    def _shaped(self, config: GenerateConfig) -> GenerateConfig:
        """``config`` with its response schema in the profile's form (Inspect's is OpenAI's)."""
        schema = config.response_schema
        if schema is None or self.profile.structured == "json_schema":
            return config
        body = schema.json_schema.model_dump(exclude_none=True, by_alias=True)
        fields = structured_fields(self.profile, body, schema.name)
        form = self.profile.structured
        _note([Adaptation(kind="structured_output", index=-1, profile=self.profile.name,
                          detail=f"schema {schema.name} asked in the {form} form")],
              self._shown())  # fmt: skip
        extra = {**(config.extra_body or {}), **fields}
        return config.model_copy(update={"response_schema": None, "extra_body": extra or None})

    def _learned(self, exc: APIStatusError) -> bool:
        """Whether the refusal ``exc`` taught the profile something (then send again)."""
        message = error_message(exc.response.content if exc.response is not None else b"", None)
        if classify_status(exc.status_code, message) not in ("refused", "server"):
            return False
        body = _last_request.get() or {}
        lesson = learn_from_refusal(self.profile, body, message)
        if lesson is None:
            # Sent before a concurrent request taught the lesson: send it again, adapted.
            return already_learned(self.profile, body, message)
        self.profile = lesson.profile
        self.lessons.append(lesson)
        return True

    def _retry(self, exc: APIStatusError) -> Any:
        """Inspect's retry decision, except that a refusal is never retried."""
        message = error_message(exc.response.content if exc.response is not None else b"")
        if classify_status(exc.status_code, message) in ("refused", "auth"):
            return False
        return super().should_retry(exc)

    def _shown(self) -> str:
        return _as_typed(f"{PROVIDER}/{self.model_name}")

    def should_retry(self, ex: BaseException) -> Any:
        """Retry what ``openai-api`` retries, and malformed replies (a bounded number of times)."""
        if isinstance(ex, ModelReplyError):
            return ex.retry
        return super().should_retry(ex)

    def is_auth_failure(self, ex: Exception) -> bool:
        """Judge an authentication failure by the SDK error a reply error wraps."""
        cause = ex.__cause__ if isinstance(ex, ModelReplyError) else ex
        return isinstance(cause, Exception) and super().is_auth_failure(cause)

    def _where(self) -> str:
        return f"model {_as_typed(f'{PROVIDER}/{self.model_name}')} at {self.base_url}"

    def _failure(self, exc: OpenAIError, retry: Any) -> ModelReplyError:
        if isinstance(exc, APIStatusError):
            body = exc.response.content if exc.response is not None else b""
            message = error_message(body)
            kind = classify_status(exc.status_code, message)
            tail = self._advice("refused") if kind == "refused" else ""
            return ModelReplyError(
                f"{self._where()}: HTTP {exc.status_code}: {_excerpt(message)}{tail}", retry
            )
        if isinstance(exc, APITimeoutError):
            tail = self._advice("timeout")
            return ModelReplyError(f"{self._where()}: no reply in time (timeout){tail}", retry)
        why = _root_cause(exc)
        return ModelReplyError(f"{self._where()}: cannot connect ({why})", retry)

    def _advice(self, kind: Any) -> str:
        return advice(kind, 1, timeout_flag="--timeout", profile_flag="--profile",
                      profile=self.profile.name)  # fmt: skip

    async def messages_to_openai(self, input: list[ChatMessage]) -> list[Any]:
        """Convert as ``openai-api`` does, restore the developer role where marked, then adapt
        the messages to the profile (each change noted for the sample's metadata)."""
        converted: list[Any] = await super().messages_to_openai(input)
        for source, param in zip(input, converted, strict=True):
            if param.get("role") == "system" and original_role(source) == "developer":
                param["role"] = "developer"
        adapted, changes = adapt_messages(converted, self.profile)
        _note(changes, self._shown())
        return adapted

    def _malformed(self, what: str, shown: str | None = None) -> ModelReplyError:
        """A malformed reply, quoting ``shown`` (else the reply's body)."""
        reply = _last_reply.get()
        status = f"HTTP {reply.status}" if reply else "reply"
        quoted = shown if shown is not None else (reply.body if reply else None)
        body = f": {_excerpt(quoted)!r}" if quoted is not None else ""
        return ModelReplyError(
            f"{self._where()}: {status}: malformed reply ({what}){body}",
            RetryDecision.transient(),
        )


async def _remember_request(request: Any) -> None:
    """HTTP client hook: keep the JSON body of the request, for learning from its refusal."""
    try:
        body = json.loads(request.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    _last_request.set(body if isinstance(body, dict) else None)


async def _remember_reply(response: Any) -> None:
    """HTTP client hook: keep the status and body of the reply for error lines."""
    await response.aread()
    _last_reply.set(_Reply(response.status_code, response.content))


def _what_is_wrong(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return "not JSON" if exc.doc.strip() else "empty body"
    return "not a chat completion"


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc) or type(exc).__name__
    return _one_line(text)[:_EXCERPT]


def request_failure(exc: BaseException, model: Model) -> ModelReplyError | None:
    """The one-line failure of a model request that failed for good; None for anything else.

    Inspect reports exhausted retries as tenacity's ``RetryError`` (whose text is an object
    repr) and an error the provider returned as its ``ModelGenerateError`` (whose text quotes
    the whole request); the :class:`ModelReplyError` behind either is the line to report.
    """
    attempts = ""
    if isinstance(exc, RetryError):
        attempts = f" (after {exc.last_attempt.attempt_number} attempts)"
        exc = exc.last_attempt.exception() or exc
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ModelReplyError):
        cause = cause.__cause__
    if isinstance(cause, ModelReplyError):
        return ModelReplyError(cause.message + attempts)
    where = f"model {_as_typed(str(model))}"
    where += f" at {model.api.base_url}" if model.api.base_url else ""
    if "Timeout" in type(exc).__name__:  # Inspect's attempt timeout, asyncio's, the SDK's
        return ModelReplyError(f"{where}: no reply in time (timeout){attempts}")
    provider_message = getattr(exc, "provider_message", None)
    if attempts or provider_message:
        text = _one_line(str(provider_message or exc))[:300]
        return ModelReplyError(f"{where}: {type(exc).__name__}: {text}{attempts}")
    return None


def resolve_model_name(name: str) -> str:
    """Map ``openai-api/<service>/<model>`` onto the role-preserving provider; keep others."""
    api, _, rest = name.partition("/")
    return f"{PROVIDER}/{rest}" if api == "openai-api" and rest else name


def connections_for(name: str, wanted: int) -> int:
    """Concurrent requests to allow ``name``: one for a model run in process (``gguf/...``),
    which answers one at a time (more would only queue inside each attempt's timeout)."""
    return 1 if name.startswith(f"{IN_PROCESS}/") else wanted


def inspect_model(
    name: str,
    *,
    max_connections: int,
    max_retries: int = 3,
    timeout: int = 300,
    role: str | None = None,
    profile: str | None = None,
) -> Model:
    """A fresh Inspect model with explicit limits; a bad name or setup is a configuration error.

    Inspect retries without limit by default, so a server that refuses connections would hang
    the command; every model specwright builds gets a bounded number of retries and a timeout
    of its own (eval-level settings would leak into the grader role, and calibration has none).
    ``profile`` names what the server accepts (:data:`specwright._llm.PROFILES`).
    """
    config = GenerateConfig(
        max_connections=connections_for(name, max_connections),
        max_retries=max_retries,
        timeout=timeout,
        attempt_timeout=timeout,  # explicit: a slow local model may need the whole budget
    )
    shown = _as_typed(name)
    resolved = resolve_model_name(name)
    # Only our provider knows profiles; others (mockllm, Inspect's own) take no such argument.
    extra: dict[str, Any] = (
        {"profile": profile} if profile and resolved.startswith(f"{PROVIDER}/") else {}
    )
    try:
        model = get_model(resolved, config=config, role=role, memoize=False, **extra)
    except ValueError as exc:  # an unknown provider prefix
        raise ConfigurationError(f"model {shown!r}: {exc}") from None
    except Exception as exc:
        # Inspect signals a missing <SERVICE>_API_KEY / _BASE_URL with its PrerequisiteError,
        # which it does not export (matched by name, not imported from a private module; pinned
        # by tests/cli/test_eval_bad_input.py); its message is rich markup over several lines.
        if type(exc).__name__ == "PrerequisiteError":
            raise ConfigurationError(f"model {shown!r}: {_one_line(str(exc))}") from None
        raise
    _check_reachable(shown, model.api.base_url)
    return model


def _connect_error(base_url: str | None, timeout: float) -> str | None:
    """Why the server of ``base_url`` refuses a connection, or None when it accepts one."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None  # no server of its own (mockllm) or a provider that does not say
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__
    return None


async def _reachable(base_url: str | None, timeout: float) -> bool:
    """Whether the server of ``base_url`` accepts a connection (without blocking the loop)."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return True
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with anyio.fail_after(timeout):
            await (await anyio.connect_tcp(parts.hostname, port)).aclose()
    except (OSError, TimeoutError):
        return False
    return True


def _check_reachable(name: str, base_url: str | None, timeout: float = 5.0) -> None:
    """Fail fast, in one line, when the model's server cannot even be connected to.

    Otherwise every sample would spend Inspect's retries on a refused connection.
    """
    why = _connect_error(base_url, timeout)
    if why is not None:
        raise ConfigurationError(
            f"model {name!r}: cannot connect to {base_url} ({why}); is the server running?"
        )


def _one_line(message: str) -> str:
    text = re.sub(r"\[/?[a-z ]+\]", "", message)  # rich markup such as [bold][blue]
    return " ".join(text.replace("ERROR:", "").split())


def _as_typed(name: str) -> str:
    """The name as the user typed it (``openai-api/...``), for messages."""
    api, _, rest = name.partition("/")
    return f"openai-api/{rest}" if api == PROVIDER and rest else name
