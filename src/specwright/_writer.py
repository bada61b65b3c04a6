"""Writer for the Model Spec markdown dialect: :class:`~specwright.Spec` → ``model_spec.md``.

The writer is the reader's inverse on content: ``parse(write(parse(x)))`` equals ``parse(x)``
once locations are set aside. Message text is XML-escaped (``&amp;``, ``&lt;``, ``&gt;``)
as the Model Spec itself does, so that no text line can be mistaken for a tag.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from specwright._model import (
    Attachment,
    Block,
    Commentary,
    EvalPrompt,
    Example,
    LabelledAnswer,
    Message,
    Part,
    Prose,
    Section,
    Spec,
    TextPart,
)
from specwright._reader._front_matter import document_title, render_front_matter
from specwright._reader._settings import format_setting

__all__ = ["save_spec", "write_eval_file", "write_spec"]

_ATTACHMENT_LIKE_RE = re.compile(r"^\s*\[(file|image|audio|video):")
# `&` and `<` are what a reader could misread; `>` too, as the Model Spec escapes it.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;"})


def write_spec(spec: Spec) -> str:
    """The ``model_spec.md`` text of ``spec``, in the Model Spec dialect.

    Front matter comes first when the body alone would not give the spec's title, version
    or description back (see ``_front_matter``).
    """
    chunks = [spec.preamble] if spec.preamble else []
    if (front := _front_matter(spec)) is not None:
        chunks.insert(0, render_front_matter(front))
    for section in spec.walk():
        chunks.append(_heading(section))
        chunks.extend(_block(block) for block in section.blocks)
    return "\n\n".join(chunks) + "\n"


def write_eval_file(spec: Spec, tag: str) -> str:
    """The ``examples/<tag>.md`` text: the tag line, then the tag's eval prompts."""
    prompts = [p for p in spec.eval_prompts if p.tag == tag]
    owner = next((p.section_id for p in prompts if p.section_id), None)
    section = spec.get(owner) if owner else None
    title = f" in {section.title}" if section is not None else ""
    chunks = [f"Examples for [^{tag}]{title}:"]
    chunks.extend(_eval_prompt(prompt) for prompt in prompts)
    return "\n\n".join(chunks) + "\n"


def save_spec(spec: Spec, directory: str | os.PathLike[str]) -> None:
    """Write ``model_spec.md`` and ``examples/<tag>.md`` for every eval file into ``directory``."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    (root / "model_spec.md").write_text(write_spec(spec), encoding="utf-8")
    tags = dict.fromkeys(spec.eval_files)
    tags.update(dict.fromkeys(p.tag for p in spec.eval_prompts))
    if tags:
        (root / "examples").mkdir(exist_ok=True)
    for tag in tags:
        (root / "examples" / f"{tag}.md").write_text(write_eval_file(spec, tag), encoding="utf-8")


def _front_matter(spec: Spec) -> dict[str, str] | None:
    """The front matter values ``spec`` needs, or ``None`` when the body says it all.

    The title is written unless the body gives it (its single level-1 heading, or no title
    when it has none or several); the version and the description are
    written whenever set. A preamble that opens with ``---`` forces a block, so that the
    reader does not take the preamble for front matter.
    """
    title_needed = (document_title(spec.sections) or "") != spec.title
    needed = (
        title_needed
        or spec.version is not None
        or spec.description is not None
        or spec.preamble.split("\n", 1)[0].rstrip() == "---"
    )
    if not needed:
        return None
    values = {"title": spec.title} if title_needed or spec.title else {}
    if spec.version is not None:
        values["version"] = spec.version
    if spec.description is not None:
        values["description"] = spec.description
    return values


# --------------------------------------------------------------------------- sections


def _heading(section: Section) -> str:
    attrs = [f"#{section.id}"]
    if section.authority is not None:
        attrs.append(f"authority={section.authority}")
    if section.tags:
        attrs.append("tags=" + ",".join(section.tags))
    title = f"{section.title} " if section.title else ""
    return f"{'#' * section.depth} {title}{{{' '.join(attrs)}}}"


def _block(block: Block) -> str:
    if isinstance(block, Prose):
        return block.markdown
    if isinstance(block, Commentary):
        return _commentary(block)
    return _example(block)


def _commentary(block: Commentary) -> str:
    head = f'!!! {block.admonition} "{block.title}"'
    body = [f"    {line}" if line.strip() else "" for line in block.markdown.split("\n")]
    return "\n".join([head, *body]) if block.markdown else head


def _example(example: Example) -> str:
    head = f"**Example**: {example.title}" if example.title else "**Example**:"
    chunks = [head]
    if example.trailing_markdown:
        chunks.append(example.trailing_markdown)
    chunks.append(_fenced(example.fence, _conversation(example)))
    return "\n\n".join(chunks)


def _eval_prompt(prompt: EvalPrompt) -> str:
    head = f"**Example**: {prompt.title}" if prompt.title else "**Example**:"
    lines = [line for m in prompt.messages for line in _message(m)]
    return f"{head}\n\n{_fenced('~~~xml', lines)}"


def _fenced(fence: str, lines: list[str]) -> str:
    marker = fence[0] * (len(fence) - len(fence.lstrip(fence[0])))
    return "\n".join([fence, *lines, marker])


# --------------------------------------------------------------------------- conversations


def _conversation(example: Example) -> list[str]:
    total = len(example.messages)
    groups: dict[int, list[LabelledAnswer]] = {}
    for answer in example.answers:
        at = total if answer.after is None else min(answer.after, total)
        groups.setdefault(at, []).append(answer)
    if example.has_comparison and not example.answers:
        groups[total] = []
    lines: list[str] = []
    for index in range(total + 1):
        if index in groups:
            lines.append("<comparison>")
            for answer in groups[index]:
                lines.extend(_message(answer.message, _label(answer)))
            lines.append("</comparison>")
        if index < total:
            lines.extend(_message(example.messages[index]))
    return lines


def _label(answer: LabelledAnswer) -> str:
    text: str = answer.label
    if answer.reference:
        text += f"[#{answer.reference}]"
    if answer.explanation:
        text += f": {answer.explanation}"
    return f" <!-- {text} -->"


def _message(message: Message, label: str = "") -> list[str]:
    attrs = "".join(
        f' {key}="{value.translate(_ATTR_ESCAPES)}"' for key, value in message.attributes.items()
    )
    lines = ["[...]"] if message.gap_before else []
    lines.append(f"<{message.role}{attrs}>{label}")
    if message.settings:
        lines.append("<settings>")
        lines.extend(format_setting(k, v) for k, v in message.settings.items())
        lines.append("</settings>")
    for part in message.parts:
        lines.extend(_part(part))
    lines.append(f"</{message.role}>")
    return lines


def _part(part: Part) -> Iterator[str]:
    if isinstance(part, Attachment):
        yield f"[{part.media}: {part.name}]"
    elif isinstance(part, TextPart):
        yield from _text_lines(part.text)
    else:
        yield "<untrusted>"
        yield from _text_lines(part.text)
        yield "</untrusted>"


def _text_lines(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        escaped = line.translate(_TEXT_ESCAPES)
        if _ATTACHMENT_LIKE_RE.match(escaped):
            escaped = escaped.replace("[", "&#91;", 1)
        yield escaped
