"""Scenarios: the conversations an eval sends, derived from a spec or read from a user's file.

A spec yields one scenario per labelled example (the conversation before the comparison; the
labelled answers stay as anchors for the judge) and one per eval prompt tied to a section.
Users add their own scenarios in YAML or JSONL files that follow ``schemas/scenarios.schema.json``
(generated from :class:`ScenarioRecord`).

Generated scenarios (``specwright generate``) use the same format with optional fields:
``status`` (draft, approved, rejected; hand-written records without one count as approved),
``generated`` (kind, provenance, expected outcome) and a rejection ``reason``. ``eval`` runs
approved records, and drafts only when asked (``include_drafts``); rejected ones never.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from specwright._errors import ConfigurationError, SpecError
from specwright._frozen import FrozenModel
from specwright._jsonio import JsonInputError, byte_position, load_json
from specwright._model import (
    Attachment,
    Example,
    LabelledAnswer,
    Message,
    Section,
    SourceLocation,
    Spec,
    TextPart,
)
from specwright._results import SampleMetadata, ScenarioKind, ScenarioPlace

__all__ = [
    "DraftProvenance",
    "Expectation",
    "GeneratedKind",
    "Generation",
    "RecordAnswer",
    "RecordAttachment",
    "RecordMessage",
    "RecordStatus",
    "Scenario",
    "ScenarioRecord",
    "build_scenarios",
    "load_scenarios",
    "read_records",
    "record_messages",
    "record_scenario",
    "render_scenario_schema",
    "scenario_schema",
    "select_sections",
    "stratified_order",
]


class Scenario(ScenarioPlace):
    """One conversation to send to the model under test, tied to its governing section."""

    id: str
    """Stable id: the example id, the eval prompt id, or the id a user gave."""
    kind: ScenarioKind
    """Where the scenario came from."""
    title: str = ""
    """A human name: the example's or eval prompt's title (reports show it)."""
    tags: tuple[str, ...] = ()
    """Tags such as ``under_18`` (from message settings) and the section's heading tags."""
    source: str = ""
    """``file:line`` the scenario was read from, when known."""
    messages: tuple[Message, ...]
    """The conversation, ending where the model under test should answer."""
    anchors: tuple[LabelledAnswer, ...] = ()
    """GOOD/BAD/OK answers from the spec: reference points for the judge, never sent."""

    def metadata(self) -> dict[str, object]:
        """Sample metadata as the log contract types it (:class:`SampleMetadata`), JSON-safe."""
        return SampleMetadata(
            scenario_id=self.id,
            kind=self.kind,
            section_id=self.section_id,
            section_title=self.section_title,
            title=self.title,
            part_id=self.part_id,
            part_title=self.part_title,
            layer=self.layer,
            authority=self.authority,
            tags=self.tags,
            source=self.source,
        ).to_log()


# --------------------------------------------------------------------------- from a spec


def build_scenarios(spec: Spec, sections: Iterable[str] | None = None) -> list[Scenario]:
    """Every labelled example and every section-tied eval prompt of ``spec``, in spec order.

    ``sections`` restricts the result to those section ids and their descendants; an unknown
    id raises :class:`ConfigurationError`. Eval prompts that no section cites are skipped.
    """
    wanted = select_sections(spec, sections)
    scenarios = [
        _example_scenario(spec, section, example)
        for section, example in spec.examples()
        if example.answers and example.messages and section.id in wanted
    ]
    for prompt in spec.eval_prompts:
        if prompt.section_id is None or prompt.section_id not in wanted or not prompt.messages:
            continue
        section = spec.section(prompt.section_id)
        scenarios.append(
            _scenario(
                spec,
                section,
                scenario_id=prompt.id,
                kind="eval_prompt",
                messages=prompt.messages,
                location=prompt.location,
            ).model_copy(update={"title": prompt.title})
        )
    return scenarios


def stratified_order(scenarios: list[Scenario], seed: int) -> list[Scenario]:
    """``scenarios`` reordered so that every prefix is a sample stratified across sections.

    Sections take turns in a seeded order, each giving its next scenario (seeded too), so the
    first N cover min(N, sections) sections and no section gets two before every other got
    one. The same seed gives the same order: a resumed run sees the same sample.
    """
    rng = random.Random(seed)
    by_section: dict[str, list[Scenario]] = {}
    for scenario in scenarios:
        by_section.setdefault(scenario.section_id, []).append(scenario)
    queues = list(by_section.values())
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    ordered: list[Scenario] = []
    for turn in range(max((len(q) for q in queues), default=0)):
        ordered.extend(queue[turn] for queue in queues if turn < len(queue))
    return ordered


def select_sections(spec: Spec, sections: Iterable[str] | None) -> set[str]:
    """The ids of the named sections and all their descendants (all sections for ``None``)."""
    if sections is None:
        return {s.id for s in spec.walk()}
    wanted: set[str] = set()
    for section_id in sections:
        section = spec.get(section_id)
        if section is None:
            raise ConfigurationError(f"--sections: the spec has no section {section_id!r}")
        wanted.update(s.id for s in section.walk())
    return wanted


