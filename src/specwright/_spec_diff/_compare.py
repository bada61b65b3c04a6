"""Compare two specs section by section (matched by id), example by example, prompt by prompt.

Sections are matched by id: a changed id is a removal and an addition. Examples are matched
within their section by content first, then by title, then by position, since their ids are
positional (``<section>/example-<n>``) and shift when one is inserted. Eval prompts are
matched by tag and conversation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from specwright._model import (
    Commentary,
    EvalPrompt,
    Example,
    Message,
    Prose,
    Section,
    Spec,
    authority_rank,
)
from specwright._spec_diff._model import SpecChange, SpecDiff, SpecSide, WordSpan

__all__ = ["diff_specs"]

_WORD_RE = re.compile(r"\S+")


def diff_specs(old: Spec, new: Spec) -> SpecDiff:
    """Every semantic change from ``old`` to ``new``, in the new spec's document order."""
    changes: list[SpecChange] = []
    old_ids = {s.id for s in old.walk()}
    new_ids = {s.id for s in new.walk()}
    moved = _moved(old, new)
    for section in new.walk():
        if section.id not in old_ids:
            changes.append(_added(new, section))
            continue
        before = old.section(section.id)
        changes.extend(_placement(old, new, section.id, moved))
        changes.extend(_authority(old, new, section.id))
        changes.extend(_section_text(before, section))
        changes.extend(_examples(section.id, before.examples, section.examples))
    changes.extend(_removed(old, s) for s in old.walk() if s.id not in new_ids)
    changes.extend(_eval_prompts(old.eval_prompts, new.eval_prompts))
    return SpecDiff(old=_side(old), new=_side(new), changes=tuple(changes))


def _side(spec: Spec) -> SpecSide:
    return SpecSide(
        title=spec.title, version=spec.version, content_hash=spec.content_hash(), source=spec.source
    )


def _added(spec: Spec, section: Section) -> SpecChange:
    return _section_change(spec, section, added=True)


def _removed(spec: Spec, section: Section) -> SpecChange:
    return _section_change(spec, section, added=False)


def _section_change(spec: Spec, section: Section, *, added: bool) -> SpecChange:
    """A section that only one side has; ``spec`` is that side."""
    level = spec.effective_authority(section.id)
    verb = "added" if added else "removed"
    return SpecChange(
        kind="section-added" if added else "section-removed",
        section_id=section.id,
        summary=f"{verb} #{section.id} {section.title!r}" + (f" ({level})" if level else ""),
        old=None if added else level,
        new=level if added else None,
        old_location=None if added else section.location,
        new_location=section.location if added else None,
    )


# --------------------------------------------------------------------------- placement


def _parent_id(spec: Spec, section_id: str) -> str | None:
    parent = spec.parent(section_id)
    return parent.id if parent is not None else None


def _children(spec: Spec, parent_id: str | None) -> list[str]:
    kids = spec.sections if parent_id is None else spec.section(parent_id).children
    return [kid.id for kid in kids]


def _moved(old: Spec, new: Spec) -> set[str]:
    """Ids of sections that kept their parent but changed place among their siblings.

    Siblings present on both sides are aligned by longest matching runs; a section outside
    the alignment moved. Sections added, removed or re-parented do not count as moves.
    """
    moved: set[str] = set()
    parents = {None} | {s.id for s in new.walk()}
    for parent in parents:
        if parent is not None and old.get(parent) is None:
            continue
        before = [i for i in _children(old, parent) if _stays(old, new, i, parent)]
        after = [i for i in _children(new, parent) if _stays(old, new, i, parent)]
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        kept = {
            i
            for block in matcher.get_matching_blocks()
            for i in after[block.b : block.b + block.size]
        }
        moved.update(i for i in after if i not in kept)
    return moved


def _stays(old: Spec, new: Spec, section_id: str, parent: str | None) -> bool:
    return (
        old.get(section_id) is not None
        and new.get(section_id) is not None
        and _parent_id(old, section_id) == parent == _parent_id(new, section_id)
    )


