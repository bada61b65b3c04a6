"""The real OpenAI Model Spec as a base: a sample company overlay, and refused overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from specwright import SpecError, compose_spec, lint_spec, read_spec
from tests.company.conftest import write_spec_dir

NORTHWIND = Path(__file__).parent / "data" / "northwind"


def test_the_sample_overlay_composes_on_the_real_spec(real_spec: Path) -> None:
    base = read_spec(real_spec)
    spec = compose_spec(base, NORTHWIND)
    ids = [s.id for s in spec.walk()]
    assert len(ids) == len(list(base.walk())) + 3 - 1  # three added, one disabled
    assert "respond_to_audio_testing_in_voice_mode" not in ids
    professional = spec.section("be_professional")
    assert professional.provenance is not None and professional.provenance.replaced is not None
    assert spec.parent("be_professional") == spec.section("style")
    assert spec.effective_authority("northwind_scope") == "developer"
    assert {p.section_id for p in spec.eval_prompts if p.tag == "nw1"} == {"northwind_scope"}
    ours = [f for f in lint_spec(spec) if f.layer == "Northwind support assistant"]
    assert ours == []
    assert spec.content_hash() != base.content_hash()
    assert sum(s.provenance is None for s in spec.walk()) == 0


@pytest.mark.parametrize(
    "section_id",
    ["letter_and_spirit", "comply_with_laws", "avoid_regulated_advice", "chain_of_command"],
)
def test_overriding_the_real_specs_upper_levels_is_refused(
    real_spec: Path, tmp_path: Path, section_id: str
) -> None:
    overlay = write_spec_dir(
        tmp_path / "o",
        f"---\noverrides: [{section_id}]\n---\n\n"
        f"# Ours {{#{section_id} authority=guideline}}\n\nX.\n",
    )
    with pytest.raises(SpecError) as caught:
        compose_spec(real_spec, overlay)
    message = str(caught.value)
    assert message.startswith(f"{overlay / 'model_spec.md'}:5:")
    assert re.search(re.escape(str(real_spec / "model_spec.md")) + r":\d+", message)
