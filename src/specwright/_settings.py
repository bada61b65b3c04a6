"""Typed settings read from ``SPECWRIGHT_*`` environment variables.

Settings are read once, when the CLI (or an embedding program) calls :func:`load_settings`,
never at import time, and then passed down explicitly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from specwright._errors import ConfigurationError

__all__ = ["Settings", "load_settings"]


class Settings(BaseSettings):
    """Every knob specwright reads from the environment (prefix ``SPECWRIGHT_``)."""

    model_config = SettingsConfigDict(
        env_prefix="SPECWRIGHT_", frozen=True, extra="ignore", use_attribute_docstrings=True
    )

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
    color: bool = Field(default=True)
    """Whether human output may use colour (also off when stdout is not a terminal)."""
    cache_dir: Path | None = None
    """Where bases fetched from URLs (``extends: https://…``) are cached, under ``bases/``
    (default: the platform's user cache directory)."""
    reviewer: str | None = None
    """Who reviews in ``specwright studio`` (default: the login name)."""
    reviewer_header: str | None = None
    """A request header a trusted reverse proxy sets to the signed-in user's name
    (``specwright studio`` then takes every reviewer's identity from it)."""


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
