"""Hypothesis strategies that build valid :class:`~specwright.Spec` objects directly.

Derived fields (example ids, references, footnote tags, eval prompt owners, the title) are
computed the way the reader computes them (a title the body would not give back
needs front matter, which the writer adds), so that ``parse(write(spec)) == spec`` holds exactly
for every generated spec, not only ``parse(write(parse(x))) == parse(x)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from specwright import (
    AUTHORITY_LEVELS,
    Attachment,
    Commentary,
    CrossReference,
    EvalPrompt,
    Example,
    LabelledAnswer,
    Message,
    Part,
    Prose,
    Section,
    Spec,
    TextPart,
    UntrustedPart,
)

_WORDS = st.sampled_from(
    ["travel", "rule", "kind", "brief", "Ada", "€54", "yes,", "no.", "(maybe)", "{tbd}", "ok"]
)
_IDS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
_TAGS = st.from_regex(r"[a-z0-9]{4}", fullmatch=True)
# Message text may hold anything the escaping must protect: tags, entities, brackets.
_TRICKY = st.sampled_from(
    [
        "<user>",
        "</assistant>",
        "<untrusted>",
        "<settings>",
        "[file: a.pdf]",
        "[...]",
        "&amp;",
        "&lt;b&gt;",
        "<!-- GOOD -->",
        "# functions",
        "**Example**: x",
        "~~ tilde",
        "[?](#x)",
        "[^tag1]",
    ]
)
_CHARS = st.characters(
    categories=["L", "N", "P", "S"], exclude_characters="`~\r\n\x0b\x0c\x1c\x1d\x1e\x85"
)
_FREE_LINE = st.text(_CHARS, min_size=1, max_size=30)
_TEXT_LINE = st.one_of(_FREE_LINE, _TRICKY, st.builds(lambda s: "    " + s, _FREE_LINE))


def _plain(words: list[str]) -> str:
    return " ".join(words)


_PLAIN = st.lists(_WORDS, min_size=1, max_size=6).map(_plain)
_TITLE = st.one_of(st.just(""), _PLAIN)
# Front matter values that YAML would retype or misread unless the writer quotes them.
_YAML_TRICKY = st.sampled_from(
    [
        "1.0",
        "1.10",
        "2025-12-18",
        "null",
        "~",
        "yes",
        "",
        "a: b",
        "#x",
        "- item",
        "'q'",
        '"dq"',
        "[x]",
        " padded ",
        "two\nlines",
        "---",
        "&anchor",
        "*alias",
        "%TAG",
        "@at",
        "v2",
    ]
)
_FRONT_VALUE = st.one_of(_PLAIN, _YAML_TRICKY, st.text(_CHARS, max_size=12))


@st.composite
def message_text(draw: st.DrawFn, *, allow_empty: bool = False) -> str:
    """Multi-line message text: first and last lines non-blank, blank lines inside allowed."""
    lines = draw(st.lists(st.one_of(_TEXT_LINE, st.just("")), max_size=5))
    core = [draw(_TEXT_LINE), *lines, draw(_TEXT_LINE)] if lines else [draw(_TEXT_LINE)]
    if allow_empty and draw(st.booleans()):
        return ""
    return "\n".join(core)


@st.composite
def parts(draw: st.DrawFn) -> tuple[Part, ...]:
    """Message parts without two text parts in a row (the reader would join them)."""
    result: list[Part] = []
    for kind in draw(st.lists(st.sampled_from(["text", "untrusted", "attachment"]), max_size=4)):
        if kind == "text":
            if result and isinstance(result[-1], TextPart):
                continue
            result.append(TextPart(text=draw(message_text())))
        elif kind == "untrusted":
            result.append(UntrustedPart(text=draw(message_text(allow_empty=True))))
        else:
            media = draw(st.sampled_from(["file", "image", "audio", "video"]))
            name = draw(st.text(_CHARS.filter(lambda c: c not in "[]"), min_size=1, max_size=12))
            result.append(Attachment(media=media, name=name))
    return tuple(result)


_SETTING_VALUES = st.one_of(
    st.booleans(),
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(_CHARS, max_size=12),
    st.sampled_from(["true", "12", "null", '"quoted"', " padded ", "1e5"]),
)


@st.composite
def messages(draw: st.DrawFn, *, roles: tuple[str, ...] | None = None) -> Message:
    """One message with attributes, settings (system/developer only), parts and a gap flag."""
    role = draw(st.sampled_from(roles or ("system", "developer", "user", "assistant", "tool")))
    attributes = draw(
        st.dictionaries(
            st.sampled_from(["recipient", "name", "end_turn", "comment"]),
            st.text(_CHARS, max_size=15),
            max_size=2,
        )
    )
    settings = {}
    if role in ("system", "developer"):
        settings = draw(st.dictionaries(_IDS, _SETTING_VALUES, max_size=3))
    return Message(
        role=role,  # type: ignore[arg-type]
        parts=draw(parts()),
        attributes=attributes,
        settings=settings,
        gap_before=draw(st.booleans()),
    )


_EXPLANATION = st.one_of(st.none(), st.text(_CHARS, min_size=1, max_size=20).map(str.strip))


def _plain_comment(text: str | None) -> bool:
    # Neither a comment end nor a link: the reader would see a link as a cross reference.
    return bool(text) and "-->" not in text and "](#" not in text  # type: ignore[operator]


@st.composite
def answers(draw: st.DrawFn, total: int, ids: list[str]) -> tuple[LabelledAnswer, ...]:
    """Labelled answers, grouped into comparisons at sorted positions of the conversation."""
    count = draw(st.integers(0, 4))
    positions = sorted(draw(st.lists(st.integers(0, total), min_size=count, max_size=count)))
    result = []
    for at in positions:
        explanation = draw(_EXPLANATION)
        result.append(
            LabelledAnswer(
                label=draw(st.sampled_from(["GOOD", "BAD", "OK"])),
                message=draw(messages(roles=("assistant",))),
                explanation=explanation if _plain_comment(explanation) else None,
                reference=draw(st.one_of(st.none(), st.sampled_from(ids))),
                after=None if at == total else at,
            )
        )
    return tuple(result)


@dataclass
class _Derived:
    """What the reader derives from a section's text: references and footnote tags."""

    section_id: str
    references: list[CrossReference] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@st.composite
