"""Lint catches what people mistype (issue 24.3): one-character slips in headings, attribute
blocks and block labels are findings with a location, never a silently different spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from specwright import example_spec_path, parse_spec
from specwright._lint import Finding, lint_spec
from tests._paths import require_real_spec
from tests.reader.typo_mutants import measure

SPEC = """# Rules {#rules}

Intro.

## Be brief {#brief authority=guideline}

Say little.

## Answer {#answer authority=user}

Answer the question.
"""


def _findings(text: str) -> list[Finding]:
    return [f for f in lint_spec(parse_spec(text, file="spec.md")) if f.code in {"SW206", "SW207"}]


def test_the_sample_spec_is_clean() -> None:
    assert _findings(SPEC) == []


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("## Answer {#answer", "##Answer {#answer", 9),  # merged into #brief before
        ("{#answer authority=user}", "{#answer authority=user", 9),  # id mangled, authority lost
        ("{#answer authority=user}", "#answer authority=user}", 9),
        ("{#answer authority=user}", "{#answer authority=user}}", 9),
        ("{#answer authority=user}", "{{#answer authority=user}", 9),
        ("{#answer authority=user}", "{#answer=authority=user}", 9),
        ("## Answer", "#### Answer", 9),  # a level skipped
        ("## Answer", " ## Answer", 9),
        ("## Answer", "##  Answer", 9),
        ("## Answer", "## #Answer", 9),
        ("# Rules {#rules}", "Rules {#rules}", 1),
        ("## Answer", "####### Answer", 9),
    ],
)
def test_a_heading_slip_is_a_finding_at_its_line(old: str, new: str, line: int) -> None:
    findings = _findings(SPEC.replace(old, new, 1))
    assert findings, new
    assert findings[0].location is not None and findings[0].location.line == line


_EXAMPLE = """# Rules {#rules}

## Confirm {#confirm authority=root}

**Example**: a booking

~~~xml
<user>
Book it.
</user>
<comparison>
<assistant> <!-- GOOD -->
Shall I?
</assistant>
</comparison>
~~~

!!! meta "Commentary"
    Why this rule exists.
"""


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("**Example**:", "**Exmple**:", 5),  # the example became plain text
        ("**Example**:", "*Example**:", 5),
        ("**Example**:", "**Exampel**:", 5),
        ("~~~xml\n<user>", "~~~xm\n<user>", 7),
        ("~~~xml\n<user>", "~~xml\n<user>", 8),  # no fence: the tags are plain text
        ('!!! meta "Commentary"', '!! meta "Commentary"', 18),
    ],
)
def test_a_label_slip_is_a_finding_at_its_line(old: str, new: str, line: int) -> None:
    assert _findings(_EXAMPLE) == []
    findings = _findings(_EXAMPLE.replace(old, new, 1))
    assert line in {f.location.line for f in findings if f.location is not None}, findings


def test_a_slip_in_an_eval_prompt_file_names_that_file() -> None:
    text = SPEC.replace("Say little.", "Say little.[^ab12]")
    evals = {"ab12": "**Exmple**: one\n\n~~~xml\n<user>\nhi\n</user>\n~~~\n"}
    spec = parse_spec(text, file="spec.md", eval_files=evals)
    slips = [f for f in lint_spec(spec) if f.code == "SW206"]
    assert slips and slips[0].location is not None and slips[0].location.line == 1


def _share(directory: Path, every: int) -> float:
    evals = {p.stem: p.read_text("utf-8") for p in (directory / "examples").glob("*.md")}
    text = (directory / "model_spec.md").read_text("utf-8")
    return measure(text, evals, every=every).share


def test_most_one_character_heading_slips_are_caught_in_the_example_spec() -> None:
    # The full measure on the real spec is benchmarks/bench_typos.py (docs/dialect.md).
    assert _share(example_spec_path(), every=5) >= 0.95


def test_most_one_character_heading_slips_are_caught_in_the_real_spec() -> None:
    assert _share(require_real_spec(), every=251) >= 0.9


def test_bench_typos_runs_on_a_fresh_clone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests._benchmarks import load_benchmark

    module = load_benchmark("bench_typos")
    monkeypatch.setattr(module, "REAL_SPEC", tmp_path / "absent")
    monkeypatch.setattr("sys.argv", ["bench_typos.py"])
    assert module.main() == 0
    out = capsys.readouterr().out
    assert "example spec:" in out and "real spec: skipped" in out
