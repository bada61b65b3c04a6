"""``specwright studio``: the local web app where people review answers and drafts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

import click

from specwright._cli._common import (
    LogDirOption,
    ResultsDbOption,
    SpecOption,
    env_help,
    load_spec_option,
    log_dir_option,
    resolve_log_dir,
    results_db_option,
    spec_option_for,
)
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._settings import Settings

if TYPE_CHECKING:
    from specwright._studio._app import Studio

__all__ = ["StudioOptions", "studio"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class StudioOptions(SpecOption, LogDirOption, ResultsDbOption):
    """The options of ``specwright studio``, as click passes them."""

    scenario_files: tuple[Path, ...]
    """``--scenarios FILE``: scenario files whose drafts may be reviewed."""
    proposals: tuple[Path, ...]
    """``--proposal PATH``: proposed revisions of ``--spec``."""
    reviewer: str | None
    """``--reviewer NAME``; ``None``: the ``SPECWRIGHT_REVIEWER`` setting."""
    reviewer_header: str | None
    """``--reviewer-header NAME``; ``None``: the ``SPECWRIGHT_REVIEWER_HEADER`` setting."""
    host: str
    """``--host``: the address to listen on."""
    port: int
    """``--port`` (0: a free one)."""
    allow_hosts: tuple[str, ...]
    """``--allow-host HOST``: other Host headers to accept."""


@click.command("studio")
@spec_option_for("The spec, to show each sample's governing section.")
@log_dir_option("log_dir", "Eval logs to open (each read once into the results store).")
@results_db_option()
@click.option(
    "--scenarios",
    "scenario_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="A scenario file whose drafts may be reviewed (repeatable).",
)
@click.option(
    "--proposal",
    "proposals",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    metavar="PATH",
    help="A proposed revision of --spec (a layer propose wrote, or an edited copy; repeatable).",
)
@click.option(
    "--reviewer",
    metavar="NAME",
    help=env_help("Your name on verdicts and reviews.", "SPECWRIGHT_REVIEWER", default="login"),
)
@click.option(
    "--reviewer-header",
    metavar="NAME",
    help=env_help(
        "Take each reviewer's name from this header, set by a trusted reverse proxy.",
        "SPECWRIGHT_REVIEWER_HEADER",
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="HOST",
    help="Another Host header to accept (the name a reverse proxy forwards; repeatable).",
)
@click.pass_obj
def studio(settings: Settings, /, **options: Unpack[StudioOptions]) -> ExitCode:
    """Review answers, give verdicts and review scenario drafts in your browser.

    Runs come from the results store and from the logs under --log-dir; each log is
    read once into the store, so a run of any size pages quickly.

    \b
    Examples:
      specwright studio --spec spec/ --log-dir logs
      specwright studio --scenarios drafts.yaml --reviewer alice
    """
    from specwright._studio._app import create_app

    reviewer_header = _trusted_header(options, settings)
    state = _studio_state(options, settings, reviewer_header)
    hosts = [options["host"], *options["allow_hosts"]]  # loopback names are always served
    return _serve(create_app(state, allowed_hosts=hosts), options["host"], options["port"])


def _trusted_header(options: StudioOptions, settings: Settings) -> str | None:
    """The reviewer header to trust; refuses a malformed ``--allow-host`` and a non-loopback
    ``--host`` without one."""
    from specwright._studio._guard import host_name

    for name in options["allow_hosts"]:
        if host_name(name) is None:
            raise ConfigurationError(f"--allow-host {name!r}: not a host name (NAME or [IPV6])")
    reviewer_header = options["reviewer_header"] or settings.reviewer_header
    if options["host"] not in _LOOPBACK and not reviewer_header:
        raise ConfigurationError(
            "a non-loopback --host needs --reviewer-header (see docs/studio.md)"
        )
    return reviewer_header


def _studio_state(
    options: StudioOptions, settings: Settings, reviewer_header: str | None
) -> Studio:
    """The studio over the store, its logs opened into it, the spec and files to review."""
    from specwright._studio._app import Studio
    from specwright._studio._index import StudioIndex
    from specwright._studio._runs import index_logs, stored_runs_opener, unopened_runs

    spec_path = options["spec_path"] or settings.spec
    spec = load_spec_option(spec_path, settings) if spec_path else None
    if options["proposals"] and spec is None:
        raise ConfigurationError("--proposal needs --spec SPEC: the spec it revises")
    index = StudioIndex(options["results_db"] or settings.results_db)
    log_dir = resolve_log_dir(options["log_dir"], settings)
    opened, unreadable = index_logs(index, log_dir)
    for line in unreadable:
        click.echo(f"specwright: warning: skipped {line}", err=True)
    click.echo(f"{opened} log(s) opened from {log_dir}", err=True)
    return Studio(
        index=index,
        spec=spec,
        scenario_files=list(options["scenario_files"]),
        proposals=list(options["proposals"]),
        spec_path=Path(spec_path) if spec_path else None,
        reviewer=options["reviewer"] or settings.reviewer,
        reviewer_header=reviewer_header,
        open_run=stored_runs_opener(index),
        unopened=lambda: unopened_runs(index),
    )


def _serve(app: Any, host: str, port: int) -> ExitCode:
    import socket

    import uvicorn

    # Bound here, so that the URL printed names the real port (--port 0 picks a free one).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise ConfigurationError(f"--host/--port: cannot listen on {host}:{port}: {exc}") from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"specwright studio: http://{shown}:{sock.getsockname()[1]}/  (Ctrl-C to stop)")
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
    return ExitCode.OK
