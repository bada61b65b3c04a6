"""Emphasis markers around message tags (published Model Spec releases have them) still load.

The 2025-02-12 and 2025-04-11 releases of the OpenAI Model Spec carry a stray ``*`` before
``</comparison>``, ``<comparison>`` and ``<assistant>``; only the 2025-12-18 release is on
disk, so the real-spec test injects the same defects into a copy of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specwright import SpecError, lint_spec, parse_spec, read_spec, spec_stats
from specwright._writer import write_spec
from tests._paths import require_real_spec

CLEAN = (
    "# A {#a authority=user}\n\n**Example**: e\n\n~~~xml\n<user>\nhi\n</user>\n<comparison>\n"
    "<assistant> <!-- GOOD: kind -->\nhello\n</assistant>\n<assistant> <!-- BAD -->\ngo away\n"
    "</assistant>\n</comparison>\n<user>\nbye\n</user>\n<comparison>\n<assistant> <!-- OK -->\n"
    "ciao\n</assistant>\n</comparison>\n~~~\n"
)


def _stray(text: str, edits: dict[str, str]) -> str:
    lines = text.split("\n")
    for old, new in edits.items():
        lines[lines.index(old)] = new
    return "\n".join(lines)


@pytest.mark.parametrize(
    "edits",
    [
        {"<comparison>": "*<comparison>"},
        {"</comparison>": "*</comparison>"},
        {"<assistant> <!-- GOOD: kind -->": "*<assistant> <!-- GOOD: kind -->"},
        {"<assistant> <!-- BAD -->": "<assistant> <!-- BAD -->*"},
        {"<user>": "**<user>**"},
        {"</user>": "_</user>_"},
        {"<comparison>": "  *<comparison>*  "},
    ],
)
def test_emphasised_tags_read_as_the_bare_tags(edits: dict[str, str]) -> None:
    clean = parse_spec(CLEAN, file="s.md")
    stray = parse_spec(_stray(CLEAN, edits), file="s.md")
    assert stray.model_dump() == clean.model_dump()
    assert stray.content_hash() == clean.content_hash()
    (found,) = stray.stray_emphasis
    written = next(iter(edits.values()))
    assert found.written == written.strip()
    assert found.location.line == CLEAN.split("\n").index(next(iter(edits))) + 1


def test_lint_names_every_stray_line() -> None:
    text = _stray(
        CLEAN,
        {
            "<comparison>": "*<comparison>",
            "</comparison>": "*</comparison>",
            "<assistant> <!-- GOOD: kind -->": "*<assistant> <!-- GOOD: kind -->",
        },
    )
    findings = [f for f in lint_spec(parse_spec(text, file="s.md")) if f.rule == "stray-emphasis"]
    assert [(f.code, f.severity, str(f.location)) for f in findings] == [
        ("SW205", "warning", "s.md:9:1"),
        ("SW205", "warning", "s.md:10:1"),
        ("SW205", "warning", "s.md:16:1"),
    ]
    assert "'*<comparison>' read as the bare tag" in findings[0].message
    assert not lint_spec(parse_spec(CLEAN), select=["stray-emphasis"])


def test_writing_the_spec_back_drops_the_stray_markers() -> None:
    stray = parse_spec(_stray(CLEAN, {"<comparison>": "*<comparison>"}))
    again = parse_spec(write_spec(stray))
    assert again.stray_emphasis == ()
    assert spec_stats(again) == spec_stats(stray)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("*hello*", "unexpected text between messages"),
        ("*<blink>*", "unexpected text between messages"),
        ("*<comparison", "unexpected text between messages"),
    ],
)
def test_other_emphasised_lines_between_messages_stay_errors(line: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec(_stray(CLEAN, {"<comparison>": line}))


def test_emphasised_tags_inside_a_message_are_its_text() -> None:
    text = CLEAN.replace(
        "hello\n", "*<user>*\nwrite *</assistant>* in code\n```\n*</assistant>\n```\n"
    )
    spec = parse_spec(text)
    answer = spec.sections[0].examples[0].answers[0]
    assert "*<user>*" in answer.message.text
    assert "*</assistant>" in answer.message.text
    assert spec.stray_emphasis == ()


def test_emphasised_closing_tag_closes_its_message() -> None:
    spec = parse_spec(CLEAN.replace("hello\n</assistant>", "hello\n</assistant>*"))
    assert spec.sections[0].examples[0].answers[0].message.text == "hello"
    assert [s.tag for s in spec.stray_emphasis] == ["</assistant>"]


def test_eval_prompt_files_are_read_the_same_way() -> None:
    body = "**Example**: p\n\n~~~xml\n*<user>\nhi\n</user>*\n~~~\n"
    spec = parse_spec("# A {#a}\n\ntext[^e1]\n", file="d/model_spec.md", eval_files={"e1": body})
    assert spec.eval_prompts[0].messages[0].text == "hi"
    assert [(s.tag, s.location.line) for s in spec.stray_emphasis] == [
        ("<user>", 4),
        ("</user>", 6),
    ]
    assert spec.stray_emphasis[0].location.file.endswith("e1.md")


def test_real_spec_with_the_published_stray_markers(tmp_path: Path) -> None:
    real = require_real_spec()
    copy = tmp_path / real.parent.name / real.name  # same title and version as the original
    shutil.copytree(real, copy)
    lines = (copy / "model_spec.md").read_text(encoding="utf-8").split("\n")
    # The published defect: `*` before a </comparison>, and before the next example's
    # <comparison> and its first <assistant>.
    closing = lines.index("</comparison>")
    opening = lines.index("<comparison>", closing + 1)
    assert lines[opening + 1].startswith("<assistant>")
    for index in (closing, opening, opening + 1):
        lines[index] = "*" + lines[index]
    (copy / "model_spec.md").write_text("\n".join(lines), encoding="utf-8")

    clean, stray = read_spec(real), read_spec(copy)
    assert spec_stats(stray) == spec_stats(clean)
    assert stray.content_hash() == clean.content_hash()
    findings = lint_spec(stray, select=["stray-emphasis"])
    assert [f.location.line for f in findings if f.location] == [
        closing + 1,
        opening + 1,
        opening + 2,
    ]
    others = [f for f in lint_spec(stray) if f.rule != "stray-emphasis"]
    assert [str(f) for f in others] == [
        str(f).replace(str(real), str(copy)) for f in lint_spec(clean)
    ]
