"""The shipped example spec: loads from the package, covers the dialect, and is lint-clean."""

from __future__ import annotations

from collections import Counter

from specwright import (
    AUTHORITY_LEVELS,
    Attachment,
    UntrustedPart,
    example_spec_path,
    lint_spec,
    load_example_spec,
)


def test_example_spec_files_ship_with_the_package() -> None:
    root = example_spec_path()
    assert (root / "model_spec.md").is_file()
    assert sorted(p.name for p in (root / "examples").glob("*.md")) == [
        "cfb1.md",
        "pdoc.md",
        "pref.md",
    ]


def test_example_spec_covers_every_level_and_construct() -> None:
    spec = load_example_spec()
    assert spec.title == "Wayfarer travel assistant"  # from its front matter
    assert spec.version == "1.0"
    sections = list(spec.walk())
    assert 8 <= len(sections) <= 16
    levels = Counter(s.authority for s in sections)
    assert set(AUTHORITY_LEVELS) <= set(levels)
    assert levels[None] >= 3  # sections without authority
    examples = [e for _, e in spec.examples()]
    labels = Counter(a.label for e in examples for a in e.answers)
    assert labels["GOOD"] and labels["BAD"] and labels["OK"]
    messages = [m for e in examples for m in (*e.messages, *(a.message for a in e.answers))]
    parts = [p for m in messages for p in m.parts]
    assert any(isinstance(p, UntrustedPart) for p in parts)
    assert any(isinstance(p, Attachment) for p in parts)
    assert any(m.settings for m in messages)
    assert any(m.role == "tool" for m in messages)
    assert any(m.gap_before for m in messages)
    assert any(a.reference for e in examples for a in e.answers)
    assert any(s.commentary for s in sections)


def test_every_rule_section_has_good_and_bad_answers() -> None:
    spec = load_example_spec()
    for section in spec.walk():
        if section.authority is None:
            continue
        assert section.examples, section.id
        for example in section.examples:
            assert {"GOOD", "BAD"} <= {a.label for a in example.answers}, example.id


def test_eval_files_match_footnote_tags() -> None:
    spec = load_example_spec()
    tags = {t for s in spec.walk() for t in s.eval_tags}
    assert tags == set(spec.eval_files) == {"cfb1", "pdoc", "pref"}
    assert all(p.section_id for p in spec.eval_prompts)
    assert len(spec.eval_prompts) == 5


def test_example_spec_is_lint_clean() -> None:
    spec = load_example_spec()
    assert list(spec.cross_references())
    assert all(spec.get(r.target) for r in spec.cross_references())
    assert lint_spec(spec) == []
