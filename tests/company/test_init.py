"""``specwright init``: a lint-clean overlay that composes on its base."""

from __future__ import annotations

from pathlib import Path

import pytest

from specwright import example_spec_path, lint_spec, read_spec
from specwright._cli import main


def test_init_on_the_example_spec_is_lint_clean(tmp_path: Path) -> None:
    target = tmp_path / "acme"
    assert main(["init", str(target), "--base", str(example_spec_path()), "--name", "Acme"]) == 0
    spec = read_spec(target)
    assert [layer.title for layer in spec.layers] == ["Wayfarer travel assistant", "Acme assistant"]
    ours = [s for s in spec.walk() if s.provenance and s.provenance.layer_index == 1]
    levels = {spec.effective_authority(s.id) for s in ours}
    assert levels == {"developer", "user", "guideline"}
    labels = {a.label for s in ours for e in s.examples for a in e.answers}
    assert labels == {"GOOD", "BAD"}
    assert [p.section_id for p in spec.eval_prompts if p.tag == "acme1"] == ["acme_scope"]
    assert lint_spec(spec) == []
    assert main(["lint", str(target), "--strict"]) == 0


def test_init_on_the_real_spec_adds_no_findings(real_spec: Path, tmp_path: Path) -> None:
    target = tmp_path / "northwind"
    assert main(["init", str(target), "--base", str(real_spec), "--name", "North Wind"]) == 0
    spec = read_spec(target)
    base_findings = {str(f) for f in lint_spec(read_spec(real_spec))}
    new = [
        f for f in lint_spec(spec) if f.layer != "openai-model-spec" and str(f) not in base_findings
    ]
    assert [f for f in new if f.layer == "North Wind assistant"] == []
    assert spec.get("north_wind_scope") is not None


def test_init_refuses_to_overwrite_and_bad_bases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "acme"
    base = str(example_spec_path())
    assert main(["init", str(target), "--base", base]) == 0
    assert main(["init", str(target), "--base", base]) == 2
    assert "exists: pass --force" in capsys.readouterr().err
    assert main(["init", str(target), "--base", base, "--force", "--name", "Beta"]) == 0
    assert read_spec(target).title == "Beta assistant"
    assert main(["init", str(tmp_path / "x"), "--base", "https://example.com/m.md"]) == 2
    assert "needs --sha256" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "y"), "--base", str(tmp_path / "missing")]) == 2
    assert "base spec not found" in capsys.readouterr().err
    # A name whose slug the base already uses for ids would clash.
    assert main(["init", str(tmp_path / "z"), "--base", base, "--name", "Style"]) == 2
    assert "already has section ids starting with 'style'" in capsys.readouterr().err
