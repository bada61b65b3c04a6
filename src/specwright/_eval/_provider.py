"""A Chat Completions provider that keeps system *and* developer messages apart on the wire.

Inspect's ``openai-api`` provider sends every system message with one role, so a conversation
with a platform (system) message and a developer message arrives as two ``system`` messages and
the chain of command is lost. ``openai-roles/<service>/<model>`` is the same provider (same
``<SERVICE>_BASE_URL`` and ``<SERVICE>_API_KEY`` variables) except that messages marked as
developer messages by :mod:`specwright._eval._messages` go out as ``developer``.
``specwright eval`` maps ``openai-api/...`` names onto it (:func:`resolve_model_name`).
"""

from __future__ import annotations

import re
import socket
from typing import Any
from urllib.parse import urlsplit

from inspect_ai.model import ChatMessage, GenerateConfig, Model, get_model, modelapi

# The one reach into Inspect's private modules: the class behind ``openai-api`` is not exported,
# and subclassing it (overriding its ``messages_to_openai``) is the only way to keep the
# developer role on the wire. Pinned by tests/eval/test_wire.py (both roles must arrive) and by
# the exact inspect-ai version in pyproject.toml.
from inspect_ai.model._providers.openai_compatible import OpenAICompatibleAPI

from specwright._errors import ConfigurationError
from specwright._eval._messages import original_role

__all__ = ["PROVIDER", "RolePreservingOpenAIAPI", "inspect_model", "resolve_model_name"]

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


def inspect_model(
    name: str,
    *,
    max_connections: int,
    max_retries: int = 3,
    timeout: int = 300,
    role: str | None = None,
) -> Model:
    """A fresh Inspect model with explicit limits; a bad name or setup is a configuration error.

    Inspect retries without limit by default, so a server that refuses connections would hang
    the command; every model specwright builds gets a bounded number of retries and a timeout
    of its own (eval-level settings would leak into the grader role, and calibration has none).
    """
    config = GenerateConfig(
        max_connections=max_connections,
        max_retries=max_retries,
        timeout=timeout,
        attempt_timeout=timeout,  # explicit: a slow local model may need the whole budget
    )
    shown = _as_typed(name)
    try:
        model = get_model(resolve_model_name(name), config=config, role=role, memoize=False)
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


def _check_reachable(name: str, base_url: str | None, timeout: float = 5.0) -> None:
    """Fail fast, in one line, when the model's server cannot even be connected to.

    Otherwise every sample would spend Inspect's retries on a refused connection and the run
    would end, half a minute later, in Inspect's traceback panel.
    """
    parts = urlsplit(base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return  # no server of its own (mockllm) or a provider that does not say
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise ConfigurationError(
            f"model {name!r}: cannot connect to {base_url} ({why}); is the server running?"
        ) from None


def _one_line(message: str) -> str:
    text = re.sub(r"\[/?[a-z ]+\]", "", message)  # rich markup such as [bold][blue]
    return " ".join(text.replace("ERROR:", "").split())


def _as_typed(name: str) -> str:
    """The name as the user typed it (``openai-api/...``), for messages."""
    api, _, rest = name.partition("/")
    return f"openai-api/{rest}" if api == PROVIDER and rest else name
