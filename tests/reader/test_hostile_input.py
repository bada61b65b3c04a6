"""Hostile input for the reader: pathological lines in linear time, huge numbers, bad bytes.

The time bounds are relative: a 1 MB pathological line must read faster than a few times a
normal 1 MB spec read in the same process, so the tests hold on a slow or busy machine and
still catch a super-linear pattern (which takes minutes, not seconds, at this size).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from specwright import SpecError, parse_spec, read_spec
from specwright._reader._settings import format_setting, parse_setting_line

MB = 1_000_000
_SPACES = " " * MB
_SLOWER_THAN_NORMAL = 5.0
"""A pathological 1 MB text may take at most this many times a normal 1 MB read."""


_PROSE = (
    "The assistant should weigh what the user asked against what the context allows, and "
    "say plainly when it cannot help, offering what it can do instead. It should not invent "
    "facts, and it should mark uncertainty where it matters to the user's decision. "
) * 3


def _normal_spec(size: int) -> str:
    # Sections shaped like the real spec's: prose with links, code spans and footnotes, and
    # a labelled example each (about as many examples per megabyte as the published text).
    parts = ["# Doc {#doc}\n\n"]
    total, n = 0, 0
    while total < size:
        part = (
            f"## Section {n} {{#s{n} authority=user}}\n\nProse with a [link](#s0), `code "
            f"[x](#y)` and a tag[^t{n % 7}].\n\n{_PROSE}\n\n**Example**: case {n}\n\n"
            "~~~xml\n<system>\n"
            "<settings>\nunder_18: true\n</settings>\n</system>\n<user>\nHello, please help.\n"
            "</user>\n<comparison>\n<assistant> <!-- GOOD: fine -->\nSure.\n</assistant>\n"
            "<assistant> <!-- BAD -->\nNo.\n</assistant>\n</comparison>\n~~~\n\n"
        )
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts)


def _seconds(read: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(SpecError):
        read()
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def normal_read_seconds() -> float:
    text = _normal_spec(MB)
    return _seconds(lambda: parse_spec(text))


def _in_example(body: str) -> str:
    return "# A {#a}\n\n**Example**: e\n\n~~~xml\n" + body + "\n~~~\n"


_PATHOLOGICAL = {
    # The three patterns the issue measured (60 s, 15 s, > 10 s at 16-50 KB before).
    "code-span-backticks": "# A {#a}\n\nsee [x](#a) " + "`" * MB + "\n",
    "heading-spaces": "# a" + _SPACES + "x\n",
    "example-title-spaces": "# A {#a}\n\n**Example**: a" + _SPACES + "x\n\n~~~xml\n<user>\nhi\n"
    "</user>\n~~~\n",
    # Every other line pattern of the reader, padded where its regex could backtrack.
    "code-span-pairs": "# A {#a}\n\nsee [x](#a) " + "`a" * (MB // 2) + "\n",
    "code-span-growing-runs": "# A {#a}\n\n[x](#a) "
    + "".join("`" * k + "a" for k in range(1, 1400))
    + "\n",
    "heading-attributes": "# a" + _SPACES + "x {#b}\n",
    "heading-braces": "# a " + "{" * MB + "}\n",
    "heading-closing-marks": "# a" + " #" * (MB // 2) + "x\n",
    "admonition": "# A {#a}\n\n!!! meta" + _SPACES + "x\n",
    "admonition-title": '# A {#a}\n\n!!! meta "' + _SPACES + "x\n",
    "message-tag": _in_example("<user>" + _SPACES + "x\nhi\n</user>"),
    "message-attributes": _in_example("<user" + " a=b" * (MB // 4) + " x\nhi\n</user>"),
    "label-explanation": _in_example(
        "<user>\nhi\n</user>\n<comparison>\n<assistant> <!-- GOOD: a"
        + _SPACES
        + "x -->\nhi\n</assistant>\n</comparison>"
    ),
    "label-word": _in_example(
        "<user>\nhi\n</user>\n<comparison>\n<assistant> <!-- GOOD"
        + _SPACES
        + "x -->\nhi\n</assistant>\n</comparison>"
    ),
    "attachment": _in_example("<user>\n[file: a" + _SPACES + "x]\n</user>"),
    "setting-value": _in_example(
        "<system>\n<settings>\nk: a" + _SPACES + "x\n</settings>\n</system>"
    ),
    "setting-key": _in_example("<system>\n<settings>\nk" + _SPACES + "x\n</settings>\n</system>"),
    "emphasis-before-tag": _in_example("*" * MB + "<user>\nhi\n</user>"),
    "links": "# A {#a}\n\n" + "[](#" * (MB // 4) + "\n",
    "footnote-tags": "# A {#a}\n\n" + "[^" * (MB // 2) + "\n",
    "front-matter": "---\ntitle: a" + _SPACES + "x\n---\n# A {#a}\n",
    "fence-indent": "# A {#a}\n\n" + _SPACES + "```x\n",
}


@pytest.mark.parametrize("name", sorted(_PATHOLOGICAL))
def test_pathological_lines_read_in_linear_time(name: str, normal_read_seconds: float) -> None:
    text = _PATHOLOGICAL[name]
    bound = _SLOWER_THAN_NORMAL * normal_read_seconds
    elapsed = _seconds(lambda: parse_spec(text))
    if elapsed >= bound:  # a busy machine can stall one read; a super-linear one always is
        elapsed = min(_seconds(lambda: parse_spec(text)) for _ in range(2))
    assert elapsed < bound, f"{name}: {elapsed:.2f}s for {len(text)} chars (bound {bound:.2f}s)"


def test_padded_lines_still_mean_what_they_say() -> None:
    # The linear rewrites trim padding exactly as the old patterns did.
    text = _in_example(
        "<system>\n<settings>\nk:   v  \n</settings>\n</system>\n<user>   \n[file:  a b  ]\n"
        "</user>\n<comparison>\n<assistant>  <!-- GOOD[#a]:  why not  -->  \nok\n</assistant>\n"
        "</comparison>"
    ).replace("**Example**: e", "**Example**:   padded title   ")
    text = text.replace("# A {#a}", "#   Title   with  gaps  ##  {#a authority=user}   ")
    spec = parse_spec(text)
    section = spec.sections[0]
    assert (section.title, section.id, section.authority) == ("Title   with  gaps", "a", "user")
    example = section.examples[0]
    assert example.title == "padded title"
    system, user = example.messages
    assert system.settings == {"k": "v"}
    assert user.parts[0].name == "a b"  # type: ignore[union-attr]
    answer = example.answers[0]
    assert (answer.label, answer.reference, answer.explanation) == ("GOOD", "a", "why not")


def test_code_spans_follow_commonmark() -> None:
    # A run closes only at a run of the same length; unmatched runs are literal backticks.
    spec = parse_spec(
        "# A {#a}\n\n`[x](#no1)` ``[y](#no2)`` ```a``[z](#no3)``b``` `` [k](#yes1) ` [w](#yes2)\n"
    )
    assert [r.target for r in spec.sections[0].references] == ["yes1", "yes2"]


# --------------------------------------------------------------------------- numbers


def _settings_spec(line: str) -> str:
    return _in_example(f"<system>\n<settings>\n{line}\n</settings>\n</system>\n<user>\nhi\n</user>")


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("n: " + "7" * 4301, "integer of 4301 digits (at most 4300)"),
        ("n: -" + "7" * 5000, "integer of 5000 digits"),
        ("n: 1e999", "number 1e999 is too large"),
        ("n: " + "9" * 400 + ".5", "is too large"),
    ],
)
def test_numbers_too_long_for_a_setting_are_spec_errors(line: str, needle: str) -> None:
    with pytest.raises(SpecError, match="unusable setting value") as raised:
        parse_spec(_settings_spec(line), file="s.md")
    error = raised.value
    assert needle in error.message
    assert (error.file, error.line, error.column) == ("s.md", 8, 1)
    assert error.hint and "\n" not in str(error)


def test_long_numbers_within_the_limit_and_quoted_ones_are_values() -> None:
    spec = parse_spec(_settings_spec(f'n: {"7" * 4300}\nq: "{"7" * 5000}"'))
    settings = spec.sections[0].examples[0].messages[0].settings
    assert settings == {"n": int("7" * 4300), "q": "7" * 5000}


def test_settings_format_back_whatever_they_hold() -> None:
    for value in ["7" * 5000, "1e999", '"\\ud800"', "x"]:
        line = format_setting("k", value)
        assert parse_setting_line(line) == ("k", value)


def test_lone_surrogate_escape_in_a_setting_stays_the_text_written() -> None:
    assert parse_setting_line('k: "\\ud800"') == ("k", '"\\ud800"')
    assert parse_setting_line('k: "\\ud83d\\ude00"') == ("k", "\U0001f600")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"\xff# A\n", 1, 1),
        (b"# A {#a}\n\nsome text \xe2\x82 here\n", 3, 11),
        (b"# A {#a}\n\n\xc3\xa9\xc3\xa9 caf\xe9\n", 3, 7),  # columns count characters
        (b"# A\r\n\r\nok\r\n\x80", 4, 1),
    ],
)
def test_non_utf8_is_reported_at_its_line_and_column(
    tmp_path: Path, raw: bytes, line: int, column: int
) -> None:
    path = tmp_path / "model_spec.md"
    path.write_bytes(raw)
    with pytest.raises(SpecError, match="not UTF-8 text") as raised:
        read_spec(path)
    assert (raised.value.line, raised.value.column) == (line, column)


def test_non_utf8_eval_file_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "model_spec.md").write_text("# A {#a}\n\ntext[^e1].\n", encoding="utf-8")
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "e1.md").write_bytes(b"**Example**: x\n\n~~~xml\n<user>\n\xfe\n")
    with pytest.raises(SpecError) as raised:
        read_spec(tmp_path)
    assert raised.value.file.endswith("e1.md")
    assert (raised.value.line, raised.value.column) == (5, 1)


_LONG_REFERENCE = "&#" + "9" * 4301 + ";"
_ZERO_PADDED = "&#" + "0" * 5000 + "65;"


def _spec_with_message(text: str) -> str:
    return (
        "# Rule {#rule authority=user}\n\nBe kind.\n\n**Example**: refs\n\n~~~xml\n"
        f"<user>\n{text}\n</user>\n~~~\n"
    )


def test_long_character_references_are_bounded_before_decoding() -> None:
    # Issue 23.2: html.unescape raised ValueError (int's 4,300-digit limit): a traceback in
    # lint, stats, check and compile.
    spec = parse_spec(_spec_with_message(f"a {_LONG_REFERENCE} b {_ZERO_PADDED} &#65; &amp;"))
    text = spec.sections[0].examples[0].messages[0].text
    assert text == "a \ufffd b A A &"


def test_long_character_references_through_the_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from specwright._cli import main

    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "model_spec.md").write_text(_spec_with_message(_LONG_REFERENCE))
    chat = tmp_path / "chat.md"
    chat.write_text(f"<user>\n{_LONG_REFERENCE}\n</user>\n")
    assert main(["lint", str(spec_dir)]) == 0
    assert main(["stats", str(spec_dir), "--json"]) == 0
    assert main(["check", str(chat), "--spec", str(spec_dir), "--format", "spec"]) == 0
    assert main(["compile", str(chat), "--spec", str(spec_dir), "--json"]) == 0
    assert "Traceback" not in capsys.readouterr().err
