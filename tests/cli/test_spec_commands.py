"""``show``, ``stats``, ``lint`` and ``export`` end to end, in process and as a real program."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specwright import example_spec_path, read_spec
from specwright._cli import main
from tests._paths import require_real_spec


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_json_on_example_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "stats", str(example_spec_path()), "--json")
    assert code == 0, err
    data = json.loads(out)
    spec = read_spec(example_spec_path())
    assert data["sections"] == len(list(spec.walk()))
    assert set(data["sections_by_authority"]) == {
        "root",
        "system",
        "developer",
        "user",
        "guideline",
        "unset",
    }
    assert all(n > 0 for n in data["sections_by_authority"].values())
    # Issue 24: "sections 14" beside by-authority counts adding up to 7.
    assert sum(data["sections_by_authority"].values()) == data["sections"]
    assert data["labelled_answers"]["GOOD"] > 0 and data["labelled_answers"]["BAD"] > 0
    assert data["eval_prompts"] == len(spec.eval_prompts) > 0
    assert data["broken_cross_references"] == 0


def test_stats_json_on_real_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", str(require_real_spec()), "--json")
    data = json.loads(out)
    assert code == 0
    # Counted by hand on the 2025-12-18 release: 82 lines start with "#", two of them
    # (`# functions`, `# [...] imports`) inside fenced conversation blocks.
    assert data["sections"] == 80
    assert data["eval_files"] == 114
    # grep -c on model_spec.md / examples/*.md: **Example** lines, <comparison> lines,
    # <!-- GOOD / BAD / OK comments, [text](#id) links, !!! meta blocks.
    assert data["examples"] == 183
    assert data["comparisons"] == 189
    assert data["labelled_answers"] == {"GOOD": 193, "BAD": 196, "OK": 8}
    assert data["eval_prompts"] == 272
    assert data["cross_references"] == 110
    assert data["broken_cross_references"] == 0
    assert data["commentary_blocks"] == 28
    assert data["sections_by_authority"] == {
        "root": 22,
        "system": 3,
        "developer": 1,
        "user": 15,
        "guideline": 18,
        "unset": 21,
    }


def test_stats_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", str(example_spec_path()))
    assert code == 0 and "labelled answers" in out


def test_show_outline_and_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", str(example_spec_path()), "--json")
    outline = json.loads(out)
    assert code == 0 and outline[0]["depth"] >= 1
    with_examples = next(entry for entry in outline if entry["examples"])
    code, out, _ = run(capsys, "show", str(example_spec_path()), "--section", with_examples["id"])
    assert code == 0 and "GOOD" in out
    code, out, _ = run(
        capsys, "show", str(example_spec_path()), "--section", with_examples["id"], "--json"
    )
    section = json.loads(out)
    assert section["id"] == with_examples["id"] and section["effective_authority"]


def test_show_unknown_section_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", str(example_spec_path()), "--section", "nope")
    assert code == 2 and out == "" and "nope" in err


def test_lint_example_spec_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lint", str(example_spec_path()), "--json")
    assert json.loads(out) == [] and code == 0, err


def test_lint_findings_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "model_spec.md"
    spec.write_text("# A {#a authority=user}\n\nSee [?](#missing).\n", encoding="utf-8")
    code, out, err = run(capsys, "lint", str(spec))
    assert code == 1
    assert "model_spec.md:3:" in out and "broken-reference" in out
    assert "1 finding (1 error, 0 warnings, 0 infos)" in err


def test_malformed_spec_exit_2_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "model_spec.md"
    spec.write_text("# A {#a authority=overlord}\n", encoding="utf-8")
    for command in ("show", "stats", "lint", "export"):
        argv = [command, str(spec)] + (["--format", "json"] if command == "export" else [])
        code, out, err = run(capsys, *argv)
        assert code == 2, command
        assert out == ""
        assert err.count("\n") == 1 and "model_spec.md:1:" in err, err


def test_missing_spec_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "stats", str(tmp_path / "absent"))
    assert code == 2 and "absent" in err


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "export", str(example_spec_path()), "--format", "yaml")
    assert code == 2


def test_export_json_and_markdown_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "export", str(example_spec_path()), "--format", "json")
    assert code == 0
    original = read_spec(example_spec_path())
    assert json.loads(out)["title"] == original.title
    target = tmp_path / "copy"
    code, _, _ = run(
        capsys, "export", str(example_spec_path()), "--format", "markdown", "-o", str(target)
    )
    assert code == 0
    assert read_spec(target).content_hash() == original.content_hash()


def test_export_markdown_to_one_file_warns_about_eval_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", str(example_spec_path()), "--format", "markdown")
    # The example spec's front matter (title, version) comes first, then its first heading.
    assert code == 0 and out.startswith("---\ntitle: Wayfarer travel assistant\n")
    assert "\n---\n\n# Overview {#overview}\n" in out
    assert "warning: 3 eval prompt files not written; give -o a directory" in err


def test_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "model_spec.md"
    spec.write_text("# A {#a authority=overlord}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "specwright", "stats", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.count("\n") == 1 and "model_spec.md:1:" in proc.stderr, proc.stderr


@pytest.mark.parametrize(("setting", "coloured"), [(None, True), ("0", False)])
def test_colour_setting(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    coloured: bool,
) -> None:
    spec = tmp_path / "model_spec.md"
    spec.write_text("# A {#a}\n\nSee [missing](#nowhere).\n", encoding="utf-8")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich colours even though stdout is captured
    monkeypatch.delenv("NO_COLOR", raising=False)
    if setting is not None:
        monkeypatch.setenv("SPECWRIGHT_COLOR", setting)
    code, out, _ = run(capsys, "lint", str(spec))
    assert code == 1 and "broken-reference" in out
    assert ("\x1b[31m" in out or "\x1b[1;31m" in out) is coloured, repr(out)


def test_spec_text_is_not_read_as_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_dir = tmp_path / "[/]spec"  # a directory "[" holding "]spec"
    spec_dir.mkdir(parents=True)
    (spec_dir / "model_spec.md").write_text("# A {#a}\n\nSee [x](#no[/]where).\n", "utf-8")
    code, out, _ = run(capsys, "lint", str(spec_dir))
    assert code == 1 and "[/]spec" in out and "#no[/]where" in out
    code, out, _ = run(capsys, "stats", str(spec_dir))
    assert code == 0 and "[/]spec" in out


def test_show_escapes_the_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = read_spec(example_spec_path()).model_copy(update={"version": "v[/]1"})
    exported = tmp_path / "spec.json"
    exported.write_text(spec.model_dump_json(), encoding="utf-8")
    code, out, _ = run(capsys, "show", str(exported))
    assert code == 0 and "(v[/]1)" in out


def test_show_outline_is_not_cropped_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", str(example_spec_path()))
    spec = read_spec(example_spec_path())
    assert code == 0
    assert out.splitlines()[0] == f"{spec.title} ({spec.version})"
    for section in spec.walk():
        assert f"#{section.id}" in out
    assert "· 1 example\n" in out and "· 2 examples\n" in out


def test_published_stray_emphasis_loads_and_lint_names_each_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = require_real_spec()
    copy = tmp_path / real.parent.name / real.name
    shutil.copytree(real, copy)
    path = copy / "model_spec.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    closing = lines.index("</comparison>")
    opening = lines.index("<comparison>", closing + 1)
    for index in (closing, opening, opening + 1):  # as in the 2025-02-12 and 2025-04-11 text
        lines[index] = "*" + lines[index]
    path.write_text("\n".join(lines), encoding="utf-8")
    counts = []
    for spec in (real, copy):
        code, out, err = run(capsys, "stats", "--spec", str(spec), "--json")
        assert code == 0, err
        counts.append(json.loads(out))
    assert counts[0] == counts[1]
    code, out, err = run(capsys, "lint", "--spec", str(copy), "--select", "stray-emphasis")
    assert code == 1
    assert out.splitlines() == [
        f"{path}:{n + 1}:1: warning: stray emphasis around {tag}: '*{lines[n][1:]}' read as "
        "the bare tag [SW205 stray-emphasis]"
        for n, tag in (
            (closing, "</comparison>"),
            (opening, "<comparison>"),
            (opening + 1, "<assistant>"),
        )
    ]
