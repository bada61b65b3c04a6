"""Options and input checks that ``specwright eval`` and ``specwright calibrate`` share."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import click
from click.decorators import FC

from specwright._cli import _common as common
from specwright._cli._common import (
    JsonOption,
    LogDirOption,
    ResultsDbOption,
    SpecOption,
    resolve_log_dir,  # re-exported: eval and calibrate share it
)
from specwright._errors import ConfigurationError

__all__ = [
    "JudgeOptions",
    "check_graders",
    "grader_option",
    "grader_samples_option",
    "log_dir_option",
    "max_connections_option",
    "resolve_log_dir",
    "role_provider_note",
    "sections_option",
    "spec_option",
    "split_sections",
    "writable_log_dir",
]

spec_option = common.spec_option  # one --spec for every command


class JudgeOptions(SpecOption, LogDirOption, ResultsDbOption, JsonOption):
    """What ``eval`` and ``calibrate`` both take: the spec, whose sections, which judges, how
    hard to push them, where logs and results go."""

    graders: tuple[str, ...]
    """``--grader``, repeatable (checked by :func:`check_graders`)."""
    sections: tuple[str, ...]
    """``--sections``, as given (split by :func:`split_sections`)."""
    grader_samples: int
    """``--grader-samples``: grades per answer (the median counts)."""
    max_connections: int
    """``--max-connections``: requests in flight per model."""


sections_option = click.option(
    "--sections", multiple=True, help="Only these section ids (repeatable, or a,b)."
)

grader_samples_option = click.option(
    "--grader-samples",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Grader samples per answer (median verdict).",
)


def grader_option(help: str) -> Callable[[FC], FC]:
    """``--grader MODEL``, repeatable: several judges grade every answer."""
    return click.option("--grader", "graders", metavar="MODEL", multiple=True, help=help)


def check_graders(values: Sequence[str]) -> tuple[str, ...]:
    """The ``--grader`` values, each a ``PROVIDER/MODEL`` name, none given twice.

    Names are compared as they will run (``openai-api/x`` runs as ``openai-roles/x``), so the
    same judge under its two spellings is refused too. A bad value is a usage error.
    """
    from specwright._eval._provider import resolve_model_name

    seen: dict[str, str] = {}
    for value in values:
        if not value or "/" not in value.strip("/") or any(c.isspace() or c == "," for c in value):
            raise ConfigurationError(
                f"--grader {value!r}: not a model name "
                "(PROVIDER/MODEL, e.g. openai-api/local/judge)"
            )
        key = resolve_model_name(value)
        if key in seen:
            raise ConfigurationError(
                f"--grader {value}: given twice (as {seen[key]}); each judge must be a "
                "different model"
            )
        seen[key] = value
    return tuple(values)


def max_connections_option(default: int, help: str) -> Callable[[FC], FC]:
    """``--max-connections`` with a command's own default and wording."""
    return click.option(
        "--max-connections",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help=help,
    )


log_dir_option = common.log_dir_option("log_dir", "Where Inspect logs go.")


def role_provider_note(*names: str) -> str | None:
    """The one line explaining why ``openai-api/...`` shows as ``openai-roles/...``."""
    services = sorted(
        {rest for api, _, rest in (n.partition("/") for n in names) if rest and api in _ROLES_APIS}
    )
    if not services:
        return None
    mapped = ", ".join(f"openai-api/{rest} runs as openai-roles/{rest}" for rest in services)
    return (
        f"note: {mapped}: the same OpenAI-compatible provider and variables, but developer "
        "messages keep the developer role on the wire (openai-api sends them as system)"
    )


_ROLES_APIS = ("openai-api", "openai-roles")


def split_sections(values: Iterable[str]) -> tuple[str, ...]:
    """``--sections a,b --sections c`` as ``("a", "b", "c")``."""
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def writable_log_dir(directory: Path) -> Path:
    """Create ``directory`` if needed and make sure files can be written there.

    Checked before any model is called: Inspect would otherwise fail with a traceback, and
    calibration would fail only after paying for every grade.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigurationError(f"--log-dir {directory}: cannot write there ({why})") from None
    return directory
