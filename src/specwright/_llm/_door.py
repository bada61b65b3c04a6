"""The one door for model calls made outside Inspect: a request, a reply and a client protocol.

:class:`ChatClient` is what the generator, ``propose`` and the chain's interpreter call;
:class:`Door` is the attempt loop every client of this package shares, and
:class:`OpenAIChatClient` (the official OpenAI SDK) and :class:`specwright._llm.ScriptedModel`
(a script, for tests) only make single attempts within it. A request goes out adapted to the
client's :class:`ModelProfile` and asks for its schema in the profile's form; a refusal that
names something the profile can change narrows the profile (for the rest of the run) and the
request is sent once more, adapted; other failures follow the :class:`RetryPolicy`. Every
failure ends as a :class:`ChatReply` with ``error`` (one line) and ``failure`` (its kind): the
caller decides whether it fails the run or one item.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

from specwright._frozen import FrozenModel
from specwright._llm._adapt import (
    Adaptation,
    Lesson,
    adapt_messages,
    already_learned,
    learn_from_refusal,
)
from specwright._llm._endpoint import Endpoint
from specwright._llm._profiles import DEFAULT_PROFILE, ModelProfile, StructuredForm
from specwright._llm._retry import (
    FailureKind,
    RetryPolicy,
    advice,
    classify_status,
    error_message,
)
from specwright._llm._structured import SDK_FIELDS, structured_fields

if TYPE_CHECKING:
    import openai

__all__ = [
    "ChatClient",
    "ChatReply",
    "ChatRequest",
    "Door",
    "Failure",
    "OpenAIChatClient",
]


class ChatRequest(FrozenModel):
    """One Chat Completions request, before its profile shapes it."""

    messages: tuple[dict[str, Any], ...]
    """OpenAI Chat Completions message dicts."""
    max_tokens: int
    """Upper bound on the reply (always bounded: a local model may never stop)."""
    temperature: float | None = None
    """Sampling temperature (``None``: the server's default)."""
    seed: int | None = None
    """Sampling seed."""
    output_schema: dict[str, Any] | None = None
    """The JSON Schema the reply must fit, asked for in the profile's form."""
    schema_name: str = "answer"
    """The schema's name (OpenAI's ``json_schema.name``)."""


class ChatReply(FrozenModel):
    """What came of one request: its text, or why there is none."""

    text: str = ""
    """The reply's text (kept as it came, parsed or not)."""
    refused: bool = False
    """The server flagged a refusal (``refusal`` field or ``content_filter``)."""
    refusal: str = ""
    """The server's refusal text, when it gave one."""
    error: str | None = None
    """Why the request failed (one line), after the attempts the policy allows."""
    failure: FailureKind | None = None
    """The kind of that failure."""
    tokens: int = 0
    """Prompt plus completion tokens, as the server reports them."""
    attempts: int = 0
    """Requests sent."""
    adaptations: tuple[Adaptation, ...] = ()
    """What was changed in the request for its server."""
    structured: StructuredForm = "prompted"
    """How the schema was asked for (``prompted``: not on the wire)."""


class ChatClient(Protocol):
    """What every model-calling stage asks of a model."""

    name: str
    """The model's name as the user gave it (for messages)."""

    async def complete(self, request: ChatRequest) -> ChatReply:
        """Send ``request``; failures come back as a reply with ``error``."""

    def complete_sync(self, request: ChatRequest) -> ChatReply:
        """:meth:`complete` for synchronous callers (the chain's interpreter)."""

    async def aclose(self) -> None:
        """Release connections."""


class Failure(FrozenModel):
    """One failed attempt, classified (what :class:`RetryPolicy` and refusal learning read)."""

    kind: FailureKind
    """Why the attempt failed."""
    line: str
    """What happened, on one line (``HTTP 500: …``, ``no reply in time (timeout)``)."""
    message: str = ""
    """The server's own error text, whole (a refusal is learned from it)."""


class Door(ABC):
    """The loop every :class:`ChatClient` of this package shares; subclasses only send.

    A request goes out shaped by :attr:`profile`; a refusal that names something the profile
    can change narrows the profile (kept in :attr:`lessons`) and the request is sent once more;
    other failures follow :attr:`policy`. :meth:`_send` and :meth:`_send_sync` make one attempt
    and return a final :class:`ChatReply` or a :class:`Failure`.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        profile: ModelProfile = DEFAULT_PROFILE,
        policy: RetryPolicy | None = None,
        flags: Mapping[str, str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.name = endpoint.name
        self.profile = profile
        self.policy = policy or RetryPolicy()
        self.flags = {"timeout": "--timeout", "profile": "--profile", **(flags or {})}
        self.lessons: list[Lesson] = []

    def body(self, request: ChatRequest) -> tuple[dict[str, Any], list[Adaptation]]:
        """The request body as the current profile shapes it, and the adaptations made."""
        messages, adaptations = adapt_messages(request.messages, self.profile)
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
        }
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.seed is not None:
            body["seed"] = request.seed
        body.update(structured_fields(self.profile, request.output_schema, request.schema_name))
        return body, adaptations

    async def complete(self, request: ChatRequest) -> ChatReply:
        """Send ``request``; see the class for what happens on failure."""
        attempt = 0
        while True:
            attempt += 1
            body, adaptations = self.body(request)
            sent = await self._send(body)
            step = self._step(sent, body, attempt)
            if step == "retry":
                await asyncio.sleep(self.policy.delay(attempt))
            elif step != "adapt":
                return self._finished(sent, attempt, adaptations, request)

    def complete_sync(self, request: ChatRequest) -> ChatReply:
        """:meth:`complete`, blocking, for synchronous callers."""
        attempt = 0
        while True:
            attempt += 1
            body, adaptations = self.body(request)
            sent = self._send_sync(body)
            step = self._step(sent, body, attempt)
            if step == "retry":
                time.sleep(self.policy.delay(attempt))
            elif step != "adapt":
                return self._finished(sent, attempt, adaptations, request)

    @abstractmethod
    async def _send(self, body: dict[str, Any]) -> ChatReply | Failure:
        """One attempt with ``body`` (a final reply, or a failure to classify)."""

    @abstractmethod
    def _send_sync(self, body: dict[str, Any]) -> ChatReply | Failure:
        """:meth:`_send`, blocking."""

    def _step(
        self, sent: ChatReply | Failure, body: dict[str, Any], attempt: int
    ) -> Literal["adapt", "retry", "stop"]:
        """``adapt`` (narrowed: send once more), ``retry`` or ``stop``."""
        if isinstance(sent, ChatReply):
            return "stop"
        if sent.kind in ("refused", "server"):
            lesson = learn_from_refusal(self.profile, body, sent.message)
            if lesson is not None:
                self.profile = lesson.profile
                self.lessons.append(lesson)
                return "adapt"
            if already_learned(self.profile, body, sent.message):
                return "adapt"  # sent before a concurrent request taught the lesson
        return "retry" if self.policy.retries(sent.kind, attempt) else "stop"

    def _finished(
        self,
        sent: ChatReply | Failure,
        attempts: int,
        adaptations: list[Adaptation],
        request: ChatRequest,
    ) -> ChatReply:
        update = {"attempts": attempts, "adaptations": tuple(adaptations),
                  "structured": self._form(request)}  # fmt: skip
        if isinstance(sent, ChatReply):
            return sent.model_copy(update=update)
        line = f"{self._where()}: {sent.line}{self._advice(sent, attempts)}"
        return ChatReply(error=line, failure=sent.kind, **update)

    def _where(self) -> str:
        return f"model {self.endpoint.name} at {self.endpoint.base_url or 'the default URL'}"

    def _advice(self, failure: Failure, attempts: int) -> str:
        return advice(failure.kind, attempts, timeout_flag=self.flags["timeout"],
                      profile_flag=self.flags["profile"], profile=self.profile.name)  # fmt: skip

    def _form(self, request: ChatRequest) -> StructuredForm:
        return self.profile.structured if request.output_schema is not None else "prompted"

    def _malformed(self) -> ChatReply:
        return ChatReply(error=f"{self._where()}: malformed reply: not a chat completion",
                         failure="malformed")  # fmt: skip


class OpenAIChatClient(Door):
    """:class:`ChatClient` over the official OpenAI SDK, against any compatible endpoint.

    ``profile`` is narrowed in place by refusals (see :attr:`lessons`), so it is the run's
    memory of what the server accepts. ``flags`` names the command-line options that fix a
    timeout or a refusal, for the error lines. ``sync_client`` is a ready ``openai.OpenAI``
    for :meth:`complete_sync` (the chain's interpreter accepts one from its caller).
    """

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        profile: ModelProfile = DEFAULT_PROFILE,
        policy: RetryPolicy | None = None,
        max_connections: int | None = None,
        timeout: float | None = None,
        flags: Mapping[str, str] | None = None,
        sync_client: openai.OpenAI | None = None,
    ) -> None:
        super().__init__(endpoint, profile=profile, policy=policy, flags=flags)
        self.max_connections = max_connections or profile.max_connections
        self.timeout = timeout or profile.timeout
        self._async: openai.AsyncOpenAI | None = None
        self._sync: openai.OpenAI | None = sync_client
        self._slots: asyncio.Semaphore | None = None

    async def complete(self, request: ChatRequest) -> ChatReply:
        """Send ``request`` (at most ``max_connections`` in flight); see :class:`Door`."""
        _, slots = self._ensure_async()
        async with slots:
            return await super().complete(request)

    async def _send(self, body: dict[str, Any]) -> ChatReply | Failure:
        client, _ = self._ensure_async()
        try:
            response = await client.chat.completions.create(**_sdk_arguments(body))
        except Exception as exc:  # classified by _failure, or re-raised
            return self._failure(exc)
        return self._reply(response)

    def _send_sync(self, body: dict[str, Any]) -> ChatReply | Failure:
        try:
            response = self._ensure_sync().chat.completions.create(**_sdk_arguments(body))
        except Exception as exc:  # classified by _failure, or re-raised
            return self._failure(exc)
        return self._reply(response)

    def _failure(self, exc: Exception) -> Failure:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return Failure(kind="timeout", line="no reply in time (timeout)")
        if isinstance(exc, openai.APIStatusError):
            message = error_message(exc.response.content if exc.response is not None else b"", None)
            kind = classify_status(exc.status_code, message)
            line = f"HTTP {exc.status_code}: {error_message(message)}"
            return Failure(kind=kind, line=line, message=message)
        if isinstance(exc, openai.APIConnectionError):
            return Failure(kind="connection", line=f"cannot connect ({_root(exc)})")
        if isinstance(exc, (openai.OpenAIError, ValueError, TypeError, KeyError)):
            return Failure(kind="malformed", line="malformed reply: not a chat completion")
        raise exc

    def _reply(self, response: Any) -> ChatReply:
        try:
            choice = response.choices[0]
            message = choice.message
            usage = getattr(response, "usage", None)
            refusal = str(getattr(message, "refusal", None) or "")
            return ChatReply(
                text=message.content or "", tokens=int(getattr(usage, "total_tokens", 0) or 0),
                refused=bool(refusal) or choice.finish_reason == "content_filter",
                refusal=refusal,
            )  # fmt: skip
        except (AttributeError, TypeError, IndexError, ValueError):
            # The SDK builds replies without validating them: a wrong shape surfaces here.
            return self._malformed()

    # ------------------------------------------------------------------ clients

    def _ensure_async(self) -> tuple[openai.AsyncOpenAI, asyncio.Semaphore]:
        # Built on first use, inside the running loop: the semaphore and the SDK's connection
        # pool belong to the loop that awaits them.
        if self._async is None or self._slots is None:
            import openai

            self._async = openai.AsyncOpenAI(
                base_url=self.endpoint.base_url, api_key=self.endpoint.api_key,
                max_retries=0, timeout=self.timeout,  # our policy retries, not the SDK
            )  # fmt: skip
            self._slots = asyncio.Semaphore(self.max_connections)
        return self._async, self._slots

    def _ensure_sync(self) -> openai.OpenAI:
        if self._sync is None:
            import openai

            self._sync = openai.OpenAI(
                base_url=self.endpoint.base_url, api_key=self.endpoint.api_key,
                max_retries=0, timeout=self.timeout,
            )  # fmt: skip
        return self._sync

    async def aclose(self) -> None:
        """Close the connection pools."""
        if self._async is not None:
            await self._async.close()
            self._async = None
        if self._sync is not None:
            self._sync.close()
            self._sync = None


def _sdk_arguments(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as SDK arguments: fields the SDK does not name travel in ``extra_body``."""
    known = {"model", "messages", "max_tokens", "temperature", "seed", *SDK_FIELDS}
    arguments = {k: v for k, v in body.items() if k in known}
    extra = {k: v for k, v in body.items() if k not in known}
    if extra:
        arguments["extra_body"] = extra
    return arguments


def _root(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = " ".join((str(exc) or type(exc).__name__).split())
    return text[:120]
