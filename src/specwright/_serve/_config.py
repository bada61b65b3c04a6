"""The gateway's configuration and its client keys (hashed at rest).

The configuration travels to every uvicorn worker process as JSON in an environment
variable; it never holds a key in clear: client keys are SHA-256 hashes, and the upstream
key is read by each worker from the environment variable named here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import Field, ValidationError

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._serve._records import GatewayMode
from specwright._settings import Settings, environment_secret
from specwright._validation import first_error

__all__ = [
    "CONFIG_ENV",
    "ClientKey",
    "GatewayConfig",
    "hash_key",
    "read_keys",
]

CONFIG_ENV = "SPECWRIGHT_GATEWAY_CONFIG"
"""The environment variable that carries the configuration to worker processes."""


class ClientKey(FrozenModel):
    """A client allowed through the gateway."""

    name: str = Field(min_length=1)
    """A name for records and logs (the key itself never appears in either)."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The SHA-256 of the key (``specwright serve --hash-key`` prints it)."""
    mode: GatewayMode | None = None
    """This client's mode; ``None`` uses the gateway's ``--mode``."""


class _KeysFile(FrozenModel):
    keys: tuple[ClientKey, ...]


class GatewayConfig(FrozenModel):
    """Everything a worker needs to serve."""

    spec_path: str
    """The spec file or directory."""
    upstream: str
    """The upstream base URL, e.g. ``http://127.0.0.1:8000/v1``."""
    mode: GatewayMode = "enforce"
    """The default mode."""
    keys: tuple[ClientKey, ...] = ()
    """Allowed clients; empty only with ``no_auth``."""
    no_auth: bool = False
    """Serve without client keys (loopback only)."""
    store_url: str = "sqlite:///specwright-results.sqlite"
    """The results store for decision records."""
    store_text: bool = False
    """Store message text in records (otherwise hashes only)."""
    upstream_key_env: str = "SPECWRIGHT_UPSTREAM_API_KEY"
    """The environment variable holding the upstream key (may be unset)."""
    max_body_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    """Largest request body accepted (413 beyond it)."""
    max_messages: int = Field(default=4096, gt=0)
    """Most messages in one request (422 beyond it, naming ``messages``)."""
    max_parts: int = Field(default=16384, gt=0)
    """Most content parts over all messages of one request (422 beyond it)."""
    inline_max_bytes: int = Field(default=4096, ge=0)
    """Bodies up to this size (with at most ``inline_max_items`` messages and parts) are
    resolved on the event loop; larger ones in the CPU pool, so they hold no one up."""
    inline_max_items: int = Field(default=32, ge=0)
    """Most messages plus content parts resolved on the event loop."""
    cpu_workers: int = Field(default=1, ge=1, le=64)
    """Worker processes (per gateway worker) that resolve large requests."""
    cpu_queue: int = Field(default=32, ge=1)
    """Large requests waiting or running in the CPU pool before the next one gets a 503."""
    header_timeout: float = Field(default=10.0, gt=0)
    """Seconds a connection may take to send a request's headers (then it is closed)."""
    body_timeout: float = Field(default=30.0, gt=0)
    """Seconds a request may take to send its body after its headers (then a 408)."""
    timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait on the upstream for the first byte, and between bytes."""
    retries: int = Field(default=2, ge=0, le=10)
    """Extra attempts for an upstream call that failed without an answer to pass on (connection
    refused or reset, a 5xx, a broken answer), only before the first byte is sent; a timeout
    only with ``retry_timeouts``."""
    retry_timeouts: bool = False
    """Also retry an upstream call that timed out (off by default: the model may still be
    generating the first answer, at full cost)."""
    profile: str | None = None
    """The upstream's model profile (:data:`specwright._llm.PROFILES`): what its server
    accepts; unset, the ``openai`` profile, narrowed by the upstream's first refusal."""
    budget: int = Field(default=2000, ge=0)
    """Token budget for non-root sections in the preamble (enforce mode)."""

    def to_env(self) -> str:
        """The JSON form for :data:`CONFIG_ENV`."""
        return self.model_dump_json()

    @classmethod
    def from_settings(cls, settings: Settings) -> GatewayConfig:
        """The configuration the parent process put in :data:`CONFIG_ENV`."""
        raw = settings.gateway_config
        if raw is None:
            raise ConfigurationError(f"{CONFIG_ENV} is not set (start with `specwright serve`)")
        return cls.model_validate_json(raw)

    def upstream_key(self) -> str | None:
        """The upstream's key, from the environment variable :attr:`upstream_key_env`."""
        return environment_secret(self.upstream_key_env)


def hash_key(key: str) -> str:
    """The SHA-256 (hex) under which a client key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_keys(path: Path) -> tuple[ClientKey, ...]:
    """Read a keys file: ``{"keys": [{"name": …, "sha256": …, "mode": …}]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    try:
        keys = _KeysFile.model_validate(data).keys
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: {first_error(exc)}") from None
    if len({k.sha256 for k in keys}) != len(keys):
        raise ConfigurationError(f"{path}: the same key hash appears twice")
    return keys
