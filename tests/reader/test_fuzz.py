"""Property-based fuzzing: whatever the text, the reader yields a Spec or raises SpecError."""

from __future__ import annotations

import contextlib
import os
import random
import time
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specwright import Spec, SpecError, example_spec_path, parse_messages, parse_spec
from tests._paths import real_spec_dir

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Fragments of the dialect, so that random text often comes close to valid structure.
_FRAGMENTS = [
    "---",
    "title: T",
    "version: 1.10",
    "description: 'd",
    "author: x",
    "- item",
    "key: [a, b",
    "  nested: {",
    "&a *a !!python/object:os.system",
    "%YAML 1.1",
    "\t",
    "# T {#a}",
    "## U {#b authority=root}",
    "### V {#c authority=platform tags=x}",
    "#### W {#d authority=nobody}",
    "**Example**: e",
    "~~~xml",
    "~~~",
    "```",
    "```python",
    "<user>",
    "</user>",
    "<assistant>",
    "</assistant>",
    '<assistant recipient="x"> <!-- GOOD: fine -->',
    "<assistant> <!-- BAD[#a] -->",
    "<assistant> <!-- OK, so so -->",
    "<assistant> <!-- MEH -->",
    "<system>",
    "</system>",
    "<developer>",
    "</developer>",
    '<tool name="t">',
    "</tool>",
    "<comparison>",
    "</comparison>",
    "<untrusted>",
    "</untrusted>",
    "<settings>",
    "under_18: true",
    "</settings>",
    "[...]",
    "[file: a.pdf]",
    '!!! meta "Commentary"',
    "    indented commentary",
    "see [?](#a) and [x](#zz)[^t1]",
    "&lt;b&gt; &amp;",
    "",
    "text",
]


def _check(text: str, **kwargs: object) -> None:
    try:
        result = parse_spec(text, **kwargs)  # type: ignore[arg-type]
    except SpecError as error:
        assert error.line >= 1
        assert error.column >= 1
        assert error.hint
        assert "\n" not in str(error)  # the CLI prints it as one line
        return
    assert isinstance(result, Spec)


@cache
def _corpus() -> tuple[str, ...]:
    texts = [(example_spec_path() / "model_spec.md").read_text(encoding="utf-8")]
    real = real_spec_dir()
    if real is not None:
        texts.append((real / "model_spec.md").read_text(encoding="utf-8"))
    return tuple(texts)


@FUZZ
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40))
def test_dialect_fragments(lines: list[str]) -> None:
    text = "\n".join(lines)
    _check(text, eval_files={"t1": text})
    with contextlib.suppress(SpecError):
        parse_messages(text)


_FRONT_LINES = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS[:11]), st.text(max_size=20)), max_size=6
)


@FUZZ
@given(_FRONT_LINES, st.booleans(), st.lists(st.sampled_from(_FRAGMENTS), max_size=10))
def test_front_matter(front: list[str], closed: bool, body: list[str]) -> None:
    text = "\n".join(["---", *front, *(["---"] if closed else []), *body])
    _check(text)


@FUZZ
@given(st.data())
def test_mutated_slices_of_real_text(data: st.DataObject) -> None:
    lines = data.draw(st.sampled_from(_corpus())).split("\n")
    start = data.draw(st.integers(0, len(lines) - 1))
    length = data.draw(st.integers(1, 120))
    chunk = lines[start : start + length]
    mutation = data.draw(st.sampled_from(["as-is", "shuffle", "drop", "duplicate", "truncate"]))
    if mutation == "shuffle":
        chunk = data.draw(st.permutations(chunk))
    elif mutation == "drop" and chunk:
        del chunk[data.draw(st.integers(0, len(chunk) - 1))]
    elif mutation == "duplicate" and chunk:
        index = data.draw(st.integers(0, len(chunk) - 1))
        chunk.insert(index, chunk[index])
    elif mutation == "truncate" and chunk:
        index = data.draw(st.integers(0, len(chunk) - 1))
        chunk[index] = chunk[index][: data.draw(st.integers(0, len(chunk[index])))]
    text = "\n".join(chunk)
    _check(text, eval_files={"zz": text}, file=str(Path("spec") / "model_spec.md"))