def _placement(old: Spec, new: Spec, section_id: str, moved: set[str]) -> Iterator[SpecChange]:
    before, after = _parent_id(old, section_id), _parent_id(new, section_id)
    where = {
        "old_location": old.section(section_id).location,
        "new_location": new.section(section_id).location,
    }
    if before != after:
        yield SpecChange(
            kind="section-reparented",
            section_id=section_id,
            summary=f"#{section_id} moved from under {_name(before)} to under {_name(after)}",
            old=before,
            new=after,
            **where,
        )
    elif section_id in moved:
        yield SpecChange(
            kind="section-moved",
            section_id=section_id,
            summary=f"#{section_id} moved among the sections under {_name(after)}",
            **where,
        )


def _name(parent: str | None) -> str:
    return "the top level" if parent is None else f"#{parent}"


def _authority(old: Spec, new: Spec, section_id: str) -> Iterator[SpecChange]:
    before = old.effective_authority(section_id)
    after = new.effective_authority(section_id)
    if before == after:
        return
    # No level counts as below every level: gaining one raises, losing one lowers.
    up = authority_rank(after or "none") < authority_rank(before or "none")
    yield SpecChange(
        kind="authority-raised" if up else "authority-lowered",
        section_id=section_id,
        summary=f"#{section_id} authority {before or 'none'} → {after or 'none'}",
        flagged=True,
        old=before,
        new=after,
        old_location=old.section(section_id).location,
        new_location=new.section(section_id).location,
    )


# --------------------------------------------------------------------------- text


def _own_text(section: Section) -> str:
    parts = [b.markdown for b in section.blocks if isinstance(b, Prose | Commentary)]
    return "\n\n".join(parts)


def _section_text(before: Section, after: Section) -> Iterator[SpecChange]:
    where = {"old_location": before.location, "new_location": after.location}
    if before.title != after.title:
        yield SpecChange(
            kind="title-changed",
            section_id=after.id,
            summary=f"#{after.id} retitled {before.title!r} → {after.title!r}",
            old=before.title,
            new=after.title,
            **where,
        )
    old_words = _WORD_RE.findall(_own_text(before))
    new_words = _WORD_RE.findall(_own_text(after))
    if old_words == new_words:
        return
    spans = word_diff(old_words, new_words)
    inserted = sum(len(s.text.split()) for s in spans if s.op == "insert")
    deleted = sum(len(s.text.split()) for s in spans if s.op == "delete")
    yield SpecChange(
        kind="text-changed",
        section_id=after.id,
        summary=f"#{after.id} text: {inserted} words inserted, {deleted} deleted",
        words=spans,
        **where,
    )


def word_diff(old: Sequence[str], new: Sequence[str]) -> tuple[WordSpan, ...]:
    """Word runs kept, deleted and inserted that turn ``old`` into ``new``."""
    spans: list[WordSpan] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            spans.append(WordSpan(op="equal", text=" ".join(old[i1:i2])))
            continue
        if i2 > i1:
            spans.append(WordSpan(op="delete", text=" ".join(old[i1:i2])))
        if j2 > j1:
            spans.append(WordSpan(op="insert", text=" ".join(new[j1:j2])))
    return tuple(spans)


# --------------------------------------------------------------------------- examples


def _conversation(messages: Sequence[Message]) -> tuple[tuple[str, str], ...]:
    return tuple((m.role, m.text) for m in messages)


class _Keys(NamedTuple):
    """What identifies an example, from most to least specific, computed once."""

    whole: object
    """Title, conversation and labelled answers."""
    unlabelled: object
    """Title, conversation and answers without their labels."""
    conversation: object
    title: str


def _keys(example: Example) -> _Keys:
    conversation = _conversation(example.messages)
    answers = tuple(_conversation([a.message]) for a in example.answers)
    labels = tuple(a.label for a in example.answers)
    return _Keys(
        whole=(example.title, conversation, answers, labels),
        unlabelled=(example.title, conversation, answers),
        conversation=conversation,
        title=example.title,
    )


