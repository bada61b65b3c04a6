"""A drafted revision written as a spec a person can review, lint, diff and evaluate.

The revised section keeps its id, title, authority, tags, commentary and existing examples;
its prose becomes the clarified text (footnote tags the old prose carried are kept, so its
eval prompts stay tied to it) and the new examples follow the old ones, each opening with a
line naming the samples that motivated it.

When the chain of command lets a layer replace the section — its effective authority is
developer, user or guideline — the revision is an **overlay** (``docs/company.md``): front
matter ``extends:`` the spec, a ceiling one level above the section and ``overrides:`` it.
Root- and system-level sections and framing text without a level can never be overridden by
a layer, so for them the revision is a **patched copy** of the whole spec.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, TypeAlias

from specwright._errors import SpecError
from specwright._model import (
    Authority,
    Example,
    LabelledAnswer,
    Message,
    Prose,
    Section,
    Spec,
    TextPart,
)
from specwright._revise._answer import ProposalAnswer, ProposedExample
from specwright._revise._evidence import Evidence

__all__ = [
    "RevisionKind",
    "check_revision",
    "overlay_ceiling",
    "overlay_text",
    "patched_spec",
    "revised_section",
]

RevisionKind: TypeAlias = Literal["overlay", "patched"]
"""How a revision is written: a layer on the spec, or a copy of the spec with the section."""

# The ceiling a layer needs to override a section of this level: one level above it.
_CEILING_ABOVE: dict[Authority, Authority] = {
    "developer": "system",
    "user": "developer",
    "guideline": "user",
}
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


def overlay_ceiling(spec: Spec, section_id: str) -> Authority | None:
    """The ceiling of an overlay that may replace the section; ``None`` when none may."""
    level = spec.effective_authority(section_id)
    return _CEILING_ABOVE.get(level) if level is not None else None


def _message(role: Literal["user", "assistant"], text: str) -> Message:
    return Message(role=role, parts=(TextPart(text=text),))


def _cited(example: ProposedExample, evidence: Mapping[str, Evidence]) -> str:
    samples = "; ".join(
        f"run `{e.run_id}` sample `{e.sample}` ({e.why})"
        for e in (evidence[i] for i in dict.fromkeys(example.evidence))
    )
    return f"Motivated by {samples}."


def _example(section_id: str, n: int, item: ProposedExample, ev: Mapping[str, Evidence]) -> Example:
    good = LabelledAnswer(label="GOOD", message=_message("assistant", item.good))
    bad = LabelledAnswer(
        label="BAD", message=_message("assistant", item.bad), explanation=item.bad_why or None
    )
    return Example(
        id=f"{section_id}/example-{n}",
        title=item.title,
        messages=(_message("user", item.user),),
        answers=(good, bad),
        has_comparison=True,
        trailing_markdown=_cited(item, ev),
    )


def revised_section(
    section: Section, answer: ProposalAnswer, evidence: Mapping[str, Evidence]
) -> Section:
    """``section`` with the clarified text and the new examples (children untouched)."""
    text = answer.text
    missing = [t for t in dict.fromkeys(_FOOTNOTE.findall(section.body)) if f"[^{t}]" not in text]
    if missing:
        text += "".join(f"[^{tag}]" for tag in missing)
    kept = [b for b in section.blocks if not isinstance(b, Prose)]
    start = len(section.examples) + 1
    new = [_example(section.id, start + i, e, evidence) for i, e in enumerate(answer.examples)]
    return section.model_copy(update={"blocks": (Prose(markdown=text), *kept, *new)})


def overlay_text(
    base: Spec, section: Section, revised: Section, extends: str, ceiling: Authority
) -> str:
    """The overlay's ``model_spec.md``: layering front matter, then the revised section."""
    import yaml

    from specwright._writer import write_spec

    level = base.effective_authority(section.id)
    alone = revised.model_copy(
        update={"depth": 1, "authority": level, "children": (), "location": None,
                "provenance": None}
    )  # fmt: skip
    front = {
        "title": f"Proposed revision of {section.id}",
        "description": f"A drafted revision of {section.title!r} ({section.id}) for review.",
        "extends": extends,
        "ceiling": ceiling,
        "overrides": [section.id],
    }
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10**6)
    body = write_spec(Spec(title=alone.title, sections=(alone,)))
    return f"---\n{head}---\n\n{body}"


def patched_spec(spec: Spec, revised: Section) -> Spec:
    """A copy of ``spec`` with ``revised`` in place of the section of the same id."""

    def swap(sections: Sequence[Section]) -> tuple[Section, ...]:
        return tuple(
            revised.model_copy(update={"children": swap(s.children)})
            if s.id == revised.id
            else s.model_copy(update={"children": swap(s.children)})
            for s in sections
        )

    return spec.model_copy(update={"sections": swap(spec.sections)})


def check_revision(base: Spec, proposed: Spec, section_id: str, expected_examples: int) -> str:
    """Why ``proposed`` is not a clean revision of ``base``; ``""`` when it is.

    Clean: the section reads back with its examples, and lint finds nothing the base lacks.
    """
    from specwright._lint import lint_spec

    section = proposed.get(section_id)
    if section is None:
        return f"the revised spec has no section {section_id!r}"
    if len(section.examples) != expected_examples:
        return (f"the section reads back with {len(section.examples)} examples, "
                f"not {expected_examples}")  # fmt: skip
    before = Counter((f.code, f.section_id) for f in lint_spec(base))
    for finding in lint_spec(proposed):
        key = (finding.code, finding.section_id)
        if before[key] > 0:
            before[key] -= 1
            continue
        return f"lint: {finding.message} [{finding.code} {finding.rule}]"
    return ""


def read_back(text: str, file: str, eval_files: Mapping[str, str] | None = None) -> Spec | str:
    """``text`` parsed as the spec it will be read as, or why it cannot be."""
    from specwright._layers._read import parse_spec

    try:
        return parse_spec(text, file=file, eval_files=eval_files)
    except SpecError as exc:
        return f"the revision does not read back: {exc.message}"


def target_file(output: Path | None) -> str:
    """The path the revision's ``model_spec.md`` will have (``<stdout>``: the current dir)."""
    if output is None:
        return "<stdout>"
    return str(output if output.suffix == ".md" else output / "model_spec.md")