def test_every_spec_error_carries_a_hint() -> None:
    # A sample of distinct failures, each must explain how to fix itself in one line.
    samples = [
        "# A {#a authority=x}",
        "# A {#a}\n# B {#a}",
        "# A {#a}\n\n**Example**: e\n\n~~~xml\n<user>\n",
        "# A {#a}\n\n**Example**: e\n\n~~~xml\n<user>\nx\n</user>\n",
        "# A {#a}\n\n**Example**: e\n\n~~~xml\nstray\n~~~",
        "---\nauthor: me\n---\n# A {#a}",
        "---\ntitle: [\n---\n# A {#a}",
        "---\ntitle: A\n# A {#a}",
    ]
    for text in samples:
        try:
            parse_spec(text)
        except SpecError as error:
            assert error.hint, text
            assert "\n" not in str(error), text
        else:
            raise AssertionError(f"no error for {text!r}")


# --------------------------------------------------------------------------- seeded mutations

_SEED = int(os.environ.get("SPECWRIGHT_FUZZ_SEED", "20251218"))
_MUTANTS = int(os.environ.get("SPECWRIGHT_FUZZ_MUTANTS", "25"))
_SLOWER_THAN_CLEAN = 4.0
"""A mutant may take at most this many times the clean text's read (plus its own growth)."""
_NOISE = [
    "*",
    "`",
    "```",
    "~~~",
    "<",
    ">",
    "</",
    "{#",
    "}",
    "[^",
    "](#",
    "\\ud800",
    "\x00",
    "\u2028",
]


def _mutate(rng: random.Random, lines: list[str]) -> list[str]:
    """One random edit: lines dropped, duplicated, swapped, cut, spliced, padded or marked."""
    lines = list(lines)
    at = rng.randrange(len(lines))
    kind = rng.randrange(8)
    if kind == 0:
        del lines[at : at + rng.randint(1, 5)]
    elif kind == 1:
        lines[at:at] = lines[at : at + rng.randint(1, 40)]
    elif kind == 2:
        other = rng.randrange(len(lines))
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == 3:
        lines[at] = lines[at][: rng.randint(0, len(lines[at]))]
    elif kind == 4:
        lines.insert(at, rng.choice(_FRAGMENTS))
    elif kind == 5:
        cut = rng.randint(0, len(lines[at]))
        lines[at] = lines[at][:cut] + rng.choice(_NOISE) * rng.randint(1, 3) + lines[at][cut:]
    elif kind == 6:
        lines[at] = rng.choice(["*", "_", "**"]) + lines[at]  # stray emphasis, as published
    else:
        lines[at] = lines[at] + rng.choice([" ", "\t", "`"]) * rng.randint(1, 20_000)
    return lines


def _timed_check(text: str, evals: dict[str, str]) -> float:
    start = time.perf_counter()
    _check(text, eval_files=evals, file=str(Path("spec") / "model_spec.md"))
    return time.perf_counter() - start


def test_seeded_mutations_of_the_whole_spec() -> None:
    # The whole real spec (else the shipped example), mutated many times over, read in full:
    # only Spec or SpecError, in a time proportional to the clean read. Run deeper with
    # SPECWRIGHT_FUZZ_MUTANTS=500; a failure names its seed and mutant to replay.
    root = real_spec_dir() or example_spec_path()
    text = (root / "model_spec.md").read_text(encoding="utf-8")
    evals = {
        p.stem: p.read_text(encoding="utf-8") for p in sorted((root / "examples").glob("*.md"))
    }
    clean = min(_timed_check(text, evals) for _ in range(2))
    rng = random.Random(_SEED)
    lines = text.split("\n")
    for mutant in range(_MUTANTS):
        changed = lines
        for _ in range(rng.randint(1, 6)):
            changed = _mutate(rng, changed)
        mutated = "\n".join(changed)
        tag = rng.choice(sorted(evals)) if evals else None
        mutated_evals = dict(evals)
        if tag is not None:
            mutated_evals[tag] = "\n".join(_mutate(rng, evals[tag].split("\n")))
        bound = _SLOWER_THAN_CLEAN * clean * max(1.0, len(mutated) / len(text))
        # A busy machine can stall one read; a super-linear pattern is slow every time.
        elapsed = _timed_check(mutated, mutated_evals)
        if elapsed >= bound:
            elapsed = min(_timed_check(mutated, mutated_evals) for _ in range(3))
        assert elapsed < bound, f"seed {_SEED} mutant {mutant}: {elapsed:.2f}s > {bound:.2f}s"
