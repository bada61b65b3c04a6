"""``propose``: a model drafts a revision of one section from the evidence against it.

One Chat Completions request (the generator's client, :mod:`specwright._generate._client`)
carries the section, its examples' titles, the ids it may link to and the evidence
(:mod:`._evidence`). The answer is read strictly (:mod:`._answer`), built into the spec it
would become (:mod:`._revision`) and checked there: it must read back and lint clean. A
malformed or unclean answer is sent back with the reason, at most ``attempts`` times in all;
then :class:`ProposalFailure`. Nothing is written until a clean revision exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from specwright._errors import SpecwrightError
from specwright._frozen import FrozenModel
from specwright._generate._client import GeneratorClient
from specwright._layers._scaffold import relative_base
from specwright._llm import UnparsedReply
from specwright._model import Authority, Section, Spec
from specwright._revise._answer import ProposalAnswer, read_answer
from specwright._revise._evidence import Evidence
from specwright._revise._revision import (
    RevisionKind,
    check_revision,
    overlay_ceiling,
    overlay_text,
    patched_spec,
    read_back,
    revised_section,
    target_file,
)

__all__ = [
    "SYSTEM_PROMPT",
    "CitedExample",
    "Proposal",
    "ProposalFailure",
    "propose_revision",
    "revise_from_answer",
]

SYSTEM_PROMPT = (
    "You revise one section of a behaviour specification for AI assistants. Where judges, "
    "models or people disagreed about answers under the section, its text is likely unclear. "
    "Make the text say plainly what the evidence shows was ambiguous, without changing the "
    "section's scope or authority, and add examples that settle the disputed cases. "
    "Reply with one JSON object only."
)


class ProposalFailure(SpecwrightError):
    """The drafting model gave no usable revision within its attempts (a run-time failure).

    ``rejected`` holds the answers that could not be used, whole, for the user to read.
    """

    def __init__(self, message: str, rejected: Sequence[UnparsedReply] = ()) -> None:
        super().__init__(message)
        self.rejected = tuple(rejected)


class CitedExample(FrozenModel):
    """A new example and the samples that motivated it."""

    example_id: str
    """The example's id in the revised section."""
    title: str
    """Its title."""
    evidence: tuple[str, ...]
    """Evidence ids it cites."""
    samples: tuple[str, ...]
    """``RUN_ID SAMPLE`` of each cited sample (as ``feedback add`` names them)."""


class Proposal(FrozenModel):
    """A drafted revision, ready for review: its text and where every example came from."""

    section_id: str
    """The section revised."""
    kind: RevisionKind
    """``overlay`` (a layer on the spec) or ``patched`` (a copy of the spec)."""
    ceiling: Authority | None
    """The overlay's ceiling (``None`` for a patched copy)."""
    model: str
    """The drafting model."""
    attempts: int
    """Requests it took to get a clean answer."""
    rationale: str
    """The model's account of what changed."""
    evidence: tuple[Evidence, ...]
    """Everything the model was shown."""
    examples: tuple[CitedExample, ...]
    """The new examples and the samples behind each."""
    text: str
    """The ``model_spec.md`` to write."""
    spec: Spec | None = Field(default=None, exclude=True)
    """The patched spec (for its eval prompt files); ``None`` for an overlay."""
    rejected: tuple[UnparsedReply, ...] = Field(default=(), exclude=True)
    """Answers of earlier attempts that could not be used, whole (kept beside the output)."""


@dataclass(frozen=True)
class _Target:
    """Where the revision goes and how it is built."""

    spec: Spec
    spec_path: Path
    section: Section
    file: str
    ceiling: Authority | None


def _conversation(evidence: Evidence) -> str:
    lines = [f"<{m.role}>\n{m.content}\n</{m.role}>" for m in evidence.conversation]
    return "\n".join([*lines, f"<assistant>\n{evidence.answer}\n</assistant>"])


def _verdict(value: bool | None) -> str:
    return "unscored" if value is None else ("compliant" if value else "non-compliant")


def _evidence_block(evidence: Evidence) -> str:
    person = f"; person: {evidence.person}" if evidence.person else ""
    note = f"\nNote: {evidence.note}" if evidence.note else ""
    return (
        f"### {evidence.id}: run {evidence.run_id}, model {evidence.model}, "
        f"sample {evidence.sample}\nWhy shown: {evidence.why}\n"
        f"Judge: {_verdict(evidence.judge)}{person}{note}\n{_conversation(evidence)}"
    )


def build_prompt(spec: Spec, section: Section, evidence: Sequence[Evidence]) -> str:
    """The user message: the section, what it may link to, the evidence and the answer shape."""
    others = ", ".join(s.id for s in spec.walk() if s.id != section.id)
    examples = "\n".join(f"- {e.title}" for e in section.examples) or "(none)"
    shape = (
        '{"text": "<the clarified prose: markdown paragraphs, no headings>", "examples": '
        '[{"title": "<one line>", "evidence": ["E1"], "user": "<the user message>", '
        '"good": "<a compliant answer>", "bad": "<a non-compliant answer>", '
        '"bad_why": "<one line>"}], "rationale": "<what you changed and why>"}'
    )
    return "\n\n".join([
        f"SECTION ID: {section.id}\nTITLE: {section.title}\n"
        f"AUTHORITY: {spec.effective_authority(section.id) or 'none'}",
        f"CURRENT TEXT:\n{section.body or '(none)'}",
        f"CURRENT EXAMPLES (kept as they are):\n{examples}",
        f"Keep every footnote tag such as [^tag] of the text. You may link to these section "
        f"ids with [?](#id): {others}",
        "EVIDENCE:\n\n" + "\n\n".join(_evidence_block(e) for e in evidence),
        "Write the clarified text and one to four new examples, each citing the evidence ids "
        f"that motivated it. Answer with this JSON object only:\n{shape}",
    ])  # fmt: skip


