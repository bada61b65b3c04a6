"""Compare specs by content: locations and source paths set aside."""

from __future__ import annotations

from typing import Any

from specwright import Spec


def without_locations(value: Any) -> Any:
    """``value`` (dumped JSON data) with every ``location`` key removed, recursively."""
    if isinstance(value, dict):
        return {k: without_locations(v) for k, v in value.items() if k != "location"}
    if isinstance(value, list):
        return [without_locations(v) for v in value]
    return value


def content(spec: Spec) -> Any:
    """The spec's JSON data without locations and without ``source``."""
    return without_locations(spec.model_dump(mode="json", exclude={"source"}))


def assert_same_content(left: Spec, right: Spec) -> None:
    """Structural equality and equal content hashes, locations set aside."""
    assert content(left) == content(right)
    assert left.content_hash() == right.content_hash()
