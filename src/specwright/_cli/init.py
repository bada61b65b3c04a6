"""``specwright init``: scaffold a company overlay on a base spec."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import writing
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError

__all__ = ["MODEL_SPEC_COMMIT", "MODEL_SPEC_SHA256", "MODEL_SPEC_URL", "init"]

MODEL_SPEC_COMMIT = "8d2405d4e9a5143c5355f50482394ebd12fe898c"
"""The 2025-12-18 (rev 2) release commit of github.com/openai/model_spec."""
MODEL_SPEC_URL = (
    f"https://raw.githubusercontent.com/openai/model_spec/{MODEL_SPEC_COMMIT}/model_spec.md"
)
"""The OpenAI Model Spec 2025-12-18 (rev 2) at its release commit in openai/model_spec."""
MODEL_SPEC_SHA256 = "e7a70bc6ab363213d88f6c20a7b78c6949d3f5feba22ec054c97f333a71a8aeb"
"""The SHA-256 of that file (the same bytes as the reference copy the tests read)."""


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--base",
    required=True,
    metavar="SPEC",
    help="The base spec: a path (directory, model_spec.md, JSON export) or an https URL.",
)
@click.option("--sha256", metavar="HEX", help="The pinned SHA-256 of a URL base.")
@click.option("--name", default="Acme", show_default=True, help="The company's name.")
@click.option("--force", is_flag=True, help="Overwrite an existing model_spec.md in DIR.")
def init(directory: Path, base: str, sha256: str | None, name: str, force: bool) -> ExitCode:
    """Write a company overlay into DIR: developer, user and guideline sections with GOOD/BAD
    examples and one eval prompt file, extending BASE. `specwright lint DIR` finds nothing in
    it (the base's own findings are only counted); edit it from there.

    BASE is a spec on disk (a directory holding model_spec.md, the file, a JSON export) or an
    https URL pinned by --sha256.

    \b
    Examples:
      specwright init acme-spec --base path/to/base-spec --name Acme
      specwright init acme-spec --base https://example.com/spec.md --sha256 HEX

    \b
    The published OpenAI Model Spec 2025-12-18, pinned:
      BASE=https://raw.githubusercontent.com/openai/model_spec/
      BASE=${{BASE}}{commit}/model_spec.md
      specwright init acme-spec --base $BASE --sha256 \\
        {sha}
    or a clone of https://github.com/openai/model_spec: --base model_spec
    """
    from specwright._layers._read import read_base, read_spec
    from specwright._layers._scaffold import relative_base, scaffold_overlay
    from specwright._reader._layer_header import LayerHeader

    target = directory / "model_spec.md"
    if target.exists() and not force:
        raise ConfigurationError(f"{target} exists: pass --force to overwrite it")
    if "://" not in base:
        _check_base_exists(base)
    extends = relative_base(base, directory)
    if "://" in extends and not sha256:
        raise ConfigurationError("a URL base needs --sha256 (the hash of the file you reviewed)")
    header = LayerHeader(file=str(target), extends=extends, sha256=sha256)
    base_spec, _ = read_base(header)
    scaffold = scaffold_overlay(name, base_spec, extends, sha256)
    with writing(directory):
        for relative, text in scaffold.files.items():
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    read_spec(directory)  # the scaffold composes on its base, or the user hears why now
    files = ", ".join(str(directory / name) for name in scaffold.files)
    click.echo(f"wrote {files}", err=True)
    click.echo(f"next: specwright lint {directory} && specwright show {directory}", err=True)
    return ExitCode.OK


def _check_base_exists(base: str) -> None:
    # Said in the user's terms (the --base they typed), before any file is written: the
    # layer's `extends:` would otherwise be blamed for a path the user never wrote there.
    try:
        found = Path(base).exists()
    except (OSError, ValueError):
        found = False
    if not found:
        raise ConfigurationError(
            f"--base {base}: no such file or directory (a spec directory, model_spec.md or "
            f"JSON export; or the published Model Spec pinned: --base {MODEL_SPEC_URL} "
            f"--sha256 {MODEL_SPEC_SHA256})"
        )


init.help = (init.help or "").format(commit=MODEL_SPEC_COMMIT, sha=MODEL_SPEC_SHA256)
