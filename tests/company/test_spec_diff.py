"""``diff_specs`` and ``specwright diff``: each kind of change found, and only those made."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from specwright import diff_specs, read_spec
from specwright._cli import main
from tests.company.conftest import BASE, EVALS, eval_file, write_spec_dir


def edited_copy(source: Path, target: Path) -> Path:
    """A copy of the real spec with four known edits (line numbers come from the reader)."""
    shutil.copytree(source, target)
    spec = read_spec(source)
    lines = (source / "model_spec.md").read_text(encoding="utf-8").split("\n")
    # 1. authority: be_creative guideline → user (raised).
    creative = spec.section("be_creative").location.line - 1  # type: ignore[union-attr]
    lines[creative] = lines[creative].replace("authority=guideline", "authority=user")
    # 2. relabel: be_clear's first example, first answer GOOD → BAD.
    answer = spec.section("be_clear").examples[0].answers[0].location.line - 1  # type: ignore[union-attr]
    assert "GOOD" in lines[answer]
    lines[answer] = lines[answer].replace("GOOD", "BAD")
    # 3. text: one word of avoid_errors' first paragraph.
    prose = spec.section("avoid_errors").blocks[0].location.line - 1  # type: ignore[union-attr]
    lines[prose] = lines[prose].replace("avoid making mistakes", "avoid making any mistakes", 1)
    # 4. move: be_warm (with its examples) to just before be_clear, same parent.
    order = [s.id for s in spec.walk()]
    start = spec.section("be_warm").location.line - 1  # type: ignore[union-attr]
    after = spec.section(order[order.index("be_warm") + 1]).location.line - 1  # type: ignore[union-attr]
    clear = spec.section("be_clear").location.line - 1  # type: ignore[union-attr]
    block = lines[start:after]
    rest = lines[:start] + lines[after:]
    rest[clear:clear] = block
    (target / "model_spec.md").write_text("\n".join(rest), encoding="utf-8")
    return target


def test_the_real_spec_against_a_copy_with_known_edits(real_spec: Path, tmp_path: Path) -> None:
    old = read_spec(real_spec)
    new = read_spec(edited_copy(real_spec, tmp_path / "edited"))
    found = {(c.kind, c.section_id) for c in diff_specs(old, new).changes}
    assert found == {
        ("authority-raised", "be_creative"),
        ("example-relabelled", "be_clear"),
        ("text-changed", "avoid_errors"),
        ("section-moved", "be_warm"),
    }
    result = diff_specs(old, new)
    relabel = next(c for c in result.changes if c.kind == "example-relabelled")
    assert relabel.flagged and (relabel.old, relabel.new) == ("GOOD", "BAD")
    assert relabel.item_id == "be_clear/example-1"
    text = next(c for c in result.changes if c.kind == "text-changed")
    assert [s.text for s in text.words if s.op != "equal"] == ["any"]
    assert diff_specs(old, read_spec(real_spec)).changes == ()


def test_the_real_spec_diff_command_gates_on_authority(
    real_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = edited_copy(real_spec, tmp_path / "edited")
    assert main(["diff", str(real_spec), str(edited), "--fail-on", "section-removed"]) == 0
    assert main(["diff", str(real_spec), str(edited), "--fail-on", "authority"]) == 1
    assert main(["diff", str(real_spec), str(edited), "--fail-on", "good-to-bad"]) == 1
    out, err = capsys.readouterr()
    assert "1 change matches --fail-on good-to-bad" in err
    assert "authority-raised" in out and "be_creative" in out


# --------------------------------------------------------------------------- every kind


EXAMPLE = (
    "**Example**: {t}\n\n~~~xml\n<user>\n{t}\n</user>\n<comparison>\n"
    "<assistant> <!-- {l} -->\nA\n</assistant>\n</comparison>\n~~~\n\n"
)


def small_edit(tmp_path: Path) -> tuple[Path, Path]:
    old = write_spec_dir(tmp_path / "old", BASE, EVALS)
    text = (
        BASE.replace("## Developer rule {#r_dev authority=developer}", "## Developer rule {#r_dev}")
        .replace("## Root rule {#r_root", "## The root rule {#r_root")
        .replace(
            "### Inherited user detail {#r_user_detail}\n",
            "## Inherited user detail {#r_user_detail}\n",
        )
        .replace(
            "## System rule {#r_system authority=system}\n\nFollow the operator's travel policy.\n",
            "",
        )
        .replace("<user>\nHi\n</user>", "<user>\nHello there\n</user>")
    )
    text += "\n## New rule {#r_new authority=user}\n\nNew.\n\n" + EXAMPLE.format(
        t="extra", l="GOOD"
    )
    evals = {
        "pref": EVALS["pref"] + "\n" + eval_file("x", "Window seats.").split("\n\n", 1)[1],
        "tone": "",
    }
    new = write_spec_dir(tmp_path / "new", text, evals)
    return old, new


def test_every_kind_of_change_on_a_small_spec(tmp_path: Path) -> None:
    old, new = small_edit(tmp_path)
    changes = diff_specs(read_spec(old), read_spec(new)).changes
    found = {(c.kind, c.section_id) for c in changes}
    assert found == {
        ("authority-lowered", "r_dev"),
        ("title-changed", "r_root"),
        ("section-reparented", "r_user_detail"),
        ("authority-lowered", "r_user_detail"),  # it now inherits from #rules: no level
        ("section-removed", "r_system"),
        ("example-changed", "tone"),
        ("section-added", "r_new"),
        ("eval-prompt-added", "r_user"),
        ("eval-prompt-removed", "tone"),
    }
    lowered = next(c for c in changes if c.kind == "authority-lowered" and c.section_id == "r_dev")
    assert lowered.flagged and (lowered.old, lowered.new) == ("developer", None)


def test_examples_added_removed_and_shifted_ids(tmp_path: Path) -> None:
    example = EXAMPLE
    head = "# S {#s authority=user}\n\nText.\n\n"
    one = example.format(t="one", l="GOOD")
    two = example.format(t="two", l="GOOD")
    old = write_spec_dir(tmp_path / "a", head + one + two)
    # A new first example shifts the ids: `two` is still the same example, `one` is gone.
    new = write_spec_dir(tmp_path / "b", head + example.format(t="zero", l="BAD") + two)
    changes = diff_specs(read_spec(old), read_spec(new)).changes
    assert [(c.kind, c.item_id) for c in changes] == [
        ("example-added", "s/example-1"),
        ("example-removed", "s/example-1"),
    ]
    relabelled = write_spec_dir(tmp_path / "c", head + example.format(t="one", l="OK") + two)
    (change,) = diff_specs(read_spec(old), read_spec(relabelled)).changes
    assert change.kind == "example-relabelled" and not change.flagged  # GOOD→OK: not flagged


def test_diff_outputs_json_markdown_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = small_edit(tmp_path)
    assert main(["diff", str(old), str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["kind"] for c in data["changes"]} >= {"section-added", "authority-lowered"}
    assert main(["diff", str(old), str(new), "--markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "### Flagged" in markdown and "authority-lowered" in markdown
    page = tmp_path / "diff.html"
    assert main(["diff", str(old), str(new), "--html", "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src &#x27;none&#x27;" in html
    assert "badge worse" in html and "r_new" in html


def test_fail_on_kinds_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = small_edit(tmp_path)
    assert main(["diff", str(old), str(new), "--fail-on", "section-removed"]) == 1
    assert main(["diff", str(old), str(new), "--fail-on", "good-to-bad"]) == 0
    assert main(["diff", str(old), str(new), "--fail-on", "example"]) == 1
    assert main(["diff", str(old), str(old), "--fail-on", "any"]) == 0
    capsys.readouterr()
    assert main(["diff", str(old), str(new), "--fail-on", "everything"]) == 2
    assert "unknown --fail-on kind 'everything'" in capsys.readouterr().err
    assert main(["diff", str(old), str(tmp_path / "missing")]) == 2


def test_spec_text_in_markdown_and_html_is_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    old = write_spec_dir(tmp_path / "a", "# S {#s authority=user}\n\nSafe.\n")
    new = write_spec_dir(tmp_path / "b", f"# S {{#s authority=user}}\n\n{hostile}\n")
    assert main(["diff", str(old), str(new), "--html"]) == 0
    html = capsys.readouterr().out
    assert "<script>alert" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert main(["diff", str(old), str(new), "--markdown"]) == 0
    markdown = capsys.readouterr().out
    # Escaped: `\<script\>` and `\[x\](…)` render as text, not as HTML or a link.
    assert "\\<script\\>" in markdown and not re.search(r"(?<!\\)<script", markdown)
    assert not re.search(r"(?<!\\)\]\(javascript", markdown)


def test_a_moved_section_is_only_moved(tmp_path: Path) -> None:
    sections = [f"## S{n} {{#s{n} authority=user}}\n\nText {n}.\n\n" for n in range(5)]
    head = "# Top {#top}\n\nIntro.\n\n"
    old = write_spec_dir(tmp_path / "a", head + "".join(sections))
    order = [sections[i] for i in (0, 3, 1, 2, 4)]
    new = write_spec_dir(tmp_path / "b", head + "".join(order))
    changes = diff_specs(read_spec(old), read_spec(new)).changes
    assert [(c.kind, c.section_id) for c in changes] == [("section-moved", "s3")]
    assert diff_specs(read_spec(old), read_spec(old)).changes == ()
