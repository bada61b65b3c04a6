"""A scripted model behind the same door, for tests and examples (as pydantic-ai's TestModel).

``ScriptedModel(["first reply", "second"])`` answers requests in order;
``ScriptedModel(lambda body: ...)`` answers each request from a function of its body (the
dict a server would receive). A reply may be a string (the text), a whole :class:`ChatReply`
(a refusal flagged by the model, token counts) or a :class:`ScriptedFailure` (an HTTP error
status with the server's error text, a timeout, a dropped connection, a malformed reply).

A scripted model is a :class:`specwright._llm.Door` like the SDK client: each request is shaped
by its profile, a failure is classified, retried by its :class:`RetryPolicy` (no backoff by
default) and a refusal that names a role, a shape or the structured-output form narrows the
profile, exactly as against a server. The requests are kept (:attr:`ScriptedModel.requests`,
one per call; :attr:`ScriptedModel.bodies`, one per attempt), so a test sees what a real server
would have been sent — without HTTP where HTTP is not what the test is about.

A command reaches a scripted model by its name, ``scripted/<name>``, while the model is
installed (``with model.installed(): main([... "--generator", model.name ...])``): the client
factory (:func:`specwright._llm.open_client`) answers with it, configured by the command's own
profile and retry options, as Inspect's ``mockllm/model`` is a model name like any other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._llm._door import ChatReply, ChatRequest, Door, Failure
from specwright._llm._endpoint import Endpoint
from specwright._llm._profiles import DEFAULT_PROFILE, ModelProfile
from specwright._llm._retry import FailureKind, RetryPolicy, classify_status, error_message

__all__ = ["SCRIPTED_PREFIX", "ScriptedFailure", "ScriptedModel", "installed_model"]

SCRIPTED_PREFIX = "scripted/"
"""Model names that address an installed :class:`ScriptedModel`."""

_LINES: dict[FailureKind, str] = {
    "timeout": "no reply in time (timeout)",
    "connection": "cannot connect (scripted: connection dropped)",
    "malformed": "malformed reply: not a chat completion",
}


class ScriptedFailure(FrozenModel):
    """A failed attempt in a script, classified as the SDK client classifies a server's.

    Build one with :meth:`http` (a status and the server's error text: 400 ``refused``, 500
    ``server``, 429 ``busy``, 401 ``auth``, a 5xx validation error ``refused``) or with
    :meth:`timeout`, :meth:`connection` or :meth:`malformed`.
    """

    kind: FailureKind
    """How the door classifies it (what the retry policy and refusal learning read)."""
    status: int | None = None
    """The HTTP status of an error reply (``None``: no reply at all, or not a completion)."""
    message: str = ""
    """The server's error text (a refusal naming a role or shape teaches the profile)."""

    @classmethod
    def http(cls, status: int, message: str = "") -> ScriptedFailure:
        """An error reply with ``status`` and the server's ``message`` (its error body or text)."""
        text = error_message(message or f"scripted error {status}", None)
        return cls(kind=classify_status(status, text), status=status, message=text)

    @classmethod
    def timeout(cls) -> ScriptedFailure:
        """No reply within the client's timeout."""
        return cls(kind="timeout")

    @classmethod
    def connection(cls) -> ScriptedFailure:
        """The connection was refused or dropped."""
        return cls(kind="connection")

    @classmethod
    def malformed(cls) -> ScriptedFailure:
        """A 200 reply that is not a chat completion: ends the call with an error, as the SDK
        client ends it on a completion of the wrong shape."""
        return cls(kind="malformed")

    def as_failure(self) -> Failure:
        """The door's record of this failure."""
        if self.status is None:
            return Failure(kind=self.kind, line=_LINES.get(self.kind, self.kind))
        line = f"HTTP {self.status}: {error_message(self.message)}"
        return Failure(kind=self.kind, line=line, message=self.message)


ScriptedReply = str | ChatReply | ScriptedFailure
"""One scripted answer: a text, a whole reply, or a failed attempt."""

Script = Iterable[ScriptedReply] | Callable[[dict[str, Any]], ScriptedReply]
"""Answers in order, or a function of each request body."""


