"""Hostile layering front matter and overlays: a one-line SpecError, never a traceback or a hang."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from specwright import SpecError, read_spec
from tests.company.conftest import SpecWriter

FRONT_LINES = [
    "extends: ../base",
    "extends: ../base/model_spec.md",
    "extends: ''",
    "extends: [a, b]",
    "extends: {url: x}",
    'extends: "../base\\0x"',
    "extends: " + "a/" * 3000,
    "extends: ../overlay",
    "extends: https://",
    "extends: http://10.0.0.1/m.md",
    "sha256: " + "f" * 64,
    "sha256: [1]",
    "ceiling: root",
    "ceiling: user",
    "ceiling: guideline",
    "ceiling: ~",
    "ceiling: [developer]",
    "overrides: [tone]",
    "overrides: [r_root]",
    "overrides: [[tone]]",
    "overrides: tone",
    "overrides: ''",
    "overrides: [tone, tone]",
    "overrides: {tone: 1}",
    "disables: [style]",
    "disables: [tone, r_user]",
    "disables: [nope]",
    "disables: " + "[" * 200 + "]" * 200,
    "overrides: &a [tone]",
    "disables: *a",
    "title: x",
    "- list item",
    "extends: !!python/object/apply:os.system ['true']",
]
BODY_LINES = [
    "# Acme {#acme}",
    "# Tone {#tone authority=user}",
    "# Root {#r_root authority=guideline}",
    "## Deep {#deep}",
    "###### Deepest {#deepest}",
    "# Boss {#boss authority=root}",
    "Text[^tone] and [?](#r_root).",
    "",
    "---",
]


def test_random_overlays_fail_cleanly(overlay: SpecWriter, tmp_path: Path) -> None:
    rng = random.Random(12)
    deadline = time.monotonic() + 60
    outcomes = {"ok": 0, "error": 0}
    for _ in range(150):
        front = "".join(line + "\n" for line in rng.sample(FRONT_LINES, rng.randint(0, 4)))
        body = "\n\n".join(rng.choice(BODY_LINES) for _ in range(rng.randint(0, 6)))
        path = overlay(front, body + "\n")
        try:
            read_spec(path)
            outcomes["ok"] += 1
        except SpecError as error:
            assert "\n" not in str(error), str(error)
            outcomes["error"] += 1
        assert time.monotonic() < deadline, "composition is too slow on hostile overlays"
    assert outcomes["ok"] and outcomes["error"]


@pytest.mark.parametrize(("levels", "fits"), [(3, True), (4, False)])
def test_an_override_keeps_its_sub_sections_within_six_levels(
    overlay: SpecWriter, levels: int, fits: bool
) -> None:
    # r_user_detail stands at level 3 of the base: the override takes that level.
    nested = "".join(f"{'#' * (n + 1)} L{n} {{#l{n}}}\n\nX.\n\n" for n in range(1, levels + 1))
    path = overlay("overrides: [r_user_detail]\n", "# D {#r_user_detail}\n\nX.\n\n" + nested)
    if fits:
        spec = read_spec(path)
        assert spec.section(f"l{levels}").depth == 6 and spec.parent("l1").id == "r_user_detail"  # type: ignore[union-attr]
    else:
        with pytest.raises(SpecError, match="deeper than level 6"):
            read_spec(path)
