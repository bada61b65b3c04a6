"""The gateway's configuration and its client keys (hashed at rest).

The configuration travels to every uvicorn worker process as JSON in an environment
variable; it never holds a key in clear: client keys are SHA-256 hashes, and the upstream
key is read by each worker from the environment variable named here.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import Field, ValidationError

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._serve._records import GatewayMode
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
    timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait on the upstream for the first byte, and between bytes."""
    retries: int = Field(default=2, ge=0, le=10)
    """Extra attempts for a failed upstream call, only before the first byte is sent."""
    budget: int = Field(default=2000, ge=0)
    """Token budget for non-root sections in the preamble (enforce mode)."""

    def to_env(self) -> str:
        """The JSON form for :data:`CONFIG_ENV`."""
        return self.model_dump_json()

    @classmethod
    def from_env(cls) -> GatewayConfig:
        """The configuration the parent process put in :data:`CONFIG_ENV`."""
        raw = os.environ.get(CONFIG_ENV)
        if raw is None:
            raise ConfigurationError(f"{CONFIG_ENV} is not set (start with `specwright serve`)")
        return cls.model_validate_json(raw)


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