class ScriptedModel(Door):
    """A :class:`specwright._llm.ChatClient` that answers from a script (see the module)."""

    def __init__(
        self,
        script: Script,
        *,
        name: str = "scripted/model",
        profile: ModelProfile = DEFAULT_PROFILE,
        policy: RetryPolicy | None = None,
        flags: Mapping[str, str] | None = None,
    ) -> None:
        model = name.rsplit("/", 1)[-1]
        super().__init__(Endpoint(name=name, model=model, base_url=None, api_key=None),
                         profile=profile, policy=policy or RetryPolicy(backoff=0.0),
                         flags=flags)  # fmt: skip
        self._function = script if callable(script) else None
        self._replies: list[ScriptedReply] = [] if callable(script) else list(script)
        self._lock = threading.Lock()  # calls may come from several threads or tasks
        self.requests: list[ChatRequest] = []
        self.bodies: list[dict[str, Any]] = []

    def configure(
        self,
        *,
        profile: ModelProfile | None = None,
        policy: RetryPolicy | None = None,
        flags: Mapping[str, str] | None = None,
    ) -> ScriptedModel:
        """Take the profile, retry attempts and flags a command asks for (as a client built
        by :func:`specwright._llm.open_client` would; never a backoff); ``None`` keeps the
        model's own."""
        self.profile = profile or self.profile
        # A script never waits: the command's attempts, without its backoff.
        self.policy = (policy or self.policy).model_copy(update={"backoff": 0.0})
        self.flags = {**self.flags, **(flags or {})}
        return self

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The scripted reply to ``request`` (a failure after the attempts the policy allows)."""
        self._record(request)
        return await super().complete(request)

    def complete_sync(self, request: ChatRequest) -> ChatReply:
        """:meth:`complete`, blocking."""
        self._record(request)
        return super().complete_sync(request)

    @contextmanager
    def installed(self) -> Iterator[ScriptedModel]:
        """Make :attr:`name` (``scripted/…``) reach this model for the ``with`` block."""
        if not self.name.startswith(SCRIPTED_PREFIX):
            raise ConfigurationError(f"a scripted model's name starts with {SCRIPTED_PREFIX!r}:"
                                     f" {self.name!r}")  # fmt: skip
        with _INSTALLED_LOCK:
            previous = _INSTALLED.get(self.name)
            _INSTALLED[self.name] = self
        try:
            yield self
        finally:
            with _INSTALLED_LOCK:
                if previous is None:
                    _INSTALLED.pop(self.name, None)
                else:
                    _INSTALLED[self.name] = previous

    def _record(self, request: ChatRequest) -> None:
        with self._lock:
            self.requests.append(request)

    async def _send(self, body: dict[str, Any]) -> ChatReply | Failure:
        return self._send_sync(body)

    def _send_sync(self, body: dict[str, Any]) -> ChatReply | Failure:
        reply = self._answer(body)
        if isinstance(reply, ScriptedFailure):
            return self._malformed() if reply.kind == "malformed" else reply.as_failure()
        return ChatReply(text=reply) if isinstance(reply, str) else reply

    def _answer(self, body: dict[str, Any]) -> ScriptedReply:
        with self._lock:
            self.bodies.append(body)
            if self._function is None:
                return self._next()
        return self._function(body)  # outside the lock: it may wait on an event a test sets

    def _next(self) -> ScriptedReply:
        if not self._replies:
            used = len(self.bodies) - 1
            return ChatReply(error=f"{self.name}: the script has no reply left ({used} used)",
                             failure="server")  # fmt: skip
        return self._replies.pop(0)

    def _where(self) -> str:
        return f"model {self.name} (scripted)"

    async def aclose(self) -> None:
        """Nothing to release."""


_INSTALLED: dict[str, ScriptedModel] = {}
_INSTALLED_LOCK = threading.Lock()


def installed_model(name: str, option: str = "--model") -> ScriptedModel:
    """The scripted model installed under ``name``; ``option`` names the option that gave it."""
    with _INSTALLED_LOCK:
        model = _INSTALLED.get(name)
    if model is None:
        raise ConfigurationError(
            f"{option} {name!r}: no scripted model of that name is installed in this process "
            "(scripted/<name> models exist only in a program that installs one)"
        )
    return model
