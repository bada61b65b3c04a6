"""Headings, section blocks, cross references and footnote tags, on small inline texts."""

from __future__ import annotations

import pytest

from specwright import Commentary, Example, Prose, SpecError, parse_spec


def test_heading_attributes_and_tree() -> None:
    spec = parse_spec(
        "# Top {#top}\n\n## Rule {#rule authority=root}\n\n### Old {#old authority=platform}\n\n"
        "#### Teen {#teen authority=system tags=under_18,beta}\n\n## Next {#next authority=user}\n"
    )
    assert spec.title == "Top"
    (top,) = spec.sections
    assert [c.id for c in top.children] == ["rule", "next"]
    assert spec.section("old").authority == "root"  # `platform` is the old name of root
    assert spec.section("teen").tags == ("under_18", "beta")
    assert spec.section("teen").depth == 4
    assert spec.parent("teen") == spec.section("old")
    assert spec.effective_authority("teen") == "system"


def test_spec_without_system_sections_and_all_guideline_levels() -> None:
    spec = parse_spec(
        "# A {#a authority=developer}\n\nx\n\n# B {#b authority=guideline}\n\ny\n"
        "# C {#c authority=user}\n\nz\n"
    )
    assert [s.authority for s in spec.walk()] == ["developer", "guideline", "user"]


def test_heading_variants() -> None:
    spec = parse_spec(
        "Intro text.\n\n# Plain Title\n\n## Closed ## \n\n###   Spaced  {#sp}   \n\n"
        "   # Indented {#ind}\n\n## Fill {placeholders} {#fill}\n\n## Only {braces}\n"
    )
    assert spec.preamble == "Intro text."
    assert [(s.id, s.title) for s in spec.walk()] == [
        ("plain_title", "Plain Title"),
        ("closed", "Closed"),
        ("sp", "Spaced"),
        ("ind", "Indented"),
        ("fill", "Fill {placeholders}"),
        ("only_braces", "Only {braces}"),
    ]
    assert [s.location.column for s in spec.walk() if s.location] == [1, 1, 1, 4, 1, 1]


