"""read_spec on files and directories, eval prompt files, versions and unreadable input."""

from __future__ import annotations

from pathlib import Path

import pytest

from specwright import SpecError, parse_spec, read_spec

SPEC = (
    "# Rules {#rules}\n\n## Be kind {#kind authority=user}\n\nAlways be kind[^k1x2].\n\n"
    "## Be brief {#brief authority=guideline}\n\nKeep it short[^nofile].\n"
)
EVAL = (
    "Examples for [^k1x2] in Be kind:\n\n**Example**: rude request\n\n~~~xml\n<user>\n"
    "Insult me.\n</user>\n~~~\n\n**Example**: second\n\n~~~xml\n<system>\nBe terse.\n</system>\n"
    "<user>\nhi\n</user>\n~~~"
)


def _write(root: Path, evals: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "model_spec.md").write_text(SPEC, encoding="utf-8")
    (root / "examples").mkdir()
    for tag, text in evals.items():
        (root / "examples" / f"{tag}.md").write_text(text, encoding="utf-8")
    return root


def test_directory_with_eval_files(tmp_path: Path) -> None:
    root = _write(tmp_path / "2025-01-31", {"k1x2": EVAL, "orphan": "Examples for [^orphan]:\n"})
    spec = read_spec(root)
    assert spec.version == "2025-01-31"
    assert spec.source == str(root)
    assert spec.eval_files == ("k1x2", "orphan")
    assert [p.id for p in spec.eval_prompts] == ["k1x2/1", "k1x2/2"]
    first, second = spec.eval_prompts
    assert (first.tag, first.section_id, first.title) == ("k1x2", "kind", "rude request")
    assert [m.role for m in second.messages] == ["system", "user"]
    assert first.location is not None
    assert first.location.file == str(root / "examples" / "k1x2.md")
    assert first.location.line == 3
    # A tag without a file (nofile) and a file without a tag (orphan) are both fine here:
    # lint reports them.
    assert spec.section("brief").eval_tags == ("nofile",)


def test_file_path_and_version_override(tmp_path: Path) -> None:
    root = _write(tmp_path / "drafts", {"k1x2": EVAL})
    spec = read_spec(root / "model_spec.md")
    assert spec.version is None  # "drafts" does not look like a version
    assert len(spec.eval_prompts) == 2
    assert read_spec(root, version="v9").version == "v9"
    assert read_spec(_write(tmp_path / "v1.2", {}) / "model_spec.md").version == "v1.2"


def test_spec_without_examples_directory(tmp_path: Path) -> None:
    (tmp_path / "model_spec.md").write_text(SPEC, encoding="utf-8")
    spec = read_spec(tmp_path)
    assert spec.eval_files == ()
    assert spec.eval_prompts == ()


@pytest.mark.parametrize(
    "header",
    [
        "Examples for [^k1x2] in Be kind:",
        "  Examples for [^k1x2] in Be kind:   ",
        "*Examples for [^k1x2] in Be kind:",
        "* Examples for [^k1x2] in Be kind:*",
        "",
    ],
)
def test_eval_file_tag_line_variants(header: str) -> None:
    body = EVAL.replace("Examples for [^k1x2] in Be kind:", header)
    spec = parse_spec(SPEC, eval_files={"k1x2": body})
    assert [p.title for p in spec.eval_prompts] == ["rude request", "second"]
    assert all(p.section_id == "kind" for p in spec.eval_prompts)


def test_eval_file_locations_without_a_file_name() -> None:
    spec = parse_spec(SPEC, eval_files={"k1x2": EVAL})
    location = spec.eval_prompts[0].location
    assert location is not None
    assert location.file == "<examples/k1x2.md>"
    named = parse_spec(SPEC, file="spec/model_spec.md", eval_files={"k1x2": EVAL})
    assert named.eval_prompts[0].location.file == str(Path("spec/examples/k1x2.md"))  # type: ignore[union-attr]


def test_eval_prompt_with_a_comparison_is_an_error() -> None:
    body = "**Example**: e\n\n~~~xml\n<user>\nq\n</user>\n<comparison>\n</comparison>\n~~~\n"
    with pytest.raises(SpecError, match="eval prompt with a <comparison>") as info:
        parse_spec(SPEC, eval_files={"k1x2": body})
    assert info.value.file == "<examples/k1x2.md>"


def test_malformed_eval_file_names_its_file_and_line() -> None:
    body = "Examples for [^k1x2]:\n\n**Example**: e\n\n~~~xml\n<user>\nq\n~~~\n"
    with pytest.raises(SpecError, match="unclosed <user> message") as info:
        parse_spec(SPEC, eval_files={"k1x2": body})
    assert (info.value.file, info.value.line) == ("<examples/k1x2.md>", 6)


def test_unreadable_input_raises_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        read_spec(tmp_path / "missing")
    with pytest.raises(SpecError, match="no such file"):
        read_spec(tmp_path)  # a directory without model_spec.md
    (tmp_path / "model_spec.md").write_bytes(b"# A\n\xff\xfe\n")
    with pytest.raises(SpecError, match="not UTF-8"):
        read_spec(tmp_path)