def _pair_examples(
    old: Sequence[Example], new: Sequence[Example]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Index pairs (identical first, then same conversation, then same title), and the rest."""
    old_keys, new_keys = [_keys(e) for e in old], [_keys(e) for e in new]
    left, right = list(range(len(old))), list(range(len(new)))
    pairs: list[tuple[int, int]] = []
    for field in ("whole", "unlabelled", "conversation", "title"):
        for j in list(right):
            wanted = getattr(new_keys[j], field)
            i = next((i for i in left if getattr(old_keys[i], field) == wanted), None)
            if i is not None:
                pairs.append((i, j))
                left.remove(i)
                right.remove(j)
    return pairs, left, right


def _examples(
    section_id: str, old: Sequence[Example], new: Sequence[Example]
) -> Iterator[SpecChange]:
    pairs, removed, added = _pair_examples(old, new)
    for i, j in sorted(pairs, key=lambda pair: pair[1]):
        yield from _example_changes(section_id, old[i], new[j])
    for j in added:
        yield _example_event("example-added", section_id, new[j], "added")
    for i in removed:
        yield _example_event("example-removed", section_id, old[i], "removed")


def _example_event(kind: str, section_id: str, example: Example, verb: str) -> SpecChange:
    labels = ", ".join(a.label for a in example.answers) or "no labelled answers"
    side = "new_location" if kind == "example-added" else "old_location"
    return SpecChange.model_validate(
        {
            "kind": kind,
            "section_id": section_id,
            "item_id": example.id,
            "summary": f"{verb} example {example.title!r} ({labels})",
            side: example.location,
        }
    )


def _example_changes(section_id: str, before: Example, after: Example) -> Iterator[SpecChange]:
    old_keys, new_keys = _keys(before), _keys(after)
    if old_keys.whole == new_keys.whole:
        return
    for n, (a, b) in enumerate(zip(before.answers, after.answers, strict=False), start=1):
        if a.label == b.label:
            continue
        yield SpecChange(
            kind="example-relabelled",
            section_id=section_id,
            item_id=after.id,
            summary=f"example {after.title!r}: answer {n} relabelled {a.label}→{b.label}",
            flagged={a.label, b.label} == {"GOOD", "BAD"},
            old=a.label,
            new=b.label,
            old_location=a.location,
            new_location=b.location,
        )
    if old_keys.unlabelled == new_keys.unlabelled and len(before.answers) == len(after.answers):
        return
    yield SpecChange(
        kind="example-changed",
        section_id=section_id,
        item_id=after.id,
        summary=f"example {after.title!r} changed (conversation, answers or title)",
        old_location=before.location,
        new_location=after.location,
    )


# --------------------------------------------------------------------------- eval prompts


def _eval_prompts(old: Sequence[EvalPrompt], new: Sequence[EvalPrompt]) -> Iterator[SpecChange]:
    old_keys = [(p.tag, _conversation(p.messages)) for p in old]
    new_keys = [(p.tag, _conversation(p.messages)) for p in new]
    for prompt in _unmatched(new, new_keys, old_keys):
        yield _prompt_change(prompt, added=True)
    for prompt in _unmatched(old, old_keys, new_keys):
        yield _prompt_change(prompt, added=False)


def _unmatched(
    items: Sequence[EvalPrompt], keys: Sequence[object], others: Sequence[object]
) -> Iterator[EvalPrompt]:
    """The items whose key the other side lacks, counting repeated keys one by one."""
    pool = list(others)
    for item, key in zip(items, keys, strict=True):
        if key in pool:
            pool.remove(key)
        else:
            yield item


def _prompt_change(prompt: EvalPrompt, *, added: bool) -> SpecChange:
    verb = "added" if added else "removed"
    return SpecChange(
        kind="eval-prompt-added" if added else "eval-prompt-removed",
        section_id=prompt.section_id,
        item_id=prompt.id,
        summary=f"{verb} eval prompt {prompt.id} {prompt.title!r}",
        new_location=prompt.location if added else None,
        old_location=None if added else prompt.location,
    )
