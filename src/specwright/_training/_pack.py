"""``specwright pack``: the spec as a compact context file within a token budget.

The chain-of-command core always comes first (a budget too small for it is an input error).
Then, by authority (root first) and in document order within a level, every section gets its
rule in one sentence while the budget lasts, then a second sentence, then its most instructive
example (one with both a GOOD and a BAD answer, the shortest such). Rules and examples are
written as the heading says, highest authority first and in document order within a level,
and every line names its section (``§id``), so each line is traceable. Markdown is written as
prose: a link reads as its text (``[?](#id)`` as the section's title, without a doubled
article), ``---`` as an em dash.
Token figures use the chain's token counter (an estimate unless an exact counter is chosen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specwright._chain._preamble import _CHAIN
from specwright._chain._tokens import TokenCounter, create_token_counter
from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._model import AUTHORITY_LEVELS, Authority, Example, Section, Spec, authority_rank

__all__ = ["SpecPack", "pack_spec"]

# An optional article before the link, so that "the [?](#x)" with x titled "The …" reads once.
_LINK = re.compile(r"(\b[Tt]he[ \t]++)?+\[([^\]\n]*)\]\(#([^)\s]+)\)")
_DASHES = (("---", "—"),)
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_MARKUP = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)|^#+\s*|^\s*(?:[-+*]|\d+\.)\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_EXCERPT = 160


class SpecPack(FrozenModel):
    """A packed spec: the text and what it holds."""

    text: str
    """The markdown to put in a system prompt or an ``AGENTS.md``-style file."""
    tokens: int
    """Its size by the token counter used (an estimate for ``approx``)."""
    budget: int
    """The budget it was packed into."""
    summarised: tuple[str, ...]
    """Ids of the sections with a rule line, in document order."""
    with_example: tuple[str, ...]
    """Ids of the sections whose example is included."""
    omitted: tuple[str, ...]
    """Ids of sections with rules that did not fit."""


@dataclass
class _Entry:
    section: Section
    authority: Authority
    sentences: list[str]
    example: str | None
    shown: int = 0
    with_example: bool = False


@dataclass
class _Packer:
    spec: Spec
    budget: int
    counter: TokenCounter
    entries: list[_Entry] = field(default_factory=list)
    used: int = 0
    """Tokens used so far (estimated line by line while packing)."""

    def text(self) -> str:
        lines = [f"# {self.spec.title or 'Specification'}: rules in brief", "", _CHAIN, ""]
        # Stable: document order within a level.
        ranked = sorted(self.entries, key=lambda e: authority_rank(e.authority))
        shown = [e for e in ranked if e.shown]
        if shown:
            lines += ["# Rules (highest authority first: root, system, developer, user, guideline)"]
            lines += [_rule_line(e) for e in shown]
        examples = [e for e in ranked if e.with_example]
        if examples:
            lines += ["", "# Examples"] + [f"- §{e.section.id}: {e.example}" for e in examples]
        omitted = sum(1 for e in self.entries if not e.shown)
        if omitted:
            lines += ["", f"({omitted} more sections not summarised within the budget.)"]
        return "\n".join(lines) + "\n"

    def tokens(self) -> int:
        return self.counter.count(self.text())

    def fit(self, entry: _Entry, attribute: str, value: object, previous: object) -> None:
        """Set ``entry.attribute`` to ``value``; put ``previous`` back if over the budget.

        Counts only the lines that change (token counts add up over lines), so packing stays
        linear in the spec's size; :func:`pack_spec` checks the whole text at the end.
        """
        before = self._cost(entry)
        setattr(entry, attribute, value)
        added = self._cost(entry) - before
        if self.used + added > self.budget:
            setattr(entry, attribute, previous)
        else:
            self.used += added

    def _cost(self, entry: _Entry) -> int:
        lines = [_rule_line(entry)] if entry.shown else []
        if entry.with_example:
            lines.append(f"- §{entry.section.id}: {entry.example}")
        return sum(self.counter.count(line) + 1 for line in lines)


def pack_spec(spec: Spec, budget: int, counter: TokenCounter | None = None) -> SpecPack:
    """Pack ``spec`` into at most ``budget`` tokens (by ``counter``, default ``approx``)."""
    packer = _Packer(spec, budget, counter or create_token_counter("approx"))
    packer.entries = [_entry(spec, s) for s in spec.walk() if _sentences(spec, s)]
    # Headings and the "not summarised" line may appear later: count them in from the start.
    packer.used = packer.counter.count(packer.text()) + 40
    if packer.used > budget:
        raise ConfigurationError(
            f"--budget {budget}: too small for the chain-of-command core "
            f"({packer.used} tokens with the header)"
        )
    by_priority = sorted(packer.entries, key=lambda e: authority_rank(e.authority))
    for want in (1, 2):
        for entry in by_priority:
            if entry.shown == want - 1 and len(entry.sentences) >= want:
                packer.fit(entry, "shown", want, want - 1)
    for entry in by_priority:
        if entry.shown and entry.example:
            packer.fit(entry, "with_example", True, False)
    _trim(packer)
    return SpecPack(
        text=packer.text(),
        tokens=packer.tokens(),
        budget=budget,
        summarised=tuple(e.section.id for e in packer.entries if e.shown),
        with_example=tuple(e.section.id for e in packer.entries if e.with_example),
        omitted=tuple(e.section.id for e in packer.entries if not e.shown),
    )


def _trim(packer: _Packer) -> None:
    # Line-by-line counts are an estimate of the whole text's count: drop the lowest-priority
    # additions until the whole text fits, so the budget is never exceeded.
    for entry in reversed(packer.entries):
        if packer.tokens() <= packer.budget:
            return
        if entry.with_example:
            entry.with_example = False
        elif entry.shown:
            entry.shown -= 1


def _entry(spec: Spec, section: Section) -> _Entry:
    authority = spec.effective_authority(section.id) or AUTHORITY_LEVELS[-1]
    return _Entry(section, authority, _sentences(spec, section), _best_example(section))


def _rule_line(entry: _Entry) -> str:
    rule = " ".join(entry.sentences[: entry.shown])
    return f"- [{entry.authority}] {entry.section.title} (§{entry.section.id}): {rule}"


def _sentences(spec: Spec, section: Section) -> list[str]:
    text = _plain(spec, section.body)
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 3][:2]


def _plain(spec: Spec, markdown: str) -> str:
    def link(match: re.Match[str]) -> str:
        article, label, target = match.group(1) or "", match.group(2), spec.get(match.group(3))
        if label == "?" and target is not None:
            label = target.title
        if article and label[:4].lower() == "the ":
            label = label[4:]
        return article + label

    text = _FOOTNOTE.sub("", _LINK.sub(link, markdown))
    for written, dash in _DASHES:
        text = text.replace(written, dash)
    return " ".join(_MARKUP.sub("", text).split())


def _best_example(section: Section) -> str | None:
    candidates = [_example_line(e) for e in section.examples if _has_contrast(e)]
    return min(candidates, key=len) if candidates else None


def _has_contrast(example: Example) -> bool:
    labels = {a.label for a in example.answers}
    return {"GOOD", "BAD"} <= labels and any(m.role == "user" for m in example.messages)


def _example_line(example: Example) -> str:
    user = next(m for m in reversed(example.messages) if m.role == "user")
    good = next(a for a in example.answers if a.label == "GOOD")
    bad = next(a for a in example.answers if a.label == "BAD")
    return (
        f"{example.title}. User: “{_excerpt(user.text)}” → GOOD: “{_excerpt(good.message.text)}”; "
        f"BAD: “{_excerpt(bad.message.text)}”"
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1].rstrip() + "…"
