"""The spec as text: a section as the preamble shows it, the whole spec as a model reads it."""

from __future__ import annotations

from specwright._chain._candidates import SectionCandidate
from specwright._model import Spec

__all__ = ["render_section", "whole_spec_text"]


def render_section(candidate: SectionCandidate) -> str:
    """One section as it appears in the preamble."""
    head = f"## {candidate.title} {{#{candidate.section_id}}} ({candidate.authority})"
    return f"{head}\n{candidate.text}"


def whole_spec_text(spec: Spec) -> str:
    """The spec's full text as a model would read it: headings, prose, commentary, examples."""
    chunks = [spec.preamble] if spec.preamble else []
    for section in spec.walk():
        chunks.append(f"{'#' * section.depth} {section.title}")
        for block in section.blocks:
            if block.kind == "example":
                messages = [*block.messages, *(a.message for a in block.answers)]
                chunks.append(block.title)
                chunks += [f"<{m.role}>\n{m.text}\n</{m.role}>" for m in messages]
            else:
                chunks.append(block.markdown)
    return "\n\n".join(chunks)
