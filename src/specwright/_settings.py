"""Typed settings read from ``SPECWRIGHT_*`` environment variables: the one reader of the
environment (``tests/test_settings_only.py`` checks that no other module reads it).

Settings are read once, when the CLI (or an embedding program) calls :func:`load_settings`,
never at import time, and then passed down explicitly. Two kinds of variable are named only at
run time and read when needed: a model provider's URL and key
(:meth:`Settings.provider_variable`) and the secret a gateway option names
(:func:`environment_secret`). And one writer, for a library that reads only the process
environment (:func:`tune_library_default`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel

__all__ = ["Settings", "environment_secret", "load_settings", "tune_library_default"]


class Settings(FrozenModel):
    """Every knob specwright reads from the environment (prefix ``SPECWRIGHT_``).

    ``Settings()`` reads the environment; keyword arguments win over it. Names match without
    regard to case (``SPECWRIGHT_SPEC`` or ``specwright_spec``) and each value is validated as
    the field's type from its string, as pydantic-settings would. pydantic-settings itself is
    not used: importing it cost every command more than reading, parsing and linting the
    example spec together (it loads asyncio, dotenv and its CLI and cloud sources).
    """

    model_config = ConfigDict(extra="ignore")

    spec: Path | None = None
    """Default spec (file or directory) when a command's ``--spec`` is omitted."""
    model: str | None = None
    """Default model under test, e.g. ``openai-api/local/my-model``."""
    grader: str | None = None
    """Default grader model for judges and calibration."""
    results_db: str = "sqlite:///specwright-results.sqlite"
    """SQLAlchemy URL of the results store (SQLite by default; PostgreSQL URLs work too)."""
    log_dir: Path | None = None
    """Where eval logs go when ``INSPECT_LOG_DIR`` is not set (default ``./logs``)."""
    min_kappa: float = Field(default=0.4, ge=-1.0, le=1.0)
    """Cohen's kappa below which a run's judge is flagged as weak (eval, report, history)."""
    model_profile: str | None = None
    """Default ``--profile``: what the model servers accept (openai, llama-cpp, vllm, ollama,
    generic); unset, the openai profile, narrowed by what refusals teach during a run."""
    color: bool = Field(default=True)
    """Whether human output may use colour (also off when stdout is not a terminal)."""
    gateway_config: str | None = None
    """The gateway's configuration as JSON: ``specwright serve`` sets it for its workers."""
    max_messages: int = Field(default=50_000, gt=0)
    """Most messages one conversation may hold (``check``, ``compile``, the gateway)."""
    max_parts: int = Field(default=100_000, gt=0)
    """Most content parts and tool calls one conversation may hold, over all its messages."""
    max_text_chars: int = Field(default=2**25, gt=0)
    """Most characters of text one conversation may hold, over all its messages (32 MiB)."""

    cache_dir: Path | None = None
    """Where bases fetched from URLs (``extends: https://…``) are cached, under ``bases/``
    (default: the platform's user cache directory)."""
    reviewer: str | None = None
    """Who reviews in ``specwright studio`` (default: the login name)."""
    reviewer_header: str | None = None
    """A request header a trusted reverse proxy sets to the signed-in user's name
    (``specwright studio`` then takes every reviewer's identity from it)."""

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_environment(), **values})

    @staticmethod
    def provider_variable(name: str) -> str | None:
        """A model provider's variable, read now: Inspect's convention names a server's URL and
        key ``<NAME>_BASE_URL`` and ``<NAME>_API_KEY`` after the ``openai-api/<name>/…`` model
        name (and ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``), so the names are only known once
        a model is named. ``None`` when unset or empty. Keys are read when needed, never
        stored in a settings object that could be printed or serialised."""
        if not name.endswith(_PROVIDER_SUFFIXES):
            raise ConfigurationError(f"{name}: not a model provider's variable "
                                     f"(<NAME>_BASE_URL or <NAME>_API_KEY)")  # fmt: skip
        return os.environ.get(name) or None


def _environment() -> dict[str, str]:
    """The ``SPECWRIGHT_*`` variables that name a setting, by field name."""
    found: dict[str, str] = {}
    for key, value in os.environ.items():
        name = key.lower().removeprefix(_PREFIX)
        if len(name) < len(key) and name in Settings.model_fields:
            found[name] = value
    return found


_PREFIX = "specwright_"
_PROVIDER_SUFFIXES = ("_BASE_URL", "_API_KEY")


def load_settings() -> Settings:
    """Read the environment now and return the settings.

    A malformed value raises :class:`ConfigurationError` naming the variable.
    """
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "SPECWRIGHT_" + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigurationError(f"{name}: {first['msg']}") from None


def environment_secret(name: str) -> str | None:
    """The secret in the environment variable ``name``, itself named by a setting (the
    gateway's ``--upstream-key-env``); ``None`` when unset or empty. Read when needed, never
    stored in a settings object that could be printed or serialised."""
    return os.environ.get(name) or None


def tune_library_default(name: str, value: str) -> str:
    """Set the environment variable ``name`` to ``value`` for a library that reads only the
    process environment, unless the user set it; return the value in force.

    Called at the one place that loads such a library, before it loads: llama.cpp's OpenMP
    threads read ``OMP_WAIT_POLICY`` when its shared library is loaded (and never again), and
    there is no other way to tell them. A process-wide change, so made only where the model is
    loaded (``specwright._eval._gguf``), never at import time.
    """
    return os.environ.setdefault(name, value)
