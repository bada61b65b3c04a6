"""Front matter (title, version, description) and the default spec title."""

from __future__ import annotations

from pathlib import Path

import pytest

from specwright import SpecError, parse_spec, read_spec, write_spec

BODY = "# One {#one}\n\nText.\n\n# Two {#two}\n"


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "model_spec.md").write_text(text, encoding="utf-8")
    return directory


def test_front_matter_sets_title_version_and_description() -> None:
    text = "---\ntitle: Trips\nversion: 'v2'\ndescription: Rules for trips.\n---\n\n" + BODY
    spec = parse_spec(text)
    assert (spec.title, spec.version, spec.description) == ("Trips", "v2", "Rules for trips.")
    assert spec.preamble == ""
    location = spec.section("one").location
    assert location is not None and location.line == 7  # line numbers count the front matter


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.0", "1.0"),
        ("1.10", "1.10"),  # not the float 1.1
        ("2", "2"),
        ("2025-12-18", "2025-12-18"),  # not a date
        ("true", "true"),
        ('"1.0"', "1.0"),
        ("'x: y'", "x: y"),
    ],
)
def test_unquoted_yaml_scalars_stay_the_text_written(written: str, expected: str) -> None:
    spec = parse_spec(f"---\nversion: {written}\ntitle: {written}\n---\n" + BODY)
    assert spec.version == expected
    assert spec.title == expected


def test_null_and_empty_front_matter_set_nothing() -> None:
    single = "# One {#one}\n\nText.\n\n## Two {#two}\n"
    assert parse_spec("---\n---\n" + single).title == "One"
    spec = parse_spec("---\ntitle:\nversion: ~\n---\n" + single)
    assert (spec.title, spec.version) == ("One", None)
    assert parse_spec("---\ntitle: ''\n---\n" + single).title == ""


def test_explicit_version_wins_over_front_matter(tmp_path: Path) -> None:
    text = "---\nversion: '1.0'\n---\n" + BODY
    assert parse_spec(text, version="pinned").version == "pinned"
    root = _write(tmp_path / "trips" / "2025-01-01", text)
    assert read_spec(root).version == "1.0"  # front matter over the directory name
    assert read_spec(root, version="pinned").version == "pinned"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: T\nauthor: me\n---\n", 3, "unknown front matter key 'author'"),
        ("---\ntitle: T\n", 1, "front matter is not closed"),
        ("---\ntitle: [unclosed\n---\n", 2, "malformed front matter"),
        ("---\ntitle: a: b\n---\n", 2, "malformed front matter"),
        ("---\n- a list\n---\n", 2, "not a mapping"),
        ("---\ntitle: [a, b]\n---\n", 2, "'title' is not a single value"),
        ("---\ntitle: a\ntitle: b\n---\n", 3, "given twice"),
    ],
)
def test_bad_front_matter_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(text + BODY, file="spec.md")
    error = caught.value
    assert words in error.message
    assert (error.file, error.line) == ("spec.md", line)
    assert error.hint and "\n" not in str(error)


@pytest.mark.parametrize(
    ("front", "line"),
    [("title: " + "[" * 3000, 1), ("title: x\nversion: \x07", 3)],
)
def test_deep_nesting_and_control_characters_are_spec_errors(front: str, line: int) -> None:
    with pytest.raises(SpecError, match="malformed front matter") as caught:
        parse_spec(f"---\n{front}\n---\n" + BODY)
    assert caught.value.line == line


def test_unknown_key_hint_lists_the_keys() -> None:
    with pytest.raises(SpecError, match=r"hint: use title, version, description"):
        parse_spec("---\nTitle: T\n---\n" + BODY)


def test_front_matter_after_a_byte_order_mark() -> None:
    assert parse_spec("\ufeff---\ntitle: Trips\n---\n" + BODY).title == "Trips"


def test_a_thematic_break_later_on_is_no_front_matter() -> None:
    spec = parse_spec("Intro.\n\n---\ntitle: x\n---\n" + BODY)
    assert spec.title == ""
    assert "title: x" in spec.preamble


def test_single_level_one_heading_is_the_title(tmp_path: Path) -> None:
    root = _write(tmp_path / "trips", "## Before {#before}\n\n# Trips {#trips}\n\n## A {#a}\n")
    assert read_spec(root).title == "Trips"
    assert parse_spec((root / "model_spec.md").read_text(encoding="utf-8")).title == "Trips"


def test_a_title_never_comes_from_a_folder_name(tmp_path: Path) -> None:
    # Issue 22.5: the real spec, without front matter, was titled "releases" after a folder.
    assert read_spec(_write(tmp_path / "releases", BODY)).title == ""
    versioned = _write(tmp_path / "travel-spec" / "v1.2", BODY)
    spec = read_spec(versioned / "model_spec.md")
    assert (spec.title, spec.version) == ("", "v1.2")
    assert parse_spec(BODY).title == ""  # several level-1 headings: none is the whole


def test_writer_writes_front_matter_only_when_needed(tmp_path: Path) -> None:
    single = parse_spec("# Trips {#trips}\n")
    assert not write_spec(single).startswith("---")
    several = read_spec(_write(tmp_path / "trips", BODY)).model_copy(update={"title": "Trips"})
    written = write_spec(several)
    assert written.startswith("---\ntitle: Trips\n---\n\n# One")
    moved = read_spec(_write(tmp_path / "elsewhere", written))
    assert moved.title == "Trips"
    versioned = single.model_copy(update={"version": "1.0", "description": "Why."})
    assert write_spec(versioned).startswith(
        "---\ntitle: Trips\nversion: '1.0'\ndescription: Why.\n---\n"
    )


def test_preamble_that_looks_like_front_matter_survives() -> None:
    spec = parse_spec("Intro.\n\n---\nnot: yaml\n---\n\n# T {#t}\n").model_copy(
        update={"preamble": "---\nnot: yaml\n---"}
    )
    again = parse_spec(write_spec(spec))
    assert again.preamble == spec.preamble
    assert again.title == "T"