def _build(target: _Target, answer: ProposalAnswer, evidence: dict[str, Evidence]) -> Proposal:
    section = target.section
    revised = revised_section(section, answer, evidence)
    new = revised.examples[len(section.examples) :]
    cited = tuple(
        CitedExample(
            example_id=example.id,
            title=example.title,
            evidence=tuple(dict.fromkeys(item.evidence)),
            samples=tuple(
                f"{evidence[i].run_id} {evidence[i].sample}" for i in dict.fromkeys(item.evidence)
            ),
        )
        for example, item in zip(new, answer.examples, strict=True)
    )
    if target.ceiling is not None:
        here = Path.cwd() if target.file.startswith("<") else Path(target.file).parent
        extends = relative_base(str(target.spec_path), here)
        text = overlay_text(target.spec, section, revised, extends, target.ceiling)
        patched = None
    else:
        from specwright._writer import write_spec

        patched = patched_spec(target.spec, revised)
        text = write_spec(patched)
    return Proposal(
        section_id=section.id, kind="overlay" if patched is None else "patched",
        ceiling=target.ceiling, model="", attempts=0, rationale=answer.rationale,
        evidence=tuple(evidence.values()), examples=cited, text=text, spec=patched,
    )  # fmt: skip


def _unknown_evidence(answer: ProposalAnswer, known: Sequence[str]) -> str:
    unknown = sorted({i for e in answer.examples for i in e.evidence} - set(known))
    if unknown:
        return f"examples cite unknown evidence {', '.join(unknown)} (known: {', '.join(known)})"
    return ""


def _problem(target: _Target, proposal: Proposal, answer: ProposalAnswer) -> str:
    """Why ``proposal`` cannot be offered for review; ``""`` when it can."""
    evals = None
    if proposal.spec is not None:
        from specwright._writer import write_eval_file

        evals = {tag: write_eval_file(proposal.spec, tag) for tag in proposal.spec.eval_files}
    proposed = read_back(proposal.text, target.file, evals)
    if isinstance(proposed, str):
        return proposed
    expected = len(target.section.examples) + len(answer.examples)
    return check_revision(target.spec, proposed, target.section.id, expected)


def revise_from_answer(
    spec: Spec,
    spec_path: Path,
    section_id: str,
    answer: ProposalAnswer,
    evidence: Sequence[Evidence],
    *,
    output: Path | None = None,
) -> Proposal | str:
    """The revision ``answer`` makes of ``section_id``, checked; or why it cannot be offered."""
    target = _Target(spec, spec_path, spec.section(section_id), target_file(output),
                     overlay_ceiling(spec, section_id))  # fmt: skip
    by_id = {e.id: e for e in evidence}
    problem = _unknown_evidence(answer, list(by_id))
    if problem:
        return problem
    proposal = _build(target, answer, by_id)
    return _problem(target, proposal, answer) or proposal


ANSWER_SCHEMA = ProposalAnswer.model_json_schema()
"""The JSON Schema the drafting model's answer is asked to fit (in its profile's form)."""


async def propose_revision(
    spec: Spec,
    spec_path: Path,
    section_id: str,
    evidence: Sequence[Evidence],
    client: GeneratorClient,
    *,
    output: Path | None = None,
    attempts: int = 3,
) -> Proposal:
    """Draft, check and return a revision of ``section_id``; :class:`ProposalFailure` if none."""
    prompt = build_prompt(spec, spec.section(section_id), evidence)
    retry, problem = "", ""
    rejected: list[UnparsedReply] = []
    for attempt in range(1, attempts + 1):
        seed = client.settings.seed + attempt - 1
        reply = await client.complete(
            SYSTEM_PROMPT, prompt + retry, seed, ANSWER_SCHEMA, "revision"
        )
        if reply.error is not None:
            raise ProposalFailure(f"propose: the request to {client.endpoint.name} failed: "
                                  f"{reply.error}", rejected)  # fmt: skip
        answer = read_answer(reply)
        result = answer if isinstance(answer, str) else revise_from_answer(
            spec, spec_path, section_id, answer, evidence, output=output)  # fmt: skip
        if isinstance(result, Proposal):
            return result.model_copy(
                update={
                    "model": client.endpoint.name,
                    "attempts": attempt,
                    "rejected": tuple(rejected),
                }
            )
        problem = result
        rejected.append(UnparsedReply(request=f"section {section_id}, attempt {attempt}",
                                      reason=problem, text=reply.text,
                                      structured=reply.structured))  # fmt: skip
        retry = (f"\n\nYOUR PREVIOUS ANSWER WAS REJECTED: {problem}. "
                 "Answer again with the JSON object only.")  # fmt: skip
    raise ProposalFailure(
        f"propose: {client.endpoint.name} gave no usable revision of {section_id} in "
        f"{attempts} attempt(s); the last: {problem}",
        rejected,
    )