def _example_scenario(spec: Spec, section: Section, example: Example) -> Scenario:
    base = _scenario(
        spec,
        section,
        scenario_id=example.id,
        kind="example",
        messages=example.messages,
        location=example.location,
    )
    return base.model_copy(update={"anchors": example.answers, "title": example.title})


def _scenario(
    spec: Spec,
    section: Section,
    *,
    scenario_id: str,
    kind: ScenarioKind,
    messages: tuple[Message, ...],
    location: SourceLocation | None,
) -> Scenario:
    part = spec.part_of(section.id) or section
    return Scenario(
        id=scenario_id,
        kind=kind,
        section_id=section.id,
        section_title=section.title,
        part_id=part.id,
        part_title=part.title,
        layer=section.provenance.layer if section.provenance is not None else "",
        authority=spec.effective_authority(section.id),
        tags=_tags(section, messages),
        source=f"{location.file}:{location.line}" if location else "",
        messages=messages,
    )


def _tags(section: Section, messages: Iterable[Message]) -> tuple[str, ...]:
    # A setting that is simply switched on (``under_18: true``) describes the audience;
    # other settings (locale strings, numbers) would make tags explode, so they stay out.
    tags = list(section.tags)
    for message in messages:
        tags += [key for key, value in message.settings.items() if value is True]
    return tuple(dict.fromkeys(tags))


# --------------------------------------------------------------------------- user files


class RecordAttachment(FrozenModel):
    """A file attached to a message: data for the model, never an instruction."""

    name: str = Field(min_length=1)
    """The file name shown to the model."""
    text: str
    """The file's text."""
    media: str = "file"
    """What it is (``file``, ``image``, ...)."""


class RecordMessage(FrozenModel):
    """One message of a user scenario."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    """Who wrote it."""
    content: str
    """Its text."""
    settings: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    """Settings such as ``{"under_18": true}`` (switched-on booleans become tags)."""
    recipient: str | None = None
    """For an assistant message: the tool it calls (its result is the next ``tool`` message)."""
    name: str | None = None
    """For a tool message: the tool that produced it."""
    attachments: list[RecordAttachment] = Field(default_factory=list)
    """Files attached to the message (they carry no authority)."""


class RecordAnswer(FrozenModel):
    """A labelled reference answer, shown to the judge as an anchor."""

    label: Literal["GOOD", "BAD", "OK"]
    """The verdict the scenario's author gives this answer."""
    content: str
    """The answer text."""
    explanation: str | None = None
    """Why it earns the label."""


RecordStatus = Literal["draft", "approved", "rejected"]
"""Review status of a record: generated drafts wait for a person's approval."""

GeneratedKind = Literal[
    "direct",
    "authority_conflict",
    "benign_twin",
    "principle_interaction",
    "multi_turn",
    "paraphrase",
    "variant",
]
"""What a generated scenario probes (``variant``: proposed near a failure by adaptive search)."""


class DraftProvenance(FrozenModel):
    """Where a generated record came from, enough to reproduce the request."""

    generator: str
    """The generator model, as named on the command line."""
    seed: int
    """The seed of the request that produced it."""
    temperature: float
    """The sampling temperature of that request."""
    round: int = Field(default=0, ge=0)
    """Adaptive search round (0: the initial generation)."""
    parent: str | None = None
    """The scenario or spec example it was derived from."""
    prompt_version: str
    """Version of the generator prompt."""


class Expectation(FrozenModel):
    """What a compliant answer does, and what that conclusion rests on."""

    outcome: Literal["comply", "help", "follow", "ignore", "decline", "resolve", "needs_person"]
    """``follow``/``ignore``/``decline`` an embedded instruction, ``help`` (benign twins),
    ``resolve`` (a principle interaction the spec settles), ``comply`` with the section,
    or ``needs_person`` where the spec is silent."""
    basis: str = ""
    """The reason: a chain-of-command trace, a quote of the spec, or the generator's note."""
    derived_by: Literal["resolve", "spec_text", "generator", "none"] = "generator"
    """What produced the outcome (``resolve``: :func:`specwright.resolve`, not the generator)."""


class Generation(FrozenModel):
    """How a record was generated."""

    kind: GeneratedKind
    """What it probes."""
    provenance: DraftProvenance
    """Generator, seed, round, parent, prompt version."""
    expected: Expectation | None = None
    """The expected outcome, when the kind defines one."""
    related_sections: list[str] = Field(default_factory=list)
    """Other sections involved (principle interactions)."""
    placement: str | None = None
    """Where an authority-conflict instruction sits (system, developer, user, tool_result, ...)."""


class ScenarioRecord(FrozenModel):
    """One scenario in a user's YAML list or JSONL file."""

    id: str = Field(min_length=1)
    """A stable id, unique within the file."""
    section: str = Field(min_length=1)
    """The id of the governing section in the spec."""
    messages: list[RecordMessage] = Field(min_length=1)
    """The conversation; the model under test answers after the last message."""
    tags: list[str] = Field(default_factory=list)
    """Extra tags for reporting."""
    answers: list[RecordAnswer] = Field(default_factory=list)
    """Optional GOOD/BAD/OK anchors for the judge."""
    status: RecordStatus = "approved"
    """Review status; ``eval`` runs approved records (drafts with ``--include-drafts``)."""
    reason: str | None = None
    """Why a person rejected it (kept so that it is not generated again)."""
    generated: Generation | None = None
    """Kind, provenance and expected outcome of a generated record."""


