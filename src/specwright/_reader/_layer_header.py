"""The layering keys of a spec's front matter: ``extends``, ``sha256``, ``ceiling``,
``overrides`` and ``disables``.

The front matter reader hands the YAML nodes of these keys here, so that the reader knows
nothing of layering beyond their names. Values are checked where they stand: a bad value
is a :class:`~specwright.SpecError` at its own line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import get_args
from urllib.parse import urlsplit

import yaml

from specwright._errors import SpecError
from specwright._model import Authority

__all__ = ["LAYER_KEYS", "LOOPBACK_HOSTS", "LayerHeader", "NamedId", "layer_header"]

LAYER_KEYS: tuple[str, ...] = ("extends", "sha256", "ceiling", "overrides", "disables")
"""Front matter keys that make a spec a layer on a base spec."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
"""Hosts a base may be fetched from over plain ``http``: tests serve bases on loopback only."""

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_ID_RE = re.compile(r"^[^\s{}#]+$")

LineOf = Callable[[yaml.Mark | None], int]


@dataclass(frozen=True, slots=True)
class NamedId:
    """A section id named in ``overrides:`` or ``disables:``, with the line naming it."""

    id: str
    line: int


@dataclass(frozen=True, slots=True)
class LayerHeader:
    """What a layer's front matter says about its base and its powers."""

    file: str
    """The layer's spec file (relative ``extends`` paths start from its directory)."""
    extends: str | None = None
    """A path (file or directory) or an ``https`` URL of the base spec."""
    extends_line: int = 1
    sha256: str | None = None
    """The pinned SHA-256 of a base fetched from a URL (required with one)."""
    ceiling: Authority = "developer"
    """The highest authority the layer's sections may carry."""
    ceiling_line: int = 1
    overrides: tuple[NamedId, ...] = ()
    """Base sections this layer replaces with its own section of the same id."""
    disables: tuple[NamedId, ...] = ()
    """Base sections this layer removes."""

    @property
    def is_url(self) -> bool:
        """True when ``extends`` names a URL rather than a path."""
        return self.extends is not None and "://" in self.extends


def layer_header(nodes: Mapping[str, yaml.Node], file: str, line_of: LineOf) -> LayerHeader:
    """Build the header from the YAML nodes of the layering keys; bad values raise."""

    def fail(message: str, node: yaml.Node, hint: str) -> SpecError:
        return SpecError(message, file=file, line=line_of(node.start_mark), hint=hint)

    def scalar(name: str) -> tuple[str | None, int]:
        node = nodes.get(name)
        if node is None:
            return None, 1
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise fail(f"front matter {name!r} is not a single value", node, _HINTS[name])
        return node.value.strip(), line_of(node.start_mark)

    extends, extends_line = scalar("extends")
    sha256, _ = scalar("sha256")
    ceiling, ceiling_line = scalar("ceiling")
    header = LayerHeader(
        file=file,
        extends=extends,
        extends_line=extends_line,
        sha256=sha256.lower() if sha256 else None,
        ceiling=_ceiling(ceiling, nodes, fail),
        ceiling_line=ceiling_line,
        overrides=_ids(nodes.get("overrides"), "overrides", fail, line_of),
        disables=_ids(nodes.get("disables"), "disables", fail, line_of),
    )
    _check_pin(header, nodes, fail)
    return header


_Fail = Callable[[str, yaml.Node, str], SpecError]

_HINTS = {
    "extends": "write `extends: ../base-spec` or `extends: https://…/model_spec.md`",
    "sha256": "write the base's SHA-256 as 64 hex digits",
    "ceiling": "write one of system, developer, user, guideline",
    "overrides": "write a list of base section ids, e.g. `overrides: [be_brief]`",
    "disables": "write a list of base section ids, e.g. `disables: [be_creative]`",
}


def _ceiling(value: str | None, nodes: Mapping[str, yaml.Node], fail: _Fail) -> Authority:
    if value is None:
        return "developer"
    levels: tuple[str, ...] = get_args(Authority)
    if value not in levels or value == "root":
        # A layer never speaks with root authority: root belongs to the base spec alone.
        raise fail(f"ceiling {value!r} is not a layer's level", nodes["ceiling"], _HINTS["ceiling"])
    return value  # type: ignore[return-value]  # checked against Authority's values above


def _ids(node: yaml.Node | None, name: str, fail: _Fail, line_of: LineOf) -> tuple[NamedId, ...]:
    if node is None:
        return ()
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    named: list[NamedId] = []
    for item in items:
        value = item.value.strip() if isinstance(item, yaml.ScalarNode) else ""
        if not _ID_RE.match(value):
            raise fail(f"front matter {name!r} holds a non-id entry", item, _HINTS[name])
        if any(seen.id == value for seen in named):
            raise fail(f"section {value!r} named twice in {name!r}", item, _HINTS[name])
        named.append(NamedId(value, line_of(item.start_mark)))
    return tuple(named)


def _check_pin(header: LayerHeader, nodes: Mapping[str, yaml.Node], fail: _Fail) -> None:
    if not header.is_url:
        if header.sha256 is not None:
            raise fail("sha256 pins a URL base only", nodes["sha256"], _HINTS["extends"])
        return
    url = urlsplit(header.extends or "")
    plain_loopback = url.scheme == "http" and url.hostname in LOOPBACK_HOSTS
    if url.scheme != "https" and not plain_loopback:
        raise fail(
            f"base URL scheme {url.scheme!r} is not https",
            nodes["extends"],
            "fetch bases over https (plain http is allowed to 127.0.0.1 only, for tests)",
        )
    if header.sha256 is None or not _SHA256_RE.match(header.sha256):
        node = nodes.get("sha256", nodes["extends"])
        raise fail(
            "a URL base needs `sha256:` with its 64-hex-digit SHA-256",
            node,
            "run `sha256sum` on the file you reviewed and pin it",
        )
