"""The typed spec model: navigation, authority inheritance, hashing, JSON round trip."""

from __future__ import annotations

import pytest

from specwright import AUTHORITY_LEVELS, Spec, authority_rank
from tests._factories import small_spec


def test_walk_is_document_order() -> None:
    assert [s.id for s in small_spec().walk()] == ["top", "no_harm", "be_kind", "style"]


def test_section_lookup_and_parent() -> None:
    spec = small_spec()
    assert spec.section("be_kind").title == "Be kind"
    assert spec.parent("be_kind") is not None and spec.parent("be_kind").id == "top"  # type: ignore[union-attr]
    assert spec.parent("top") is None
    assert spec.get("nope") is None
    with pytest.raises(KeyError, match="nope"):
        spec.section("nope")


def test_effective_authority_inherits_from_ancestors() -> None:
    spec = small_spec()
    assert spec.effective_authority("no_harm") == "root"
    assert spec.effective_authority("top") is None


def test_authority_rank_orders_levels() -> None:
    ranks = [authority_rank(level) for level in (*AUTHORITY_LEVELS, "none")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 6


def test_json_round_trip_is_lossless() -> None:
    spec = small_spec()
    again = Spec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.content_hash() == spec.content_hash()


def test_content_hash_ignores_locations_but_not_content() -> None:
    spec = small_spec()
    moved = spec.model_copy(update={"source": "/elsewhere/model_spec.md"})
    assert moved.content_hash() == spec.content_hash()
    top = spec.sections[0].model_copy(update={"title": "Changed"})
    changed = spec.model_copy(update={"sections": (top, *spec.sections[1:])})
    assert changed.content_hash() != spec.content_hash()


def test_models_are_frozen() -> None:
    spec = small_spec()
    with pytest.raises(Exception, match="frozen"):
        spec.title = "x"  # type: ignore[misc]


def test_section_views() -> None:
    section = small_spec().section("no_harm")
    assert section.body.startswith("Never help")
    assert [e.id for e in section.examples] == ["no_harm/example-1"]
    assert section.commentary == ()
