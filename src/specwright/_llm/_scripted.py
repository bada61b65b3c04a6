"""A scripted model behind the same door, for tests and examples (as pydantic-ai's TestModel).

``ScriptedModel(["first reply", "second"])`` answers requests in order;
``ScriptedModel(lambda request: ...)`` answers each request from a function of it. A reply may
be a string (the text) or a whole :class:`ChatReply` (a refusal, a failure). The requests are
shaped by the model's profile exactly as :class:`OpenAIChatClient` shapes them, and kept in
:attr:`ScriptedModel.requests` and :attr:`ScriptedModel.bodies`, so a test sees what a real
server would have been sent — without HTTP where HTTP is not what the test is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from specwright._llm._adapt import adapt_messages
from specwright._llm._door import ChatReply, ChatRequest
from specwright._llm._profiles import DEFAULT_PROFILE, ModelProfile
from specwright._llm._structured import structured_fields

__all__ = ["ScriptedModel"]

Script = Iterable[str | ChatReply] | Callable[[ChatRequest], str | ChatReply]


class ScriptedModel:
    """A :class:`specwright._llm.ChatClient` that answers from a script."""

    def __init__(
        self,
        script: Script,
        *,
        name: str = "scripted/model",
        profile: ModelProfile = DEFAULT_PROFILE,
    ) -> None:
        self.name = name
        self.profile = profile
        self._function = script if callable(script) else None
        self._replies = [] if callable(script) else list(script)
        self.requests: list[ChatRequest] = []
        self.bodies: list[dict[str, Any]] = []

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The next scripted reply to ``request``."""
        return self.complete_sync(request)

    def complete_sync(self, request: ChatRequest) -> ChatReply:
        """The next scripted reply to ``request`` (an error reply when the script ran out)."""
        messages, adaptations = adapt_messages(request.messages, self.profile)
        fields = structured_fields(self.profile, request.output_schema, request.schema_name)
        self.requests.append(request)
        self.bodies.append({"messages": messages, "max_tokens": request.max_tokens, **fields})
        form = self.profile.structured if request.output_schema is not None else "prompted"
        reply = self._next(request)
        if isinstance(reply, str):
            reply = ChatReply(text=reply)
        return reply.model_copy(
            update={"attempts": 1, "adaptations": tuple(adaptations), "structured": form}
        )

    def _next(self, request: ChatRequest) -> str | ChatReply:
        if self._function is not None:
            return self._function(request)
        if not self._replies:
            used = len(self.requests) - 1
            return ChatReply(error=f"{self.name}: the script has no reply left ({used} used)",
                             failure="server")  # fmt: skip
        return self._replies.pop(0)

    async def aclose(self) -> None:
        """Nothing to release."""
