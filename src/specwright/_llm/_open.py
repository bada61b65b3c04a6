"""The one factory of model clients: every stage that calls a model builds its client here.

An ``openai-api/…`` or ``openai/…`` endpoint gets an :class:`OpenAIChatClient` (the official
SDK); a ``scripted/<name>`` endpoint gets the :class:`ScriptedModel` installed under that name
(:meth:`ScriptedModel.installed`), configured with the command's profile, retry attempts and
flags, so a command runs against a script without a server and without knowing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from specwright._llm._door import ChatClient, OpenAIChatClient
from specwright._llm._endpoint import Endpoint
from specwright._llm._profiles import DEFAULT_PROFILE, ModelProfile
from specwright._llm._retry import RetryPolicy
from specwright._llm._scripted import SCRIPTED_PREFIX, installed_model

if TYPE_CHECKING:
    import openai

__all__ = ["open_client"]


def open_client(
    endpoint: Endpoint,
    *,
    profile: ModelProfile = DEFAULT_PROFILE,
    policy: RetryPolicy | None = None,
    max_connections: int | None = None,
    timeout: float | None = None,
    flags: Mapping[str, str] | None = None,
    sync_client: openai.OpenAI | None = None,
    option: str = "--model",
) -> ChatClient:
    """The client for ``endpoint`` (see the module); ``option`` names the command-line option
    that gave the model, for the error when no scripted model of its name is installed."""
    if endpoint.name.startswith(SCRIPTED_PREFIX) and endpoint.base_url is None:
        model = installed_model(endpoint.name, option)
        return model.configure(profile=profile, policy=policy, flags=flags)
    return OpenAIChatClient(endpoint, profile=profile, policy=policy, timeout=timeout,
                            max_connections=max_connections, flags=flags,
                            sync_client=sync_client)  # fmt: skip
