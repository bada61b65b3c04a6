"""Composed specs: provenance in every face, the hash, chains, and ``specwright compose``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from specwright import Spec, compose_spec, example_spec_path, lint_spec, read_spec
from specwright._cli import main
from specwright._model import _strip_locations
from tests.company.conftest import SpecWriter, eval_file, write_spec_dir
from tests.company.test_layer_rules import base_line

OVERLAY_BODY = """\
# Acme {#acme}

Book through the Acme desk[^acme1]; see [?](#tone).

## Acme tone {#acme_tone authority=guideline}

Use first names.

# Tone {#tone authority=user}

Be formal with Acme's clients.
"""
OVERLAY_EVALS = {"acme1": eval_file("acme1", "Book it.")}


@pytest.fixture
def layered(overlay: SpecWriter) -> Path:
    return overlay("version: '2026.1'\noverrides: [tone]\n", OVERLAY_BODY, OVERLAY_EVALS)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_single_specs_hash_as_before_layers_existed(base_dir: Path) -> None:
    spec = read_spec(base_dir)
    # The hash as it was computed before `provenance` and `layers` joined the model.
    data = spec.model_dump(mode="json", exclude={"source", "layers"})
    for section in data["sections"]:
        _drop_provenance(section)
    canonical = json.dumps(_strip_locations(data), sort_keys=True, separators=(",", ":"))
    assert spec.content_hash() == hashlib.sha256(canonical.encode()).hexdigest()


def _slow_hash(spec: Spec) -> str:
    data = _strip_locations(spec.model_dump(mode="json", exclude={"source"}))
    assert isinstance(data, dict)
    layers = data.pop("layers")
    if layers:
        data["layers"] = [{k: v for k, v in layer.items() if k != "source"} for layer in layers]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_the_fast_hash_agrees_with_stripping_locations(
    layered: Path, base_dir: Path, tmp_path: Path
) -> None:
    odd = write_spec_dir(
        tmp_path / "odd",
        "# A {#a authority=user}\n\n**Example**: x\n\n~~~xml\n"
        '<tool location="here">\nok\n</tool>\n~~~\n',
    )
    for path in (layered, base_dir, odd, example_spec_path()):
        spec = read_spec(path)
        assert spec.content_hash() == _slow_hash(spec), path


def _drop_provenance(section: dict[str, object]) -> None:
    del section["provenance"]
    for child in section["children"]:  # type: ignore[attr-defined]
        _drop_provenance(child)


def test_the_composed_hash_covers_every_layer(layered: Path, base_dir: Path) -> None:
    before = read_spec(layered).content_hash()
    text = (base_dir / "model_spec.md").read_text(encoding="utf-8")
    # The overridden section's base text is not in the composed tree, yet the hash moves.
    (base_dir / "model_spec.md").write_text(text.replace("Be warm", "Be kind"), encoding="utf-8")
    after = read_spec(layered)
    assert "Be kind" not in json.dumps(after.model_dump(mode="json", exclude={"layers"}))
    assert after.content_hash() != before
    # Moving the files elsewhere keeps the hash: paths are not content.
    assert read_spec(layered).content_hash() == after.content_hash()


def test_a_composed_spec_is_a_spec_like_any_other(layered: Path, tmp_path: Path) -> None:
    spec = read_spec(layered)
    assert spec.title == "Acme layer" and spec.version == "2026.1"
    assert spec.section("acme").eval_tags == ("acme1",)
    assert [p.section_id for p in spec.eval_prompts if p.tag == "acme1"] == ["acme"]
    assert {p.section_id for p in spec.eval_prompts if p.tag == "pref"} == {"r_user"}
    # The base's tone prompts tested the replaced text: they went with it.
    assert "tone" not in spec.eval_files
    assert [f.code for f in lint_spec(spec) if f.severity != "info"] == []
    exported = tmp_path / "composed.json"
    exported.write_text(spec.model_dump_json(), encoding="utf-8")
    assert read_spec(exported) == spec


def test_lint_findings_name_the_layer(
    overlay: SpecWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    path = overlay(body="# Acme {#acme}\n\nSee [?](#nowhere).\n")
    findings = [f for f in lint_spec(read_spec(path)) if f.code == "SW102"]
    assert [(f.layer, f.section_id) for f in findings] == [("Acme layer", "acme")]
    assert "(layer: Acme layer)" in str(findings[0])
    code, out, _ = run(capsys, "lint", str(path), "--json")
    assert code == 1 and [f["layer"] for f in json.loads(out)] == ["Acme layer"]
    code, out, _ = run(capsys, "lint", str(path))
    assert code == 1 and "(layer: Acme layer)" in out


def test_show_stats_lint_export_show_provenance(
    layered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", str(layered), "--json")
    assert code == 0
    entries = {entry["id"]: entry for entry in json.loads(out)}
    assert entries["acme"]["layer"] == "Acme layer" and entries["r_root"]["layer"] == "Base spec"
    assert entries["tone"]["replaced"]["layer"] == "Base spec"
    assert entries["tone"]["replaced"]["authority"] == "guideline"
    assert entries["tone"]["replaced"]["location"].endswith(
        f"base/model_spec.md:{base_line('tone')}:1"
    )
    code, out, _ = run(capsys, "show", str(layered), "--section", "tone")
    assert (
        code == 0 and "overriding Base spec" in out and f"model_spec.md:{base_line('tone')}" in out
    )
    code, out, _ = run(capsys, "stats", str(layered), "--json")
    assert json.loads(out)["sections_by_layer"] == {"Base spec": 9, "Acme layer": 3}
    code, out, _ = run(capsys, "export", str(layered), "--format", "json")
    data = json.loads(out)
    assert data["layers"][1]["overridden"] == ["tone"]
    tone = data["sections"][1]["children"][-1]
    assert tone["id"] == "tone" and tone["provenance"]["replaced"]["layer"] == "Base spec"


def test_stats_of_a_single_spec_has_no_layers(
    base_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "stats", str(base_dir))
    assert code == 0 and "layer" not in out


def test_a_chain_of_three_layers(tmp_path: Path, layered: Path) -> None:
    team = write_spec_dir(
        tmp_path / "team",
        "---\ntitle: Team layer\nextends: ../overlay\nceiling: user\noverrides: [acme_tone]\n---\n"
        "# Team tone {#acme_tone authority=guideline}\n\nUse surnames.\n",
    )
    spec = read_spec(team)
    assert [layer.title for layer in spec.layers] == ["Base spec", "Acme layer", "Team layer"]
    origin = spec.section("acme_tone").provenance
    assert origin is not None and origin.layer_index == 2 and origin.replaced is not None
    assert origin.replaced.layer == "Acme layer"
    assert spec.section("r_root").provenance.layer == "Base spec"  # type: ignore[union-attr]
    refused = write_spec_dir(
        tmp_path / "team2",
        "---\nextends: ../overlay\nceiling: user\noverrides: [acme]\n---\n# A {#acme}\n\nX.\n",
    )
    with pytest.raises(Exception, match="developer-level, at or above this layer's ceiling"):
        read_spec(refused)


def test_compose_api_lets_a_base_stand_in_for_extends(layered: Path, base_dir: Path) -> None:
    assert compose_spec(base_dir, layered) == read_spec(layered)
    plain = write_spec_dir(layered.parent / "plain", "# Extra {#extra authority=user}\n\nX.\n")
    spec = compose_spec(read_spec(base_dir), plain)
    assert spec.section("extra").provenance.layer == "Extra"  # type: ignore[union-attr]
    assert spec.layers[1].ceiling == "developer"


def test_compose_command_writes_json_markdown_and_directories(
    layered: Path, base_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = read_spec(layered)
    code, out, _ = run(capsys, "compose", str(base_dir), str(layered))
    assert code == 0 and Spec.model_validate_json(out).content_hash() == expected.content_hash()
    code, _, err = run(
        capsys, "compose", str(base_dir), str(layered), "-o", str(tmp_path / "c.json")
    )
    assert code == 0 and "2 layers" in err
    assert read_spec(tmp_path / "c.json").content_hash() == expected.content_hash()
    code, _, _ = run(capsys, "compose", str(base_dir), str(layered), "-o", str(tmp_path / "flat"))
    flat = read_spec(tmp_path / "flat")
    assert code == 0 and flat.layers == () and flat.title == "Acme layer"
    assert [s.id for s in flat.walk()] == [s.id for s in expected.walk()]
    assert set(flat.eval_files) == set(expected.eval_files)


def test_compose_command_errors_are_one_line_exit_2(
    overlay: SpecWriter, base_dir: Path, tmp_path: Path
) -> None:
    bad = overlay("overrides: [r_root]\n", "# Mine {#r_root authority=user}\n\nX.\n")
    result = subprocess.run(
        [sys.executable, "-m", "specwright", "compose", str(base_dir), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "cannot override 'r_root'" in result.stderr
    assert "Traceback" not in result.stderr
    code = main(["compose", str(base_dir), str(tmp_path / "missing")])
    assert code == 2


def test_check_and_compile_take_a_composed_spec(
    layered: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    conversation = tmp_path / "c.json"
    conversation.write_text(
        json.dumps(
            [{"role": "developer", "content": "Acme only."}, {"role": "user", "content": "Hi"}]
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", str(conversation), "--spec", str(layered), "--json")
    assert code in (0, 1), err
    assert json.loads(out)
