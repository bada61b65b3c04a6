"""Counts over a spec: what ``specwright stats`` prints."""

from __future__ import annotations

from pydantic import Field

from specwright._frozen import FrozenModel
from specwright._model import AUTHORITY_LEVELS, Example, Spec

__all__ = ["SpecStats", "spec_stats"]


class SpecStats(FrozenModel):
    """Structural counts of a spec."""

    sections: int
    """Headings (sections), at every depth."""
    sections_by_authority: dict[str, int]
    """Sections per level their heading writes (``platform`` counted as ``root``), and
    ``unset`` for those whose heading names none (they inherit a parent's level, or have
    none): the counts add up to :attr:`sections`."""
    examples: int
    """``**Example**`` items."""
    comparisons: int
    """``<comparison>`` blocks (an example may hold several, with turns between them)."""
    examples_with_comparison: int
    """Examples holding at least one ``<comparison>`` block."""
    labelled_answers: dict[str, int]
    """Labelled answers per label (GOOD, BAD, OK)."""
    eval_files: int
    """Eval prompt files read."""
    eval_prompts: int
    """Prompts across all eval prompt files."""
    cross_references: int
    """``[?](#id)`` and ``[text](#id)`` links."""
    broken_cross_references: int
    """Links whose target is no section id."""
    commentary_blocks: int
    """``!!! meta`` blocks."""
    sections_by_layer: dict[str, int] = Field(default_factory=dict)
    """In a composed spec: sections per layer title, base first (empty for a single spec)."""


def spec_stats(spec: Spec) -> SpecStats:
    """Count sections, examples, answers, eval prompts and references of ``spec``."""
    by_authority = dict.fromkeys((*AUTHORITY_LEVELS, "unset"), 0)
    labels = {"GOOD": 0, "BAD": 0, "OK": 0}
    sections = examples = comparisons = compared = commentary = 0
    for section in spec.walk():
        sections += 1
        by_authority[section.authority or "unset"] += 1
        commentary += len(section.commentary)
        for example in section.examples:
            examples += 1
            compared += example.has_comparison
            comparisons += _comparison_blocks(example)
            for answer in example.answers:
                labels[answer.label] += 1
    references = list(spec.cross_references())
    broken = sum(1 for ref in references if spec.get(ref.target) is None)
    return SpecStats(
        sections=sections,
        sections_by_authority=by_authority,
        examples=examples,
        comparisons=comparisons,
        examples_with_comparison=compared,
        labelled_answers=labels,
        eval_files=len(spec.eval_files),
        eval_prompts=len(spec.eval_prompts),
        cross_references=len(references),
        broken_cross_references=broken,
        commentary_blocks=commentary,
        sections_by_layer=_sections_by_layer(spec),
    )


def _sections_by_layer(spec: Spec) -> dict[str, int]:
    counts = {layer.title: 0 for layer in spec.layers}
    for section in spec.walk():
        if section.provenance is not None:
            counts[section.provenance.layer] = counts.get(section.provenance.layer, 0) + 1
    return counts


def _comparison_blocks(example: Example) -> int:
    # Answers of one block share the conversation prefix they answer (``after``).
    if not example.has_comparison:
        return 0
    return max(1, len({answer.after for answer in example.answers}))
