"""One-character slips in a spec's headings, and whether the reader or lint notices them.

A *structural character* of a heading line ``## Title {#id authority=root}`` is one of its
marks (``#``), the space after them, the attribute block's braces, the id's ``#``, the spaces
between attributes and each ``=``. A mutant applies one deletion of such a character, one
insertion of a character of the syntax (``# {}=``) next to one, or one substitution of such a
character by another character of the syntax. A mutant is *caught* when reading raises a
``SpecError`` or lint reports a finding the original did not have; it is *harmless* when the
spec reads exactly as the original does (``##  Title`` with two spaces), and those are left out
of the share. Used by ``tests/reader/test_typos.py`` (the bundled example spec) and
``benchmarks/bench_typos.py`` (the real Model Spec).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from specwright import SpecError, parse_spec
from specwright._lint import lint_spec
from specwright._model import Spec
from specwright._reader import _document

__all__ = ["Mutant", "TypoTally", "heading_mutants", "measure"]

SYNTAX = "# {}="
"""The characters a heading's structure is written with."""


@dataclass(frozen=True)
class Mutant:
    """The spec text with one heading line changed."""

    line: int
    """1-based line of the heading."""
    kind: str
    """``deletion``, ``insertion`` or ``substitution``."""
    text: str
    """The whole spec text after the change."""


@dataclass
class TypoTally:
    """How many mutants were caught, missed and harmless; a few missed ones to show."""

    caught: int = 0
    missed: int = 0
    harmless: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    missed_examples: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Caught among the mutants that change what is read."""
        return self.caught / max(1, self.caught + self.missed)


def _structural_positions(line: str) -> list[int]:
    marks = len(line) - len(line.lstrip("#"))
    positions = list(range(marks))
    if line[marks : marks + 1] == " ":
        positions.append(marks)
    brace = line.rfind("{")
    if line.rstrip().endswith("}") and brace > 0:
        block_end = len(line.rstrip()) - 1
        positions.append(brace)
        positions.extend(
            i for i in range(brace + 1, block_end) if line[i] in " =" or line[i - 1] == "{"
        )
        positions.append(block_end)
    return positions


def _line_mutants(line: str) -> Iterator[tuple[str, str]]:
    positions = _structural_positions(line)
    seen = {line}
    candidates: list[tuple[str, str]] = []
    for i in positions:
        candidates.append(("deletion", line[:i] + line[i + 1 :]))
        candidates.extend(
            ("substitution", line[:i] + c + line[i + 1 :]) for c in SYNTAX if c != line[i]
        )
    for i in sorted({*positions, *(p + 1 for p in positions)}):
        candidates.extend(("insertion", line[:i] + c + line[i:]) for c in SYNTAX)
    for kind, mutated in candidates:
        if mutated not in seen:
            seen.add(mutated)
            yield kind, mutated


def heading_mutants(text: str) -> Iterator[Mutant]:
    """Every mutant of every heading line outside code fences."""
    lines = text.split("\n")
    fence: str | None = None
    for n, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("~~~", "```")):
            mark = stripped[:3]
            fence = None if fence == mark else (fence or mark)
            continue
        if fence is not None or not line.startswith("#"):
            continue
        for kind, mutated in _line_mutants(line):
            yield Mutant(n + 1, kind, "\n".join([*lines[:n], mutated, *lines[n + 1 :]]))


def _outline(spec: Spec) -> list[tuple[object, ...]]:
    return [
        (s.id, s.title, s.depth, s.authority, s.tags, len(s.blocks), len(s.children))
        for s in spec.walk()
    ]


def _findings(spec: Spec) -> Counter[tuple[str, str]]:
    return Counter((f.code, f.message) for f in lint_spec(spec))


@contextmanager
def _conversations_read_once() -> Iterator[None]:
    """Parse each example's conversation once across mutants (a mutant changes one heading
    line, never a fence's content or its line numbers); a pure function, so only faster."""
    original = _document.parse_conversation

    @cache
    def cached(lines: tuple[str, ...], first: int, file: str) -> Any:
        return original(list(lines), first, file)

    _document.parse_conversation = lambda lines, first, file: cached(tuple(lines), first, file)  # type: ignore[assignment]
    try:
        yield
    finally:
        _document.parse_conversation = original


def measure(
    text: str,
    eval_files: Mapping[str, str] | None = None,
    *,
    file: str = "model_spec.md",
    every: int = 1,
) -> TypoTally:
    """Read every heading mutant of ``text`` (or every ``every``-th) and tally the catch."""
    with _conversations_read_once():
        return _measure(text, eval_files, file, every)


def _measure(text: str, eval_files: Mapping[str, str] | None, file: str, every: int) -> TypoTally:
    original = parse_spec(text, file=file, eval_files=eval_files)
    outline, findings = _outline(original), _findings(original)
    tally = TypoTally()
    for n, mutant in enumerate(heading_mutants(text)):
        if n % every:
            continue
        try:
            spec = parse_spec(mutant.text, file=file, eval_files=eval_files)
        except SpecError:
            tally.caught += 1
            continue
        if _findings(spec) - findings:
            tally.caught += 1
        elif _outline(spec) == outline:
            tally.harmless += 1
        else:
            tally.missed += 1
            tally.by_kind[mutant.kind] += 1
            if len(tally.missed_examples) < 40:
                changed = mutant.text.split("\n")[mutant.line - 1]
                tally.missed_examples.append(f"{mutant.line}: {changed}")
    return tally
