"""The exit codes of the ``specwright`` command line, decided here and nowhere else.

Every command returns an :class:`ExitCode`, built from its outcome by :func:`findings_if` or
:func:`worst`; :func:`specwright._cli.main` turns what a command returned with
:func:`command_exit` and an expected exception with :func:`error_exit`. A test reads the
command modules and refuses a code made anywhere else (``tests/cli/test_conventions.py``).
"""

from __future__ import annotations

from enum import IntEnum

import click

__all__ = ["ExitCode", "command_exit", "error_exit", "findings_if", "stage_exit", "worst"]


class ExitCode(IntEnum):
    """What a ``specwright`` process tells its caller (a shell, CI, a script)."""

    OK = 0
    """Done, and nothing was found wrong."""
    FINDINGS = 1
    """Findings or failures: lint problems, a partial run, a gate not met (``--fail-under``,
    ``--min-kappa``, ``--fail-on``), requests that failed."""
    USAGE = 2
    """Bad usage or unreadable input: one ``specwright: error:`` line on stderr names it."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (128 + SIGINT); an eval keeps its finished samples."""
    TERMINATED = 143
    """Stopped by SIGTERM (128 + SIGTERM); an eval keeps its finished samples."""


def findings_if(found: bool) -> ExitCode:
    """:attr:`ExitCode.FINDINGS` when something was found wrong (or failed), else OK."""
    return ExitCode.FINDINGS if found else ExitCode.OK


def worst(*codes: ExitCode) -> ExitCode:
    """The most severe of several checks' codes (OK for none): a command that gates on
    several things exits with the worst of them."""
    return max(codes, default=ExitCode.OK)


def stage_exit(code: int) -> ExitCode:
    """A code a stage below the command line carries on an exception, as ours.

    An eval's workers stop with 130 (Ctrl-C), 143 (SIGTERM) or 1 (a worker died) and say so
    on :class:`specwright._eval._run.EvalInterrupted`, which the CLI cannot import at start-up.
    A code outside :class:`ExitCode` is a bug, and raises ``ValueError``.
    """
    return ExitCode(code)


def command_exit(returned: int | None) -> ExitCode:
    """The code of what a command's callback returned: its :class:`ExitCode`; OK for a group
    that only shows its help (``None``). Anything else is a bug, and raises ``ValueError``."""
    return ExitCode.OK if returned is None else ExitCode(returned)


def error_exit(exc: BaseException) -> ExitCode:
    """The code of an expected failure (the caller prints its one line).

    click gives usage errors 2 and its other exceptions 1: both are input errors here, as is
    every :class:`specwright._errors.SpecwrightError` that reaches the top; click turns
    Ctrl-C into ``Abort``.
    """
    if isinstance(exc, click.exceptions.Exit):  # --help, --version: click's own exit
        return ExitCode(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt | click.Abort):
        return ExitCode.INTERRUPTED
    if isinstance(exc, click.ClickException) and exc.exit_code not in (1, 2):
        return ExitCode(exc.exit_code)
    return ExitCode.USAGE
