"""Records from the spec itself: GOOD (and OK) answers as demonstrations, GOOD-over-BAD pairs.

An example may hold several comparisons with turns between them; each answer is tied to the
conversation prefix it answers (``LabelledAnswer.after``), and pairs are formed only between
answers of the same comparison.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from specwright._model import Example, LabelledAnswer, Section, Spec
from specwright._training._items import Demonstration, PreferencePair, Skipped
from specwright._training._records import RecordMetadata, RecordSource

__all__ = ["comparisons", "spec_demonstrations", "spec_pairs"]

Comparison = tuple[Section, Example, int, tuple[LabelledAnswer, ...]]


def comparisons(spec: Spec) -> Iterator[Comparison]:
    """Every comparison block: (section, example, prefix length, its answers in order)."""
    for section, example in spec.examples():
        groups: dict[int, list[LabelledAnswer]] = defaultdict(list)
        for answer in example.answers:
            after = len(example.messages) if answer.after is None else answer.after
            groups[after].append(answer)
        for after, answers in groups.items():
            yield section, example, after, tuple(answers)


def spec_demonstrations(
    spec: Spec, *, include_ok: bool = False
) -> tuple[list[Demonstration], list[Skipped]]:
    """One demonstration per GOOD answer (and per OK answer with ``include_ok``)."""
    wanted = {"GOOD", "OK"} if include_ok else {"GOOD"}
    spec_hash = spec.content_hash()
    demos: list[Demonstration] = []
    skipped: list[Skipped] = []
    for section, example, after, answers in comparisons(spec):
        prompt = example.messages[:after]
        for answer in answers:
            if answer.label not in wanted:
                continue
            if not prompt:
                skipped.append(Skipped(example.id, "the answer has no conversation before it"))
                continue
            meta = _metadata(spec, spec_hash, section, example, "example").model_copy(
                update={"label": answer.label}
            )
            demos.append(Demonstration(prompt, answer.message, meta))
    return demos, skipped


def spec_pairs(spec: Spec) -> tuple[list[PreferencePair], list[Skipped]]:
    """One pair per GOOD × BAD answer of the same comparison block."""
    pairs: list[PreferencePair] = []
    skipped: list[Skipped] = []
    spec_hash = spec.content_hash()
    for section, example, after, answers in comparisons(spec):
        prompt = example.messages[:after]
        good = [a for a in answers if a.label == "GOOD"]
        bad = [a for a in answers if a.label == "BAD"]
        if not prompt and good and bad:
            skipped.append(Skipped(example.id, "the comparison has no conversation before it"))
            continue
        meta = _metadata(spec, spec_hash, section, example, "comparison")
        for chosen in good:
            for rejected in bad:
                labels = {"chosen_label": chosen.label, "rejected_label": rejected.label}
                pairs.append(
                    PreferencePair(
                        prompt, chosen.message, rejected.message, meta.model_copy(update=labels)
                    )
                )
    return pairs, skipped


def _metadata(
    spec: Spec, spec_hash: str, section: Section, example: Example, source: RecordSource
) -> RecordMetadata:
    return RecordMetadata(
        section_id=section.id,
        authority=spec.effective_authority(section.id),
        spec_hash=spec_hash,
        spec_version=spec.version,
        source=source,
        source_id=example.id,
        scenario_id=example.id,
    )
