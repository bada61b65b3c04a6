"""The generator client: the official OpenAI SDK against any OpenAI-compatible endpoint.

Generation is one plain Chat Completions request per (section, kind): no tools, no roles to
preserve, no log to resume, so the SDK's async client with a semaphore is enough (a bare SDK
request costs about 3 ms of CPU here, an Inspect sample 6–12 ms: ``docs/generate.md`` and
``docs/eval.md``). Model names follow the eval's convention: ``openai-api/<name>/<model>``
reads ``<NAME>_BASE_URL`` and ``<NAME>_API_KEY``; ``openai/<model>`` reads ``OPENAI_API_KEY``
and, when set, ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import Field

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel

if TYPE_CHECKING:
    from openai import AsyncOpenAI

__all__ = ["Endpoint", "GeneratorClient", "GeneratorSettings", "Reply", "resolve_endpoint"]


class Endpoint(FrozenModel):
    """Where a generator model is served."""

    name: str
    """The name as given (``openai-api/local/gen``)."""
    model: str
    """The model name sent to the server."""
    base_url: str | None
    """The server's base URL (``None``: the SDK's default)."""
    api_key: str
    """The API key."""


class GeneratorSettings(FrozenModel):
    """How the generator is called; every knob explicit so that a run can be reproduced."""

    temperature: float = 0.8
    """Sampling temperature (generation wants variety; the seed makes it repeatable)."""
    seed: int = 0
    """Seed of the first request; request *i* uses ``seed + i``."""
    max_concurrency: int = Field(default=16, ge=1)
    """Requests in flight at once."""
    max_retries: int = Field(default=2, ge=0)
    """The SDK's retries per request (connection errors, 429, 5xx)."""
    timeout: float = Field(default=120.0, gt=0)
    """Seconds per attempt."""
    max_tokens: int = Field(default=2000, ge=1)
    """Upper bound on one reply."""


class Reply(FrozenModel):
    """One generator reply, or why there is none."""

    text: str = ""
    """The reply's text."""
    refused: bool = False
    """The server flagged a refusal (``refusal`` field or ``content_filter``)."""
    error: str | None = None
    """Why the request failed after its retries."""
    tokens: int = 0
    """Prompt plus completion tokens, as the server reports them."""


def resolve_endpoint(
    name: str, env: Mapping[str, str] | None = None, *, option: str = "--generator"
) -> Endpoint:
    """The endpoint of ``openai-api/<service>/<model>`` or ``openai/<model>``.

    ``option`` is the command-line option that named it, for the error messages.
    """
    env = os.environ if env is None else env
    api, _, rest = name.partition("/")
    if api == "openai-api":
        service, _, model = rest.partition("/")
        if not service or not model:
            raise ConfigurationError(f"{option} {name!r}: use openai-api/<name>/<model>")
        prefix = service.upper().replace("-", "_")
        return Endpoint(
            name=name,
            model=model,
            base_url=_required(env, f"{prefix}_BASE_URL", f"{option} {name!r}"),
            api_key=_required(env, f"{prefix}_API_KEY", f"{option} {name!r}"),
        )
    if api == "openai" and rest:
        key = _required(env, "OPENAI_API_KEY", f"{option} {name!r}")
        return Endpoint(name=name, model=rest, base_url=env.get("OPENAI_BASE_URL"), api_key=key)
    raise ConfigurationError(
        f"{option} {name!r}: use openai-api/<name>/<model> (with <NAME>_BASE_URL and "
        "<NAME>_API_KEY) or openai/<model>"
    )


def _required(env: Mapping[str, str], variable: str, what: str) -> str:
    value = env.get(variable)
    if not value:
        raise ConfigurationError(f"{what}: set {variable}")
    return value


def check_reachable(endpoint: Endpoint, timeout: float = 5.0, option: str = "--generator") -> None:
    """Fail fast, in one line, when the generator's server cannot even be connected to."""
    parts = urlsplit(endpoint.base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise ConfigurationError(
            f"{option} {endpoint.name!r}: cannot connect to {endpoint.base_url} ({why})"
        ) from None


class GeneratorClient:
    """Bounded-concurrency async calls to one generator endpoint."""

    def __init__(self, endpoint: Endpoint, settings: GeneratorSettings) -> None:
        self.endpoint = endpoint
        self.settings = settings
        self._client: AsyncOpenAI | None = None
        self._slots: asyncio.Semaphore | None = None

    def _ensure(self) -> tuple[AsyncOpenAI, asyncio.Semaphore]:
        # Built on first use, inside the running loop: the semaphore and the SDK's connection
        # pool belong to the loop that awaits them.
        if self._client is None or self._slots is None:
            from openai import AsyncOpenAI

            # The SDK's own pool allows far more connections than the semaphore lets through.
            self._client = AsyncOpenAI(
                base_url=self.endpoint.base_url,
                api_key=self.endpoint.api_key,
                max_retries=self.settings.max_retries,
                timeout=self.settings.timeout,
            )
            self._slots = asyncio.Semaphore(self.settings.max_concurrency)
        return self._client, self._slots

    async def complete(self, system: str, prompt: str, seed: int) -> Reply:
        """One reply to ``prompt``; a failed request is a :class:`Reply` with ``error``."""
        import openai

        client, slots = self._ensure()
        async with slots:
            try:
                response = await client.chat.completions.create(
                    model=self.endpoint.model,
                    messages=[
                        {"role": "system", "content": system},
                        {"role": "user", "content": prompt},
                    ],
                    temperature=self.settings.temperature,
                    seed=seed,
                    max_tokens=self.settings.max_tokens,
                )
            except (openai.APIError, ValueError) as exc:  # ValueError: a body that is not JSON
                return Reply(error=f"{type(exc).__name__}: {_one_line(str(exc))}")
        try:
            return _reply(response)
        except (AttributeError, TypeError, IndexError, ValueError):
            # The SDK builds replies without validating them: a 200 whose body has the wrong
            # shape surfaces here, as this one request's failure.
            return Reply(error="malformed reply: not a chat completion")

    async def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.close()
            self._client = None


def _reply(response: object) -> Reply:
    choices = getattr(response, "choices", None) or []
    if not choices:
        return Reply(error="malformed reply: no choices")
    choice = choices[0]
    message = choice.message
    usage = getattr(response, "usage", None)
    tokens = int(getattr(usage, "total_tokens", 0) or 0)
    refused = bool(getattr(message, "refusal", None)) or choice.finish_reason == "content_filter"
    return Reply(text=message.content or "", refused=refused, tokens=tokens)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:197] + "..."
