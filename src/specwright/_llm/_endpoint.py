"""One endpoint convention for every model specwright calls outside Inspect's own providers.

``openai-api/<name>/<model>`` reads ``<NAME>_BASE_URL`` and ``<NAME>_API_KEY`` (the variables
Inspect's ``openai-api`` provider reads, so one model name works for ``eval``, ``generate``,
``propose`` and the chain's interpreter); ``openai/<model>`` reads ``OPENAI_API_KEY`` and, when
set, ``OPENAI_BASE_URL``. The variables are read through
:meth:`specwright._settings.Settings.provider_variable`, the one reader of the environment.
``scripted/<name>`` is a :class:`specwright._llm.ScriptedModel` installed in this process
(no server: :func:`specwright._llm.open_client` hands out the model itself).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._settings import Settings

__all__ = ["Endpoint", "check_reachable", "resolve_endpoint"]


class Endpoint(FrozenModel):
    """Where a model is served."""

    name: str
    """The name as given (``openai-api/local/gen``)."""
    model: str
    """The model name sent to the server."""
    base_url: str | None
    """The server's base URL (``None``: the SDK's default)."""
    api_key: str | None
    """The API key (``None``: the SDK reads ``OPENAI_API_KEY``)."""


def resolve_endpoint(
    name: str, env: Mapping[str, str] | None = None, *, option: str = "--model"
) -> Endpoint:
    """The endpoint of ``openai-api/<service>/<model>``, ``openai/<model>`` or
    ``scripted/<name>``.

    ``env`` replaces the environment (tests, embedding programs); ``option`` is the
    command-line option that named the model, for the error messages.
    """
    lookup = _lookup(env)
    api, _, rest = name.partition("/")
    if api == "scripted" and rest:  # reached through open_client, if one is installed
        return Endpoint(name=name, model=rest.rsplit("/", 1)[-1], base_url=None, api_key=None)
    if api == "openai-api":
        service, _, model = rest.partition("/")
        if not service or not model:
            raise ConfigurationError(f"{option} {name!r}: use openai-api/<name>/<model>")
        prefix = service.upper().replace("-", "_")
        return Endpoint(
            name=name,
            model=model,
            base_url=_required(lookup, f"{prefix}_BASE_URL", f"{option} {name!r}"),
            api_key=_required(lookup, f"{prefix}_API_KEY", f"{option} {name!r}"),
        )
    if api == "openai" and rest:
        key = _required(lookup, "OPENAI_API_KEY", f"{option} {name!r}")
        return Endpoint(name=name, model=rest, base_url=lookup("OPENAI_BASE_URL"), api_key=key)
    raise ConfigurationError(
        f"{option} {name!r}: use openai-api/<name>/<model> (with <NAME>_BASE_URL and "
        "<NAME>_API_KEY) or openai/<model>"
    )


def _lookup(env: Mapping[str, str] | None) -> Callable[[str], str | None]:
    return env.get if env is not None else Settings.provider_variable


def _required(lookup: Callable[[str], str | None], variable: str, what: str) -> str:
    value = lookup(variable)
    if not value:
        raise ConfigurationError(f"{what}: set {variable}")
    return value


def connect_error(base_url: str | None, timeout: float) -> str | None:
    """Why the server of ``base_url`` refuses a connection, or None when it accepts one."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None  # no server of its own, or a provider that does not say
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__
    return None


def check_reachable(endpoint: Endpoint, timeout: float = 5.0, option: str = "--model") -> None:
    """Fail fast, in one line, when the model's server cannot even be connected to."""
    why = connect_error(endpoint.base_url, timeout)
    if why is not None:
        raise ConfigurationError(
            f"{option} {endpoint.name!r}: cannot connect to {endpoint.base_url} ({why})"
        )