def test_headings_inside_prose_fences_are_text() -> None:
    spec = parse_spec("# A {#a}\n\n```python\n# not a heading\n```\n\n~~~\n## nor this\n~~~\n")
    assert [s.id for s in spec.walk()] == ["a"]
    assert "# not a heading" in spec.section("a").body


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("# A {#a}\n\n# B {#a}\n", "duplicate section id 'a' (first at line 1)", 3, 1),
        ("# A {#a authority=admin}\n", "unknown authority 'admin'", 1, 9),
        ("# A {#a colour=red}\n", "unknown heading attribute 'colour=red'", 1, 9),
        ("# A {#a tags=}\n", "empty tags attribute", 1, 9),
        ("# A\n\n# A\n", "duplicate section id 'a'", 3, 1),
    ],
)
def test_malformed_headings(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(text, file="s.md")
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.hint


def test_blocks_keep_document_order() -> None:
    text = (
        "# S {#s authority=user}\n\nFirst paragraph.\n\nSecond paragraph.\n\n"
        '!!! meta "Commentary"\n    Why this rule exists.\n\n    More context.\n\n'
        "**Example**: greeting\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n\nClosing words.\n"
    )
    section = parse_spec(text).section("s")
    assert [type(b) for b in section.blocks] == [Prose, Commentary, Example, Prose]
    prose = section.blocks[0]
    assert isinstance(prose, Prose)
    assert prose.markdown == "First paragraph.\n\nSecond paragraph."
    commentary = section.commentary[0]
    assert commentary.markdown == "Why this rule exists.\n\nMore context."
    assert (commentary.admonition, commentary.title) == ("meta", "Commentary")
    example = section.examples[0]
    assert (example.id, example.title, example.fence) == ("s/example-1", "greeting", "~~~xml")
    assert example.location is not None
    assert example.location.line == 12
    assert section.body == "First paragraph.\n\nSecond paragraph.\n\nClosing words."


def test_commentary_with_blank_first_line_and_no_title() -> None:
    section = parse_spec('# S {#s}\n\n!!! meta "Commentary"\n\n    Body.\nAfter.\n').section("s")
    assert section.commentary[0].markdown == "Body."
    assert section.body == "After."
    note = parse_spec("# S {#s}\n\n!!! note\n    Body.\n").section("s").commentary[0]
    assert (note.admonition, note.title) == ("note", "")


def test_example_needs_an_xml_fence() -> None:
    section = parse_spec(
        "# S {#s}\n\n**Example**: no fence here\n\nJust prose.\n\n**Example**: a python fence\n\n"
        "```python\nx = 1\n```\n"
    ).section("s")
    assert section.examples == ()
    assert "**Example**: no fence here" in section.body


def test_example_trailing_markdown_and_numbering() -> None:
    section = parse_spec(
        "# S {#s authority=user}\n\n**Example**: one\nA note on the setup.\n\n~~~xml\n<user>\na\n"
        "</user>\n~~~\n\n**Example:** two\n\n```xml\n<user>\nb\n</user>\n```\n"
    ).section("s")
    first, second = section.examples
    assert first.trailing_markdown == "A note on the setup."
    assert (second.id, second.title, second.fence) == ("s/example-2", "two", "```xml")


def test_unterminated_example_fence() -> None:
    with pytest.raises(SpecError, match="unterminated example fence") as info:
        parse_spec("# S {#s}\n\n**Example**: e\n\n~~~xml\n<user>\nhi\n</user>\n")
    assert info.value.line == 5


def test_cross_references_with_locations() -> None:
    spec = parse_spec(
        "# A {#a}\n\nSee [?](#b) and [the rule](#b), not `[code](#c)` nor [web](https://x.y).\n\n"
        "# B {#b authority=user}\n\n**Example**: per [?](#a)\n\n~~~xml\n<user>\n"
        "q [x](#zz)\n</user>\n"
        "<comparison>\n<assistant> <!-- BAD: violates [?](#a) -->\nno\n</assistant>\n"
        "</comparison>\n~~~\n",
        file="s.md",
    )
    refs = list(spec.cross_references())
    assert [(r.target, r.text, r.source_section) for r in refs] == [
        ("b", "?", "a"),
        ("b", "the rule", "a"),
        ("a", "?", "b"),
        ("a", "?", "b"),
    ]
    assert [str(r.location) for r in refs] == ["s.md:3:5", "s.md:3:17", "s.md:7:18", "s.md:14:32"]


def test_footnote_tags_in_order_without_duplicates() -> None:
    section = parse_spec(
        "# A {#a}\n\nRule[^ab12] and[^cd34].\n\nAgain[^ab12]; code `x[^no]`.\n\n"
        "```\nre = '[^a-z]'\n```\n"
    ).section("a")
    assert section.eval_tags == ("ab12", "cd34")


def test_files_without_final_newline_and_crlf() -> None:
    spec = parse_spec(
        "# A {#a}\r\n\r\nText.\r\n\r\n**Example**: e\r\n\r\n~~~xml\r\n<user>\r\nx\r\n</user>\r\n~~~"
    )
    section = spec.section("a")
    assert section.body == "Text."
    assert section.examples[0].messages[0].text == "x"


def test_empty_and_heading_free_text() -> None:
    assert parse_spec("").sections == ()
    spec = parse_spec("Just a note.\n\n**Example**: e\n\n~~~xml\n<oops>\n~~~\n")
    assert spec.sections == ()
    assert spec.title == ""
    assert spec.preamble.startswith("Just a note.")


def test_code_in_commentary_is_not_scanned_for_links() -> None:
    section = parse_spec(
        '# A {#a}\n\n!!! meta "Commentary"\n    ```\n    [?](#nowhere) [^zz]\n    ```\n'
        "    See [?](#a).\n"
    ).section("a")
    assert [r.target for r in section.references] == ["a"]
    assert section.eval_tags == ()
