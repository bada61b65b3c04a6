"""A Chat Completions provider that keeps system *and* developer messages apart on the wire.

Inspect's ``openai-api`` provider sends every system message with one role, so a conversation
with a platform (system) message and a developer message arrives as two ``system`` messages and
the chain of command is lost. ``openai-roles/<service>/<model>`` is the same provider (same
``<SERVICE>_BASE_URL`` and ``<SERVICE>_API_KEY`` variables) except that messages marked as
developer messages by :mod:`specwright._eval._messages` go out as ``developer``.
``specwright eval`` maps ``openai-api/...`` names onto it (:func:`resolve_model_name`).
"""

from __future__ import annotations

from typing import Any

from inspect_ai.model import ChatMessage, GenerateConfig, modelapi
from inspect_ai.model._providers.openai_compatible import OpenAICompatibleAPI

from specwright._eval._messages import original_role

__all__ = ["PROVIDER", "RolePreservingOpenAIAPI", "resolve_model_name"]

PROVIDER = "openai-roles"
"""The Inspect provider name this module registers."""


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
        super().__init__(
            model_name=model_name, base_url=base_url, api_key=api_key, config=config, **model_args
        )

    async def messages_to_openai(self, input: list[ChatMessage]) -> list[Any]:
        """Convert as ``openai-api`` does, then restore the developer role where marked."""
        converted: list[Any] = await super().messages_to_openai(input)
        for source, param in zip(input, converted, strict=True):
            if param.get("role") == "system" and original_role(source) == "developer":
                param["role"] = "developer"
        return converted


def resolve_model_name(name: str) -> str:
    """Map ``openai-api/<service>/<model>`` onto the role-preserving provider; keep others."""
    api, _, rest = name.partition("/")
    return f"{PROVIDER}/{rest}" if api == "openai-api" and rest else name
