"""The reader on the real OpenAI Model Spec (2025-12-18): complete and exact.

Every count below was checked by hand against the files (grep, and markdown-it for headings).
Skipped with the reason when ``../shared/data/openai-model-spec`` is absent.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from specwright import Attachment, Spec, UntrustedPart, read_spec
from tests._paths import require_real_spec

pytestmark = pytest.mark.realspec


@cache
def _read(path: Path) -> Spec:
    return read_spec(path)


@pytest.fixture
def spec() -> Spec:
    return _read(require_real_spec())


def test_sections_and_authorities(spec: Spec) -> None:
    sections = list(spec.walk())
    # 82 lines start with '#'; `# functions` and `# [...] imports` stand inside fences.
    assert len(sections) == 80
    assert Counter(s.authority for s in sections if s.authority) == {
        "root": 22,
        "system": 3,
        "developer": 1,
        "user": 15,
        "guideline": 18,
    }
    # Ten level-1 headings, no front matter: no title (never a folder's name, issue 22.5).
    assert spec.title == ""
    assert spec.version == "2025-12-18"
    assert [s.id for s in spec.sections][:3] == ["overview", "definitions", "chain_of_command"]
    u18 = spec.section("prioritize_teen_safety")
    assert u18.tags == ("under_18",)
    assert u18.authority == "root"
    assert spec.parent("prioritize_teen_safety") == spec.section("chatgpt_u18")


def test_headings_inside_fences_are_not_sections(spec: Spec) -> None:
    titles = {s.title for s in spec.walk()}
    assert "functions" not in titles
    assert "[...] imports" not in titles
    assert spec.section("support_programmatic_use").location.line == 3384  # type: ignore[union-attr]


def test_examples_comparisons_and_labels(spec: Spec) -> None:
    examples = [e for _, e in spec.examples()]
    assert len(examples) == 183
    assert sum(e.has_comparison for e in examples) == 181
    # 189 <comparison> blocks: 8 examples hold two, with turns between them.
    assert sum(len({a.after for a in e.answers}) for e in examples) == 189
    labels = Counter(a.label for e in examples for a in e.answers)
    assert labels == {"GOOD": 193, "BAD": 196, "OK": 8}
    assert sum(1 for e in examples for a in e.answers if a.reference) == 14
    assert all(e.fence == "~~~xml" for e in examples)


def test_multi_comparison_example_keeps_turn_order(spec: Spec) -> None:
    example = spec.section("protect_privacy").examples[0]
    assert [m.role for m in example.messages] == ["user", "user"]
    assert [a.after for a in example.answers] == [1, 1, None]
    assert [a.label for a in example.answers] == ["BAD", "GOOD", "GOOD"]
    assert example.answers[0].reference == "chain_of_command"


def test_message_constructs(spec: Spec) -> None:
    examples = [e for _, e in spec.examples()]
    messages = [m for e in examples for m in e.messages] + [
        a.message for e in examples for a in e.answers
    ]
    assert len(messages) == 630
    assert sum(m.gap_before for m in messages) == 1
    assert sum(isinstance(p, UntrustedPart) for m in messages for p in m.parts) == 2
    attachments = [p for m in messages for p in m.parts if isinstance(p, Attachment)]
    assert [a.name for a in attachments] == [
        "alumni_directory.pdf",
        "pill_bottle.jpg showing a blurry pill bottle",
        "alumni_directory.csv",
    ]
    assert [m.settings for m in messages if m.settings] == [{"under_18": True}] * 5
    tool = next(m for m in messages if m.role == "tool")
    assert tool.attributes == {"name": "browser"}


def test_entities_are_decoded(spec: Spec) -> None:
    example = spec.section("support_programmatic_use").examples[0]
    good = example.answers[0]
    assert good.message.text.startswith('<form action="/submit-comment" method="post">')


def test_commentary_references_and_tags(spec: Spec) -> None:
    assert sum(len(s.commentary) for s in spec.walk()) == 28
    references = list(spec.cross_references())
    assert len(references) == 110
    assert all(spec.get(r.target) is not None for r in references)
    auto = [r for r in references if r.text == "?"]
    assert len(auto) == 66
    first = references[0]
    assert (first.target, first.source_section) == ("chain_of_command", "overview")
    assert first.location is not None
    assert (first.location.line, first.location.column) == (11, 144)
    tags = [t for s in spec.walk() for t in s.eval_tags]
    assert len(tags) == len(set(tags)) == 116
    assert spec.section("chain_of_command").eval_tags == ("8ep1",)


def test_eval_prompts(spec: Spec) -> None:
    assert len(spec.eval_files) == 114
    assert list(spec.eval_files) == sorted(spec.eval_files)
    assert len(spec.eval_prompts) == 272
    first = next(p for p in spec.eval_prompts if p.tag == "8ep1")
    assert first.id == "8ep1/1"
    assert first.section_id == "chain_of_command"
    assert first.title == "requiring metric units in all responses"
    assert [m.role for m in first.messages] == ["system", "user"]
    # Files whose tag no section carries, and tags without a file, are both allowed.
    orphans = sorted({p.tag for p in spec.eval_prompts if p.section_id is None})
    assert orphans == ["91ld", "lds1"]
    tags = {t for s in spec.walk() for t in s.eval_tags}
    assert sorted(tags - set(spec.eval_files)) == ["d0pu", "h82a", "rse0", "t5q0"]


def test_headings_agree_with_markdown_it(spec: Spec) -> None:
    from markdown_it import MarkdownIt

    assert spec.source is not None
    text = (Path(spec.source) / "model_spec.md").read_text(encoding="utf-8")
    tokens = MarkdownIt().parse(text)
    lines = [t.map[0] + 1 for t in tokens if t.type == "heading_open" and t.map]
    assert lines == [s.location.line for s in spec.walk() if s.location]


def test_example_fences_agree_with_markdown_it(spec: Spec) -> None:
    from markdown_it import MarkdownIt

    assert spec.source is not None
    text = (Path(spec.source) / "model_spec.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    tokens = MarkdownIt().parse(text)
    fences = [t.map[0] + 1 for t in tokens if t.type == "fence" and t.map]
    ours = []
    for _, example in spec.examples():
        assert example.location is not None
        number = example.location.line
        while not lines[number - 1].startswith("~~~"):
            number += 1
        ours.append(number)
    # Every top-level fence of the real spec is an example's conversation; the ``` blocks
    # (with `# functions` inside) all stand inside messages.
    assert fences == ours
