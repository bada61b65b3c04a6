"""Read a spec the way a user means it: composed on the base its front matter ``extends:``.

The reader below turns text into one layer's :class:`~specwright.Spec` and its front matter;
this module follows ``extends:`` (a path, or a pinned URL), reads the base (a layer itself,
perhaps) and composes. Every caller that wants the composed spec reads through here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from specwright._errors import SpecError
from specwright._model import LayerInfo, Spec
from specwright._reader._layer_header import LayerHeader
from specwright._reader._spec import SPEC_FILE, parse_layer, read_layer

__all__ = ["compose_on_declared_base", "compose_spec", "parse_spec", "read_base", "read_spec"]

# Files whose base is being read right now, outermost first: a chain that comes back to one
# of them would recurse for ever. A context variable, so threads never see each other's chain.
_READING: ContextVar[tuple[str, ...]] = ContextVar("specwright_layers_reading", default=())


def read_spec(path: str | os.PathLike[str], *, version: str | None = None) -> Spec:
    """Read a spec (see :func:`specwright._reader._spec.read_layer` for what a path may be).

    A spec whose front matter ``extends:`` a base is composed on that base (see
    ``docs/company.md``); a plain spec is returned as read.
    """
    return _composed(*read_layer(path, version=version))


def parse_spec(
    text: str,
    *,
    file: str = "<string>",
    eval_files: Mapping[str, str] | None = None,
    version: str | None = None,
) -> Spec:
    """Parse spec markdown (and eval prompt files, tag → text) into a :class:`Spec`; no I/O
    beyond reading a declared base.

    Front matter sets the title, version and description; ``version`` wins over it. Without
    a front matter title, the title is the document's single level-1 heading, else its first
    heading (there is no path to name the spec after).
    """
    return _composed(*parse_layer(text, file=file, eval_files=eval_files, version=version))


def _composed(spec: Spec, layer: LayerHeader | None) -> Spec:
    if layer is None or layer.extends is None:
        return spec
    return compose_on_declared_base(spec, layer)


def compose_on_declared_base(layer: Spec, header: LayerHeader) -> Spec:
    """Read the base ``header`` names and compose ``layer`` on it."""
    from specwright._layers._compose import compose_layer  # layered specs only

    base, info = read_base(header)
    return compose_layer(base, layer, header, base_info=info)


def read_base(header: LayerHeader) -> tuple[Spec, LayerInfo | None]:
    """The base spec ``header.extends`` names (composed, if it is a layer itself).

    Also returns how to describe a URL base in ``Spec.layers`` (its URL and pin); ``None``
    for a path, which describes itself.
    """

    assert header.extends is not None
    if header.is_url:
        from specwright._layers._fetch import fetch_base

        path = fetch_base(header.extends, header.sha256 or "", header.file, header.extends_line)
    else:
        path = _base_path(header)
    with _reading(header, path):
        base = read_spec(path)
    if not header.is_url or base.layers:
        return base, None
    info = LayerInfo(
        title=base.title or "base",
        version=base.version,
        content_hash=base.content_hash(),
        source=header.extends,
        sha256=header.sha256,
    )
    return base.model_copy(update={"source": header.extends}), info


def _base_path(header: LayerHeader) -> Path:
    assert header.extends is not None
    here = Path.cwd() if header.file.startswith("<") else Path(header.file).parent
    try:
        path = Path(os.path.normpath(here / header.extends))
        found = path.exists()
    except (OSError, ValueError):  # a NUL byte or an over-long name in the path
        found, path = False, Path(repr(header.extends))
    if not found:
        raise SpecError(
            f"base spec not found: {path}",
            file=header.file,
            line=header.extends_line,
            hint="`extends:` is a path relative to this file, or an https URL with sha256",
        )
    return path


@contextmanager
def _reading(header: LayerHeader, base: Path) -> Iterator[None]:
    chain = _READING.get()
    me = _key(Path(header.file)) if not header.file.startswith("<") else header.file
    target = _key(base)
    if target in chain or target == me:
        loop = " -> ".join((*chain, me, target)[-6:])
        raise SpecError(
            f"`extends:` goes round in a circle: {loop}",
            file=header.file,
            line=header.extends_line,
            hint="a base may not extend, directly or not, the layer built on it",
        )
    token = _READING.set((*chain, me))
    try:
        yield
    finally:
        _READING.reset(token)


def _key(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved / "model_spec.md" if resolved.is_dir() else resolved)


def compose_spec(base: Spec | str | os.PathLike[str], *overlays: str | os.PathLike[str]) -> Spec:
    """Compose overlay specs, in order, on ``base`` (a spec or its path).

    Each overlay is read without following its own ``extends:``: ``base`` stands in for it,
    which is how an overlay is tried on a new release of its base. An overlay without
    layering front matter is a layer with a ``developer`` ceiling.
    """
    from specwright._layers._compose import compose_layer

    composed = base if isinstance(base, Spec) else read_spec(base)
    for overlay in overlays:
        layer, header = read_layer(overlay)
        if header is None:
            path = Path(overlay)
            header = LayerHeader(file=str(path / SPEC_FILE if path.is_dir() else path))
        composed = compose_layer(composed, layer, header)
    return composed
