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
    assert f"--base {tmp_path / 'missing'}: no such file" in capsys.readouterr().err
    # A name whose slug the base already uses for ids would clash.
    assert main(["init", str(tmp_path / "z"), "--base", base, "--name", "Style"]) == 2
    assert "already has section ids starting with 'style'" in capsys.readouterr().err


def test_a_missing_base_is_reported_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 24.5: the error named newco/model_spec.md:1:1 (a file never written) and a hint
    # about `extends:`, a key the user never typed.
    monkeypatch.chdir(tmp_path)
    assert main(["init", "newco", "--base", "openai-model-spec/2025-12-18"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("specwright: error: --base openai-model-spec/2025-12-18: no such")
    assert "extends" not in err and "model_spec.md:1:1" not in err
    assert "--sha256" in err and err.count("\n") == 1
    assert not (tmp_path / "newco").exists()


def test_init_help_shows_how_to_get_the_published_base(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["init", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "https://raw.githubusercontent.com/openai/model_spec/" in shown
    assert "--sha256 " in shown


def test_the_pinned_hash_is_the_reference_copy(real_spec: Path) -> None:
    import hashlib

    from specwright._cli.init import MODEL_SPEC_SHA256

    digest = hashlib.sha256((real_spec / "model_spec.md").read_bytes()).hexdigest()
    assert digest == MODEL_SPEC_SHA256


def _base_with_a_finding(tmp_path: Path) -> Path:
    import shutil

    base = tmp_path / "base"
    shutil.copytree(example_spec_path(), base)
    (base / "examples" / "zz99.md").write_text(
        "**Example**: x\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n"
    )
    return base


def test_linting_a_layer_lists_its_own_findings_and_counts_the_bases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 24.4: `init`'s printed next step (`specwright lint DIR`) exited 1 on findings
    # that all belonged to the base.
    target = tmp_path / "acme"
    assert main(["init", str(target), "--base", str(_base_with_a_finding(tmp_path))]) == 0
    assert "next: specwright lint" in capsys.readouterr().err
    assert main(["lint", str(target)]) == 0
    captured = capsys.readouterr()
    assert "zz99" not in captured.out
    assert "Wayfarer travel assistant: 1 finding" in captured.err
    assert "--include-base" in captured.err
    assert main(["lint", str(target), "--include-base"]) == 1
    assert "zz99" in capsys.readouterr().out
    # The layer's own slips are still its own.
    spec_file = target / "model_spec.md"
    spec_file.write_text(spec_file.read_text().replace("## Keep answers", "##Keep answers"))
    assert main(["lint", str(target)]) == 1
    assert f"{spec_file}:" in capsys.readouterr().out


def test_init_next_steps_succeed_on_the_real_spec(
    real_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "acme-spec"
    assert main(["init", str(target), "--base", str(real_spec)]) == 0
    assert main(["lint", str(target)]) == 0
    assert main(["show", str(target)]) == 0
