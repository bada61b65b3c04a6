"""Assemble a :class:`~specwright.Spec` from a spec document and its eval prompt files."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from specwright._errors import SpecError
from specwright._jsonio import byte_position
from specwright._model import EvalPrompt, Message, Section, SourceSlip, Spec, StrayEmphasis
from specwright._reader._document import scan_document, scan_examples
from specwright._reader._export import read_spec_export
from specwright._reader._front_matter import FrontMatter, document_title, split_front_matter
from specwright._reader._layer_header import LayerHeader
from specwright._reader._lines import split_lines
from specwright._reader._messages import parse_conversation

__all__ = ["parse_layer", "parse_messages", "read_layer"]

SPEC_FILE = "model_spec.md"
EVAL_DIR = "examples"
_VERSION_RE = re.compile(r"^v?\d+(?:[.\-_]\d+)*(?:[.\-+]?[A-Za-z][A-Za-z0-9]*)?$")


def parse_messages(text: str, *, file: str = "<string>", line: int = 1) -> tuple[Message, ...]:
    """Parse a bare message block (``<system>…</system><user>…</user>``) into messages.

    ``line`` is the line number of the text's first line in ``file``, so that locations and
    errors point into the surrounding document. Comparisons are not allowed here.
    """
    conversation = parse_conversation(split_lines(text), line, file)
    if conversation.has_comparison:
        raise SpecError(
            "a message block holds no <comparison>",
            file=file,
            line=line,
            hint="labelled answers belong to an **Example** in a spec; use parse_spec",
        )
    return tuple(conversation.messages)


def parse_layer(
    text: str,
    *,
    file: str = "<string>",
    eval_files: Mapping[str, str] | None = None,
    version: str | None = None,
) -> tuple[Spec, LayerHeader | None]:
    """Parse spec markdown (and eval prompt files, tag → text) into a :class:`Spec`; no I/O.

    Front matter sets the title, version and description; ``version`` wins over it. Without
    a front matter title, the title is the document's single level-1 heading, else empty.
    Returns the spec's own content and its layering front matter, uncomposed: composition on
    an ``extends:`` base happens above the reader (:func:`specwright._layers._read.parse_spec`).
    """
    evals = [(tag, _eval_name(file, tag), body) for tag, body in (eval_files or {}).items()]
    return _assemble(text, file, evals, _Defaults(version=version), source=None)


def read_layer(
    path: str | os.PathLike[str], *, version: str | None = None
) -> tuple[Spec, LayerHeader | None]:
    """Read a spec: a ``model_spec.md`` file, or a directory holding one and ``examples/*.md``.

    A ``.json`` file is read as a spec JSON export (what ``specwright export --format json``
    writes). Front matter in ``model_spec.md`` sets the title, version and description;
    ``version`` wins over it. Otherwise the version is the directory's name when it looks like
    a version or a date (``2025-12-18``, ``v1.2``), and the title is the document's single
    level-1 heading, else empty: never a folder's name. Unreadable, empty, binary or
    malformed input raises :class:`SpecError`.

    Returns the spec's own content and its layering front matter (``None`` for a plain spec),
    uncomposed: a spec that ``extends:`` a base is composed above the reader, by
    `specwright._layers._read.read_spec` (see ``docs/company.md``).
    """
    given = Path(path)
    spec_file = given / SPEC_FILE if given.is_dir() else given
    text = _read(spec_file)
    if not text.strip():
        # Eval files may be empty (lint says so); an empty spec is a wrong path or a bad save.
        raise SpecError(
            "empty file", file=str(spec_file), hint="a spec starts with a `# Title` heading"
        )
    if spec_file.suffix == ".json":
        spec = read_spec_export(spec_file, text)
        return (spec if version is None else spec.model_copy(update={"version": version})), None
    evals = []
    eval_dir = spec_file.parent / EVAL_DIR
    if eval_dir.is_dir():
        for eval_path in sorted(eval_dir.glob("*.md")):
            evals.append((eval_path.stem, str(eval_path), _read(eval_path)))
    defaults = _Defaults(version=version)
    if _VERSION_RE.match(spec_file.parent.name):
        defaults = defaults._replace(path_version=spec_file.parent.name)
    return _assemble(text, str(spec_file), evals, defaults, source=str(given))


class _Defaults(NamedTuple):
    """What the caller and the path say about a spec's title and version."""

    version: str | None = None
    """The explicit ``version=`` argument: wins over everything."""
    path_version: str | None = None
    """A version-like directory name: loses to front matter."""


def _read(path: Path) -> str:
    text = _read_text(path)
    if "\0" in text:
        # Valid UTF-8 can still be binary; markdown never holds NUL bytes.
        line, column = _position(text, text.index("\0"))
        raise SpecError(
            "binary file (NUL byte)",
            file=str(path),
            line=line,
            column=column,
            hint="pass a markdown file",
        )
    return text


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            "no such file",
            file=str(path),
            line=None,
            hint=f"pass a {SPEC_FILE} file or a directory holding one",
        ) from None
    except UnicodeDecodeError as error:
        line, column = byte_position(error.object, error.start)
        raise SpecError(
            f"not UTF-8 text ({error.reason} at byte {error.start})",
            file=str(path),
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None
    except OSError as error:
        raise SpecError(
            f"cannot read ({error.strerror})",
            file=str(path),
            line=None,
            hint="check that the path is a readable file",
        ) from None
    except ValueError as error:  # e.g. a NUL byte in the path
        raise SpecError(
            f"cannot read ({error})", file=repr(str(path)), line=None, hint="check the path"
        ) from None


def _eval_name(file: str, tag: str) -> str:
    if file.startswith("<"):
        return f"<{EVAL_DIR}/{tag}.md>"
    return str(Path(file).parent / EVAL_DIR / f"{tag}.md")


def _assemble(
    text: str,
    file: str,
    evals: Iterable[tuple[str, str, str]],
    defaults: _Defaults,
    source: str | None,
) -> tuple[Spec, LayerHeader | None]:
    front, lines = split_front_matter(split_lines(text), file)
    document = scan_document(lines, file)
    owners: dict[str, str] = {}
    for root in document.sections:
        for section in root.walk():
            for tag in section.eval_tags:
                owners.setdefault(tag, section.id)
    prompts: list[EvalPrompt] = []
    tags: list[str] = []
    stray = list(document.stray_emphasis)
    slips = list(document.slips)
    for tag, name, body in sorted(evals):
        tags.append(tag)
        prompts.extend(_eval_prompts(tag, name, body, owners.get(tag), (stray, slips)))
    title, version, description = _labels(document.sections, front, defaults)
    spec = Spec(
        title=title,
        version=version,
        description=description,
        preamble=document.preamble,
        sections=document.sections,
        eval_prompts=tuple(prompts),
        eval_files=tuple(tags),
        source=source,
        stray_emphasis=tuple(stray),
        slips=tuple(slips),
    )
    return spec, front.layer if front is not None else None


def _labels(
    sections: tuple[Section, ...], front: FrontMatter | None, defaults: _Defaults
) -> tuple[str, str | None, str | None]:
    """Title, version and description: front matter over what the body and the path say."""
    front = front or FrontMatter()
    # Only the text names the spec: a folder ("releases", "2025-12-18") names where it was
    # saved, and the first of several top-level headings names a part, not the whole.
    title = document_title(sections) or ""
    version = defaults.version
    if version is None:
        version = front.version if front.version is not None else defaults.path_version
    return (title if front.title is None else front.title), version, front.description


def _eval_prompts(
    tag: str,
    name: str,
    body: str,
    owner: str | None,
    diagnostics: tuple[list[StrayEmphasis], list[SourceSlip]],
) -> list[EvalPrompt]:
    prompts = []
    examples, repaired, slips = scan_examples(split_lines(body), name, tag)
    diagnostics[0].extend(repaired)
    diagnostics[1].extend(slips)
    for n, example in enumerate(examples, start=1):
        if example.has_comparison:
            where = example.location
            raise SpecError(
                "eval prompt with a <comparison>",
                file=name,
                line=where.line if where else 1,
                hint="eval prompt files hold prompts only; put labelled answers in the spec",
            )
        prompts.append(
            EvalPrompt(
                id=f"{tag}/{n}",
                tag=tag,
                title=example.title,
                messages=example.messages,
                section_id=owner,
                location=example.location,
            )
        )
    return prompts
