"""``specwright init``: scaffold a company overlay on a base spec."""

from __future__ import annotations

from pathlib import Path

import click

from specwright._cli._common import writing
from specwright._errors import ConfigurationError

__all__ = ["init"]


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
def init(directory: Path, base: str, sha256: str | None, name: str, force: bool) -> int:
    """Write a company overlay into DIR: developer, user and guideline sections with GOOD/BAD
    examples and one eval prompt file, extending BASE. It lints clean; edit it from there.

    \b
    Examples:
      specwright init acme-spec --base openai-model-spec/2025-12-18 --name Acme
      specwright init acme-spec --base https://example.com/spec.md --sha256 HEX
    """
    from specwright._layers._read import read_base, read_spec
    from specwright._layers._scaffold import relative_base, scaffold_overlay
    from specwright._reader._layer_header import LayerHeader

    target = directory / "model_spec.md"
    if target.exists() and not force:
        raise ConfigurationError(f"{target} exists: pass --force to overwrite it")
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
    return 0