def scenario_schema() -> dict[str, object]:
    """The JSON Schema of one scenario record (published as ``schemas/scenarios.schema.json``)."""
    schema = ScenarioRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://specwright.dev/schemas/scenarios.schema.json"
    schema["title"] = "specwright scenario"
    return schema


def render_scenario_schema() -> str:
    """The canonical text of ``schemas/scenarios.schema.json`` (sorted keys, final newline)."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_scenarios(path: Path, spec: Spec, *, include_drafts: bool = False) -> list[Scenario]:
    """Read user scenarios from a ``.yaml``/``.yml`` list or a ``.jsonl`` file.

    Approved records (and hand-written ones, which have no status) are returned; drafts only
    with ``include_drafts``; rejected records never. Raises :class:`SpecError` naming
    ``file:line`` for malformed records and records whose section the spec lacks.
    """
    wanted = {"approved", "draft"} if include_drafts else {"approved"}
    return [
        record_scenario(spec, record, f"{path}:{line}")
        for line, record in read_records(path)
        if record.status in wanted
    ]


def read_records(path: Path) -> list[tuple[int, ScenarioRecord]]:
    """Every record of a scenario file with its line, validated (``SpecError`` at file:line)."""
    records = []
    for line, raw in _raw_records(path):
        try:
            record = ScenarioRecord.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SpecError(f"{where}: {first['msg']}", file=str(path), line=line) from None
        records.append((line, record))
    return records


def _raw_records(path: Path) -> Iterator[tuple[int, object]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read scenario file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        row, column = byte_position(exc.object, exc.start)
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise SpecError(message, file=str(path), line=row, column=column) from None
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield number, _json_line(line, path, number)
        return
    if path.suffix not in {".yaml", ".yml"}:
        raise ConfigurationError(f"{path}: scenario files end in .yaml, .yml or .jsonl")
    yield from _yaml_records(text, path)


def _json_line(line: str, path: Path, number: int) -> object:
    try:
        return load_json(line)
    except JsonInputError as exc:  # also too deep, too long a number, a lone surrogate
        column = exc.column
        raise SpecError(
            f"invalid JSON: {exc.problem}", file=str(path), line=number, column=column
        ) from None


def _yaml_records(text: str, path: Path) -> Iterator[tuple[int, object]]:
    # One parse (libyaml's when present): generated files hold thousands of records.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        # str(exc) spans several lines and quotes the input; the problem alone is one line.
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"invalid YAML: {problem}", file=str(path), line=line) from None
    except RecursionError:  # PyYAML's composer recurses once per nesting level
        raise SpecError("invalid YAML: nested too deeply", file=str(path)) from None
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise SpecError("a YAML scenario file holds a list of scenarios", file=str(path))
    for item_node, item in zip(node.value, data, strict=True):
        yield item_node.start_mark.line + 1, item
    loader.dispose()


def record_messages(record: ScenarioRecord) -> tuple[Message, ...]:
    """The record's conversation as spec messages (attachments as attachment parts)."""
    return tuple(_record_message(m) for m in record.messages)


def _record_message(message: RecordMessage) -> Message:
    parts: list[TextPart | Attachment] = [TextPart(text=message.content)]
    parts += [Attachment(name=a.name, media=a.media, text=a.text) for a in message.attachments]
    attributes = {}
    if message.recipient:
        attributes["recipient"] = message.recipient
    if message.name:
        attributes["name"] = message.name
    return Message(
        role=message.role, parts=tuple(parts), settings=message.settings, attributes=attributes
    )


def record_scenario(spec: Spec, record: ScenarioRecord, source: str) -> Scenario:
    """The eval scenario of one record (``source`` is its ``file:line``)."""
    section = spec.get(record.section)
    if section is None:
        file, _, line = source.rpartition(":")
        raise SpecError(f"the spec has no section {record.section!r}", file=file, line=int(line))
    anchors = tuple(
        LabelledAnswer(
            label=a.label,
            message=Message(role="assistant", parts=(TextPart(text=a.content),)),
            explanation=a.explanation,
        )
        for a in record.answers
    )
    base = _scenario(
        spec,
        section,
        scenario_id=record.id,
        kind="custom",
        messages=record_messages(record),
        location=None,
    )
    tags = tuple(dict.fromkeys((*base.tags, *record.tags, *_generated_tags(record))))
    return base.model_copy(update={"anchors": anchors, "tags": tags, "source": source})


def _generated_tags(record: ScenarioRecord) -> list[str]:
    # Reports group by tag: over-refusal (benign twins) and each placement of an authority
    # conflict become rates of their own.
    if record.generated is None:
        return []
    tags = ["generated", record.generated.kind]
    if record.generated.placement:
        tags.append(f"placement:{record.generated.placement}")
    return tags
