"""The chain-of-command rules of layered specs: one test per rule, every refused override."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specwright import SpecError, read_spec
from tests.company.conftest import BASE, SpecWriter


def base_line(section_id: str) -> int:
    """The line of the base heading holding ``{#section_id``."""
    lines = BASE.splitlines()
    pattern = re.compile(r"\{#" + re.escape(section_id) + r"[ }]")
    return next(n for n, line in enumerate(lines, 1) if pattern.search(line))


def overlay_line(path: Path, needle: str) -> int:
    lines = (path / "model_spec.md").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def refused(path: Path) -> str:
    with pytest.raises(SpecError) as caught:
        read_spec(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def names_both(message: str, path: Path, overlay_needle: str, section_id: str) -> None:
    """The error names the layer's file:line and the base section's file:line."""
    here = f"{path / 'model_spec.md'}:{overlay_line(path, overlay_needle)}:"
    there = f"{path.parent / 'base' / 'model_spec.md'}:{base_line(section_id)}"
    assert message.startswith(here), message
    assert there in message, message


# ------------------------------------------------------------------------ adding sections


def test_added_sections_are_appended_with_the_ceiling_and_provenance(overlay: SpecWriter) -> None:
    path = overlay(
        body="# Acme {#acme}\n\nBook via Acme.\n\n"
        "## Acme tone {#acme_tone authority=user}\n\nBe brief.\n"
    )
    spec = read_spec(path)
    assert [s.id for s in spec.sections] == ["framing", "rules", "acme"]
    acme = spec.section("acme")
    assert acme.authority == "developer"  # no level given: the layer's ceiling
    assert spec.effective_authority("acme_tone") == "user"
    assert acme.provenance is not None and acme.provenance.layer == "Acme layer"
    assert acme.provenance.layer_index == 1 and acme.provenance.replaced is None
    assert acme.provenance.location is not None
    assert acme.provenance.location.file == str(path / "model_spec.md")
    assert all(s.provenance is not None for s in spec.walk())
    root = spec.section("r_root").provenance
    assert root is not None and root.layer == "Base spec" and root.layer_index == 0
    assert [layer.title for layer in spec.layers] == ["Base spec", "Acme layer"]
    assert spec.layers[1].ceiling == "developer" and spec.layers[0].ceiling is None


@pytest.mark.parametrize("level", ["root", "system"])
def test_a_layer_section_above_its_ceiling_is_refused(overlay: SpecWriter, level: str) -> None:
    path = overlay(body=f"# Acme {{#acme authority={level}}}\n\nObey Acme.\n")
    message = refused(path)
    assert message.startswith(f"{path / 'model_spec.md'}:{overlay_line(path, '# Acme')}:")
    assert f"{level}-level, above this layer's ceiling (developer" in message


def test_a_lower_ceiling_refuses_developer_sections(overlay: SpecWriter) -> None:
    path = overlay("ceiling: user\n", "# Acme {#acme authority=developer}\n\nObey.\n")
    assert "developer-level, above this layer's ceiling (user" in refused(path)


@pytest.mark.parametrize("value", ["root", "platform", "admin"])
def test_a_ceiling_of_root_or_unknown_is_refused(overlay: SpecWriter, value: str) -> None:
    path = overlay(f"ceiling: {value}\n", "# Acme {#acme}\n\nObey.\n")
    message = refused(path)
    assert f"{path / 'model_spec.md'}:4:" in message and "not a layer's level" in message


# ------------------------------------------------------------------------ overriding


@pytest.mark.parametrize("section_id", ["r_user", "tone"])
def test_overriding_below_the_ceiling_replaces_in_place(
    overlay: SpecWriter, section_id: str
) -> None:
    path = overlay(
        f"overrides: [{section_id}]\n",
        f"# Ours {{#{section_id}}}\n\nOur own rule.\n\n## Ours too {{#ours_child}}\n\nMore.\n",
    )
    spec = read_spec(path)
    section = spec.section(section_id)
    assert section.title == "Ours" and section.body == "Our own rule."
    assert section.depth == 2 and spec.parent(section_id) == spec.section("rules")
    assert section.authority == read_spec(path.parent / "base").section(section_id).authority
    origin = section.provenance
    assert origin is not None and origin.layer == "Acme layer" and origin.replaced is not None
    assert origin.replaced.layer == "Base spec"
    assert origin.replaced.location is not None
    assert origin.replaced.location.line == base_line(section_id)
    # The base's sub-sections stay; the layer's own come after them, one level deeper.
    assert [c.id for c in section.children][-1] == "ours_child"
    assert spec.section("ours_child").depth == 3
    assert spec.layers[1].overridden == (section_id,)


def test_an_override_may_raise_a_default_up_to_the_ceiling(overlay: SpecWriter) -> None:
    path = overlay("overrides: [tone]\n", "# Tone {#tone authority=developer}\n\nBe formal.\n")
    assert read_spec(path).effective_authority("tone") == "developer"


@pytest.mark.parametrize(
    ("section_id", "why"),
    [
        ("r_root", "root-level, and root and system sections are never overridden"),
        ("r_system", "system-level, and root and system sections are never overridden"),
        ("r_dev", "developer-level, at or above this layer's ceiling (developer)"),
        ("no_insult", "root-level, and root and system sections are never overridden"),
        ("framing", "no authority level"),
        ("rules", "no authority level"),
    ],
)
def test_refused_overrides_name_both_locations(
    overlay: SpecWriter, section_id: str, why: str
) -> None:
    path = overlay(
        f"overrides: [{section_id}]\n", f"# Mine {{#{section_id} authority=guideline}}\n\nX.\n"
    )
    message = refused(path)
    assert f"cannot override {section_id!r}" in message and why in message
    names_both(message, path, "# Mine", section_id)


def test_overriding_at_a_lower_ceiling_is_refused(overlay: SpecWriter) -> None:
    path = overlay(
        "ceiling: user\noverrides: [r_user]\n", "# Mine {#r_user authority=user}\n\nX.\n"
    )
    message = refused(path)
    assert "user-level, at or above this layer's ceiling (user)" in message
    names_both(message, path, "# Mine", "r_user")


def test_an_inherited_level_counts(overlay: SpecWriter) -> None:
    # r_user_detail has no level of its own: it is user-level through its parent.
    path = overlay("ceiling: user\noverrides: [r_user_detail]\n", "# Mine {#r_user_detail}\n\nX.\n")
    names_both(refused(path), path, "# Mine", "r_user_detail")


def test_a_duplicate_id_without_overrides_names_both_locations(overlay: SpecWriter) -> None:
    path = overlay(body="# Tone again {#tone authority=guideline}\n\nX.\n")
    message = refused(path)
    assert "duplicate section id 'tone'" in message and "overrides:" in message
    names_both(message, path, "# Tone again", "tone")


def test_a_duplicate_of_a_root_section_is_still_a_duplicate_first(overlay: SpecWriter) -> None:
    path = overlay(body="# Root again {#r_root authority=guideline}\n\nX.\n")
    names_both(refused(path), path, "# Root again", "r_root")


# ------------------------------------------------------------------------ disabling


def test_disabling_below_the_ceiling_drops_the_section(overlay: SpecWriter) -> None:
    path = overlay("disables: [tone]\n", "# Acme {#acme}\n\nX.\n")
    spec = read_spec(path)
    assert spec.get("tone") is None and spec.layers[1].disabled == ("tone",)
    # Its eval prompt file tests a rule that is gone: it goes too; others stay.
    assert "tone" not in spec.eval_files and "pref" in spec.eval_files
    assert all(p.tag != "tone" for p in spec.eval_prompts)


@pytest.mark.parametrize(
    ("section_id", "why"),
    [
        ("r_root", "root-level"),
        ("r_system", "system-level"),
        ("r_dev", "at or above this layer's ceiling"),
        ("framing", "no authority level"),
    ],
)
def test_refused_disables_name_both_locations(
    overlay: SpecWriter, section_id: str, why: str
) -> None:
    path = overlay(f"disables:\n  - {section_id}\n", "# Acme {#acme}\n\nX.\n")
    message = refused(path)
    assert f"cannot disable {section_id}" in message and why in message
    names_both(message, path, f"  - {section_id}", section_id)


def test_disabling_a_section_with_a_root_sub_section_is_refused(overlay: SpecWriter) -> None:
    path = overlay("disables: [style]\n", "# Acme {#acme}\n\nX.\n")
    message = refused(path)
    assert "its sub-section 'no_insult'" in message
    names_both(message, path, "disables:", "no_insult")


# ------------------------------------------------------------------------ naming mistakes


@pytest.mark.parametrize(
    ("front", "body", "expected"),
    [
        ("overrides: [nope]\n", "# N {#nope}\n\nX.\n", "base spec has no such section"),
        ("disables: [nope]\n", "", "base spec has no such section"),
        ("overrides: [tone]\n", "# A {#acme}\n\nX.\n", "this layer has no section 'tone'"),
        (
            "overrides: [tone]\ndisables: [tone]\n",
            "# T {#tone}\n\nX.\n",
            "both overridden and disabled",
        ),
        ("disables: [tone]\n", "# T {#tone}\n\nX.\n", "this layer also defines it"),
        ("overrides: [tone, tone]\n", "# T {#tone}\n\nX.\n", "named twice"),
        ("overrides: {a: b}\n", "", "non-id entry"),
        ("extends: ../elsewhere\n", "", "given twice"),
    ],
)
def test_naming_mistakes_are_one_line_at_the_front_matter(
    overlay: SpecWriter, front: str, body: str, expected: str
) -> None:
    path = overlay(front, body)
    message = refused(path)
    assert expected in message
    assert re.match(re.escape(str(path / "model_spec.md")) + r":\d+:\d+: ", message), message


def test_a_missing_base_is_named_at_the_extends_line(tmp_path: Path) -> None:
    from tests.company.conftest import write_spec_dir

    path = write_spec_dir(tmp_path / "o", "---\nextends: ../gone\n---\n# A {#a}\n\nX.\n")
    message = refused(path)
    assert message.startswith(f"{path / 'model_spec.md'}:2:") and "base spec not found" in message


def test_an_extends_cycle_is_refused(tmp_path: Path) -> None:
    from tests.company.conftest import write_spec_dir

    write_spec_dir(tmp_path / "a", "---\nextends: ../b\n---\n# A {#a}\n\nX.\n")
    path = write_spec_dir(tmp_path / "b", "---\nextends: ../a\n---\n# B {#b}\n\nX.\n")
    assert "goes round in a circle" in refused(path)
    selfish = write_spec_dir(tmp_path / "c", "---\nextends: .\n---\n# C {#c}\n\nX.\n")
    assert "goes round in a circle" in refused(selfish)


def test_an_eval_file_clash_is_refused(overlay: SpecWriter) -> None:
    path = overlay(body="# Acme {#acme}\n\nX[^tone].\n", evals={"tone": "Examples for [^tone]:\n"})
    assert "eval prompt file tone.md exists in the base spec too" in refused(path)
