"""Make re-exported classes report the public module they are documented under."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel

__all__ = ["claim"]


def claim(namespace: Mapping[str, object], names: Iterable[str], module: str) -> None:
    """Set ``__module__`` of the classes ``names`` in ``namespace`` to ``module``.

    Reprs, docs and pickles then name ``specwright.X`` (or ``specwright.chain.X``) instead of
    the private module that defines it. A pydantic model whose annotations are still pending
    is completed first, while its defining module can still resolve them.
    """
    for name in names:
        value = namespace[name]
        if not isinstance(value, type) or not value.__module__.startswith("specwright._"):
            continue
        if issubclass(value, BaseModel) and not value.__pydantic_complete__:
            value.model_rebuild()
        value.__module__ = module
