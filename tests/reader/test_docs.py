"""Every example in docs/dialect.md parses and every Python snippet prints what it claims."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from specwright import parse_spec

DOC = Path(__file__).resolve().parents[2] / "docs" / "dialect.md"
_BLOCK_RE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [m.group(2) for m in _BLOCK_RE.finditer(text) if m.group(1) == language]


def test_markdown_snippets_parse_together() -> None:
    snippets = _blocks("markdown")
    evals = [s for s in snippets if s.startswith("Examples for")]
    document = "\n".join(s for s in snippets if not s.startswith("Examples for"))
    spec = parse_spec(document, eval_files={"cfb1": evals[0]})
    assert all(spec.get(r.target) for r in spec.cross_references())
    assert spec.section("confirm").eval_tags == ("cfb1",)
    assert spec.eval_prompts[0].section_id == "confirm"
    assert spec.section("teens").tags == ("under_18",)
    prefs = spec.section("prefs").examples[0]
    assert [(a.label, a.after) for a in prefs.answers] == [
        ("GOOD", 1),
        ("BAD", None),
        ("OK", None),
    ]
    policy = spec.section("policy").examples[0]
    assert policy.messages[0].settings == {"corporate_account": True, "fare_cap_eur": 400}
    assert policy.messages[1].gap_before


def _expected(code: str) -> list[str]:
    expected = []
    for line in code.splitlines():
        if line.startswith("# "):
            expected.append(line[2:])
        elif "print(" in line and "  # " in line:
            expected.append(line.split("  # ", 1)[1])
    return expected


@pytest.mark.parametrize("code", _blocks("python"))
def test_python_snippets_print_what_they_claim(code: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})
    for expected in _expected(code):
        assert expected in out.getvalue()
