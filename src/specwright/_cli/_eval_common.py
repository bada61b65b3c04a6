"""Options and input checks that ``specwright eval`` and ``specwright calibrate`` share."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import click
from click.decorators import FC

from specwright._cli._common import resolve_log_dir  # re-exported: eval and calibrate share it
from specwright._errors import ConfigurationError

__all__ = [
    "grader_samples_option",
    "log_dir_option",
    "max_connections_option",
    "resolve_log_dir",
    "sections_option",
    "spec_option",
    "split_sections",
    "writable_log_dir",
]

spec_option = click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path),
    help="Spec file, directory or JSON export [default: SPECWRIGHT_SPEC].",
)

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


def max_connections_option(default: int, help: str) -> Callable[[FC], FC]:
    """``--max-connections`` with a command's own default and wording."""
    return click.option(
        "--max-connections",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help=help,
    )


log_dir_option = click.option(
    "--log-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="INSPECT_LOG_DIR",
    help="Where Inspect logs go [env INSPECT_LOG_DIR; else SPECWRIGHT_LOG_DIR; else ./logs].",
)


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