def markdown(draw: st.DrawFn, ids: list[str], derived: _Derived) -> str:
    """A paragraph or two of prose, with links and footnote tags recorded in ``derived``."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 2))):
        words = []
        for kind in draw(st.lists(st.sampled_from(["w", "w", "w", "ref", "tag"]), min_size=1)):
            if kind == "w":
                words.append(draw(_WORDS))
            elif kind == "ref":
                target, text = draw(st.sampled_from(ids)), draw(st.sampled_from(["?", "rule"]))
                words.append(f"[{text}](#{target})")
                derived.references.append(
                    CrossReference(target=target, text=text, source_section=derived.section_id)
                )
            else:
                tag = draw(_TAGS)
                words.append(f"[^{tag}]")
                if tag not in derived.tags:
                    derived.tags.append(tag)
        paragraphs.append(" ".join(words))
    if draw(st.booleans()):
        # Code in prose: heading-, example- and link-looking lines inside stay text.
        code = draw(
            st.sampled_from(
                ["# functions", "**Example**: x\n~~~xml", "[?](#nowhere)", '!!! meta "x"']
            )
        )
        paragraphs.insert(draw(st.integers(0, len(paragraphs))), f"```\n{code}\n```")
    return "\n\n".join(paragraphs)


@st.composite
def examples(draw: st.DrawFn, section_id: str, n: int, ids: list[str]) -> Example:
    """An ``**Example**`` with a conversation and maybe comparisons."""
    conversation = tuple(draw(st.lists(messages(), max_size=3)))
    labelled = draw(answers(len(conversation), ids))
    return Example(
        id=f"{section_id}/example-{n}",
        title=draw(_TITLE),
        messages=conversation,
        answers=labelled,
        has_comparison=bool(labelled) or draw(st.booleans()),
        fence=draw(st.sampled_from(["~~~xml", "```xml", "~~~~xml"])),
        trailing_markdown=draw(st.one_of(st.just(""), _PLAIN)),
    )


@st.composite
def sections(draw: st.DrawFn, depth: int, ids: list[str], pool: list[str]) -> Section:
    """A section with blocks (no two prose blocks in a row) and maybe children."""
    section_id = pool.pop()
    derived = _Derived(section_id)
    blocks: list[Prose | Example | Commentary] = []
    for kind in draw(st.lists(st.sampled_from(["prose", "example", "commentary"]), max_size=4)):
        if kind == "prose" and not (blocks and isinstance(blocks[-1], Prose)):
            blocks.append(Prose(markdown=draw(markdown(ids, derived))))
        elif kind == "example":
            n = sum(isinstance(b, Example) for b in blocks) + 1
            blocks.append(draw(examples(section_id, n, ids)))
        elif kind == "commentary":
            blocks.append(
                Commentary(
                    admonition=draw(st.sampled_from(["meta", "note"])),
                    title=draw(_TITLE),
                    markdown=draw(st.one_of(st.just(""), markdown(ids, derived))),
                )
            )
    children: list[Section] = []
    if depth < 6:
        for _ in range(draw(st.integers(0, 2 if pool else 0))):
            if pool:
                children.append(draw(sections(depth + 1, ids, pool)))
    return Section(
        id=section_id,
        title=draw(_TITLE),
        depth=depth,
        authority=draw(st.one_of(st.none(), st.sampled_from(AUTHORITY_LEVELS))),
        tags=tuple(draw(st.lists(_IDS, max_size=2))),
        blocks=tuple(blocks),
        eval_tags=tuple(derived.tags),
        references=tuple(derived.references),
        children=tuple(children),
    )


def _body_title(top: list[Section]) -> str:
    """The title the reader gives a spec without front matter or path (``parse_spec``)."""
    tops = [s.title for s in top if s.depth == 1]
    if len(tops) == 1:
        return tops[0]
    return top[0].title if top else ""


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    """A whole spec: sections, eval prompts tied to footnote tags, a preamble, front matter."""
    ids = draw(st.lists(_IDS, min_size=1, max_size=8, unique=True))
    pool = list(ids)
    top: list[Section] = []
    depth = draw(st.integers(1, 2))  # siblings share a depth, or the reader would nest them
    while pool and len(top) < 3:
        top.append(draw(sections(depth, ids, pool)))
    owners: dict[str, str] = {}
    for root in top:
        for section in root.walk():
            for tag in section.eval_tags:
                owners.setdefault(tag, section.id)
    files = sorted(set(draw(st.lists(st.sampled_from(sorted(owners) or ["none"]), max_size=3))))
    files += [t for t in draw(st.lists(_TAGS, max_size=1)) if t not in files]
    prompts = []
    for tag in sorted(files):
        for n in range(1, draw(st.integers(0, 2)) + 1):
            prompts.append(
                EvalPrompt(
                    id=f"{tag}/{n}",
                    tag=tag,
                    title=draw(_TITLE),
                    messages=tuple(draw(st.lists(messages(), min_size=1, max_size=3))),
                    section_id=owners.get(tag),
                )
            )
    return Spec(
        title=draw(st.one_of(st.just(_body_title(top)), _TITLE, _FRONT_VALUE)),
        version=draw(st.one_of(st.none(), _FRONT_VALUE)),
        description=draw(st.one_of(st.none(), _FRONT_VALUE)),
        preamble=draw(st.one_of(st.just(""), _PLAIN, st.just("---\nnot: front matter\n---"))),
        sections=tuple(top),
        eval_prompts=tuple(prompts),
        eval_files=tuple(sorted(files)),
    )
