"""``specwright serve``: the OpenAI-compatible gateway that enforces a spec on live traffic."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Unpack

import click
from pydantic import ValidationError

from specwright._cli._common import (
    ProfileOption,
    SpecOption,
    env_help,
    load_spec_option,
    profile_option,
    results_db_option,
    spec_option_for,
)
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._settings import Settings
from specwright._validation import first_error

if TYPE_CHECKING:
    from specwright._serve._config import GatewayConfig

__all__ = ["ServeOptions", "serve"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class ServeOptions(SpecOption, ProfileOption):
    """The options of ``specwright serve`` (but ``--hash-key``), as click passes them."""

    upstream: str | None
    """``--upstream URL`` (required unless ``--hash-key``)."""
    host: str
    """``--host``: the address to listen on."""
    port: int
    """``--port``."""
    workers: int
    """``--workers`` processes."""
    mode: Literal["enforce", "observe"]
    """``--mode``."""
    keys_path: Path | None
    """``--keys FILE``: client keys."""
    no_auth: bool
    """``--no-auth`` (loopback hosts only)."""
    db_url: str | None
    """``--results-db URL``: where decision records go."""
    store_text: bool
    """``--store-text``: keep message text in decision records."""
    max_body_bytes: int
    """``--max-body-bytes``."""
    max_messages: int
    """``--max-messages``."""
    max_parts: int
    """``--max-parts``."""
    cpu_workers: int
    """``--cpu-workers`` per worker."""
    header_timeout: float
    """``--header-timeout`` seconds."""
    body_timeout: float
    """``--body-timeout`` seconds."""
    timeout: float
    """``--timeout``: the upstream's, in seconds."""
    retries: int
    """``--retries`` upstream."""
    retry_timeouts: bool
    """``--retry-timeouts``."""
    budget: int
    """``--budget``: tokens for sections."""
    upstream_key_env: str
    """``--upstream-key-env``: the variable holding the upstream's key."""


def _hash_key_entry(name: str) -> ExitCode:
    """Read a client key on stdin; print the keys-file entry that stores its hash."""
    from specwright._serve._config import hash_key

    key = sys.stdin.readline().strip()
    if not key:
        raise ConfigurationError("--hash-key reads a key on stdin; got nothing")
    click.echo(json.dumps({"name": name, "sha256": hash_key(key)}))
    return ExitCode.OK


@click.command("serve")
@spec_option_for("Spec to enforce.")
@click.option("--upstream", metavar="URL", help="Upstream base URL, e.g. http://host:8000/v1.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each with its own upstream pool and writer).",
)
@click.option(
    "--mode",
    type=click.Choice(["enforce", "observe"]),
    default="enforce",
    show_default=True,
    help="enforce: send the compiled messages; observe: forward unchanged, only record.",
)
@click.option(
    "--keys",
    "keys_path",
    type=click.Path(path_type=Path),
    help='Client keys file: {"keys": [{"name", "sha256", "mode"?}]}.',
)
@click.option("--no-auth", is_flag=True, help="Serve without client keys (loopback hosts only).")
@results_db_option("db_url")
@click.option(
    "--store-text",
    is_flag=True,
    envvar="SPECWRIGHT_GATEWAY_STORE_TEXT",
    help=env_help(
        "Keep message text in decision records (otherwise only its hashes).",
        "SPECWRIGHT_GATEWAY_STORE_TEXT",
    ),
)
@click.option(
    "--max-body-bytes",
    default=4 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body (413 beyond).",
)
@click.option(
    "--max-messages",
    default=4096,
    show_default=True,
    type=click.IntRange(1),
    help="Most messages in a request (422 beyond).",
)
@click.option(
    "--max-parts",
    default=16384,
    show_default=True,
    type=click.IntRange(1),
    help="Most content parts over all messages of a request (422 beyond).",
)
@click.option(
    "--cpu-workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes (per worker) that resolve large requests off the event loop.",
)
@click.option("--header-timeout", default=10.0, show_default=True, help="Seconds to send headers.")
@click.option(
    "--body-timeout", default=30.0, show_default=True, help="Seconds to send a body (408)."
)
@click.option("--timeout", default=60.0, show_default=True, help="Upstream timeout (seconds).")
@click.option(
    "--retries",
    default=2,
    show_default=True,
    type=click.IntRange(0, 10),
    help="Upstream retries, only before the first byte is sent.",
)
@profile_option()
@click.option(
    "--retry-timeouts",
    is_flag=True,
    help="Also retry an upstream call that timed out (it may cost twice).",
)
@click.option("--budget", default=2000, show_default=True, help="Token budget for sections.")
@click.option(
    "--upstream-key-env",
    default="SPECWRIGHT_UPSTREAM_API_KEY",
    show_default=True,
    help="Environment variable holding the upstream's API key.",
)
@click.option(
    "--hash-key",
    "hash_key_name",
    metavar="NAME",
    help="Print a keys entry for a key read on stdin.",
)
@click.pass_obj
def serve(
    settings: Settings, /, hash_key_name: str | None, **options: Unpack[ServeOptions]
) -> ExitCode:
    """Serve POST /v1/chat/completions in front of UPSTREAM, enforcing SPEC.

    Every request gets one decision record in the results store, and the headers
    x-specwright-decision-id and x-specwright-overhead-ms. Stop with Ctrl-C or SIGTERM:
    in-flight requests finish and every record is written.

    \b
    Examples:
      echo "$CLIENT_KEY" | specwright serve --hash-key my-app > entry.json
      specwright serve --spec spec/ --upstream http://10.0.0.5:8000/v1 \\
          --keys keys.json --workers 4
      specwright serve --spec spec/ --upstream http://127.0.0.1:8000/v1 \\
          --no-auth --mode observe
    """
    if hash_key_name is not None:
        return _hash_key_entry(hash_key_name)
    config = _config(settings, options)
    return _run(config.to_env(), options["host"], options["port"], options["workers"])


