"""The generator client: generation and ``propose`` ask their model through the one door.

One plain Chat Completions request per (section, kind), sent by :mod:`specwright._llm` (the
official OpenAI SDK; a bare SDK request costs about 3 ms of CPU here, an Inspect sample 6–12 ms:
``docs/generate.md``), shaped by the model's profile, asking for the reply's JSON Schema in the
profile's form and bounded by ``max_tokens``. Model names follow the eval's convention
(:func:`specwright._llm.resolve_endpoint`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from specwright._frozen import FrozenModel
from specwright._llm import (
    DEFAULT_PROFILE,
    ChatClient,
    ChatReply,
    ChatRequest,
    Endpoint,
    ModelProfile,
    RetryPolicy,
    check_reachable,
    open_client,
    resolve_endpoint,
)

__all__ = [
    "Endpoint",
    "GeneratorClient",
    "GeneratorSettings",
    "Reply",
    "check_reachable",
    "resolve_endpoint",
]

Reply = ChatReply
"""One generator reply, or why there is none (the door's reply)."""


class GeneratorSettings(FrozenModel):
    """How the generator is called; every knob explicit so that a run can be reproduced."""

    temperature: float = 0.8
    """Sampling temperature (generation wants variety; the seed makes it repeatable)."""
    seed: int = 0
    """Seed of the first request; request *i* uses ``seed + i``."""
    max_concurrency: int | None = Field(default=None, ge=1)
    """Requests in flight at once (``None``: the profile's, 1 for a one-slot local server)."""
    max_retries: int = Field(default=2, ge=0)
    """Retries of a request after a failure that costs nothing upstream (never a timeout)."""
    timeout: float | None = Field(default=None, gt=0)
    """Seconds per attempt (``None``: the profile's)."""
    max_tokens: int = Field(default=2000, ge=1)
    """Upper bound on one reply."""


class GeneratorClient:
    """Bounded-concurrency calls to one generator, through a :class:`specwright._llm.ChatClient`.

    ``door`` replaces the client :func:`specwright._llm.open_client` would build for
    ``endpoint`` (a :class:`specwright._llm.ScriptedModel`, say).
    """

    def __init__(
        self,
        endpoint: Endpoint,
        settings: GeneratorSettings,
        *,
        profile: ModelProfile = DEFAULT_PROFILE,
        door: ChatClient | None = None,
        flags: dict[str, str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.settings = settings
        self.door: ChatClient = door or open_client(
            endpoint, profile=profile, policy=RetryPolicy(attempts=settings.max_retries + 1),
            max_connections=settings.max_concurrency, timeout=settings.timeout, flags=flags,
        )  # fmt: skip

    async def complete(
        self,
        system: str,
        prompt: str,
        seed: int,
        schema: dict[str, Any] | None = None,
        schema_name: str = "answer",
    ) -> Reply:
        """One reply to ``prompt``, asked to fit ``schema``; a failure is a reply with ``error``."""
        request = ChatRequest(
            messages=({"role": "system", "content": system}, {"role": "user", "content": prompt}),
            max_tokens=self.settings.max_tokens, temperature=self.settings.temperature,
            seed=seed, output_schema=schema, schema_name=schema_name,
        )  # fmt: skip
        return await self.door.complete(request)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.door.aclose()
