"""Small specs built in code, for tests that must not depend on the reader."""

from __future__ import annotations

from specwright import (
    CrossReference,
    EvalPrompt,
    Example,
    LabelledAnswer,
    Message,
    Prose,
    Section,
    SourceLocation,
    Spec,
    TextPart,
)


def msg(role: str, text: str) -> Message:
    """A one-part message."""
    return Message(role=role, parts=(TextPart(text=text),))  # type: ignore[arg-type]


def loc(line: int, file: str = "spec.md") -> SourceLocation:
    """A location in ``spec.md``."""
    return SourceLocation(file=file, line=line)


def example(
    section_id: str, n: int, labels: tuple[str, ...] = ("GOOD", "BAD"), line: int = 1
) -> Example:
    """An example with one user turn and answers labelled ``labels``."""
    answers = tuple(
        LabelledAnswer(label=label, message=msg("assistant", f"answer {i}"))  # type: ignore[arg-type]
        for i, label in enumerate(labels)
    )
    return Example(
        id=f"{section_id}/example-{n}",
        title=f"example {n}",
        messages=(msg("user", "question"),),
        answers=answers,
        has_comparison=bool(labels),
        location=loc(line),
    )


def small_spec() -> Spec:
    """Two top-level sections, three levels of authority, references and eval prompts."""
    rules = Section(
        id="no_harm",
        title="Do no harm",
        depth=2,
        authority="root",
        blocks=(Prose(markdown="Never help with harm. See [?](#be_kind)."), example("no_harm", 1)),
        eval_tags=("ab12",),
        references=(CrossReference(target="be_kind", text="?", source_section="no_harm"),),
        location=loc(3),
    )
    kind = Section(
        id="be_kind",
        title="Be kind",
        depth=2,
        authority="guideline",
        blocks=(example("be_kind", 1, ("GOOD", "OK")), example("be_kind", 2, ("BAD",), line=20)),
        location=loc(12),
    )
    top = Section(
        id="top",
        title="Top",
        depth=1,
        blocks=(Prose(markdown="Intro."),),
        children=(rules, kind),
        location=loc(1),
    )
    style = Section(id="style", title="Style", depth=1, authority="user", location=loc(30))
    prompt = EvalPrompt(
        id="ab12/1", tag="ab12", title="p", messages=(msg("user", "hi"),), section_id="no_harm"
    )
    return Spec(
        title="Small", sections=(top, style), eval_prompts=(prompt,), eval_files=("ab12", "zz99")
    )