def _config(settings: Settings, options: ServeOptions) -> GatewayConfig:
    from specwright._serve._config import GatewayConfig, read_keys
    from specwright._serve._decision_store import DecisionStore

    spec_path = options["spec_path"] or settings.spec
    load_spec_option(spec_path, settings)  # a bad spec stops here, with its file:line
    assert spec_path is not None
    upstream, keys_path = options["upstream"], options["keys_path"]
    if not upstream:
        raise ConfigurationError("serve needs --upstream URL (e.g. http://127.0.0.1:8000/v1)")
    if options["no_auth"] and options["host"] not in _LOOPBACK:
        raise ConfigurationError("--no-auth is allowed only on a loopback --host")
    if not options["no_auth"] and keys_path is None:
        raise ConfigurationError("serve needs --keys FILE (or --no-auth on a loopback host)")
    url = options["db_url"] or settings.results_db
    DecisionStore(url).close()  # migrate once here, before any worker opens the store
    try:
        return GatewayConfig(
            spec_path=str(spec_path.resolve()),
            upstream=upstream,
            mode=options["mode"],
            keys=read_keys(keys_path) if keys_path is not None else (),
            no_auth=options["no_auth"],
            store_url=url,
            store_text=options["store_text"],
            upstream_key_env=options["upstream_key_env"],
            max_body_bytes=options["max_body_bytes"],
            max_messages=options["max_messages"],
            max_parts=options["max_parts"],
            cpu_workers=options["cpu_workers"],
            header_timeout=options["header_timeout"],
            body_timeout=options["body_timeout"],
            timeout=options["timeout"],
            retries=options["retries"],
            retry_timeouts=options["retry_timeouts"],
            profile=options["profile"] or settings.model_profile,
            budget=options["budget"],
        )
    except ValidationError as exc:
        raise ConfigurationError(f"serve: {first_error(exc)}") from None


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(ExitCode.OK)


def _run(config_json: str, host: str, port: int, workers: int) -> ExitCode:
    import uvicorn

    from specwright._serve._config import CONFIG_ENV
    from specwright._serve._http import uvicorn_options

    os.environ[CONFIG_ENV] = config_json  # worker processes read it from here
    # uvicorn re-raises the stop signal once it has shut down gracefully; by then every
    # request is answered and every record written, so that counts as a clean exit.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stopped)
    uvicorn.run(
        "specwright._serve._app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=30,
        **uvicorn_options(),
    )
    return ExitCode.OK
