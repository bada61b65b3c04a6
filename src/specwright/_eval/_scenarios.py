"""Scenarios: the conversations an eval sends, derived from a spec or read from a user's file.

A spec yields one scenario per labelled example (the conversation before the comparison; the
labelled answers stay as anchors for the judge) and one per eval prompt tied to a section.
Users add their own scenarios in YAML or JSONL files that follow ``schemas/scenarios.schema.json``
(generated from :class:`ScenarioRecord`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from specwright._errors import ConfigurationError, SpecError
from specwright._model import (
    Authority,
    Example,
    LabelledAnswer,
    Message,
    Section,
    SourceLocation,
    Spec,
    TextPart,
)
from specwright._report._view import spec_parts
from specwright._results import ScenarioKind

__all__ = [
    "Scenario",
    "ScenarioRecord",
    "build_scenarios",
    "load_scenarios",
    "render_scenario_schema",
    "scenario_schema",
    "select_sections",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Scenario(_Frozen):
    """One conversation to send to the model under test, tied to its governing section."""

    id: str
    """Stable id: the example id, the eval prompt id, or the id a user gave."""
    kind: ScenarioKind
    """Where the scenario came from."""
    section_id: str
    """The governing section."""
    section_title: str = ""
    """Its title."""
    title: str = ""
    """A human name: the example's or eval prompt's title (reports show it)."""
    part_id: str | None = None
    """The spec's top-level (H1) section holding the governing section (reports group by it)."""
    part_title: str = ""
    """That top-level section's title."""
    authority: Authority | None = None
    """The section's effective authority (own, else inherited)."""
    tags: tuple[str, ...] = ()
    """Tags such as ``under_18`` (from message settings) and the section's heading tags."""
    source: str = ""
    """``file:line`` the scenario was read from, when known."""
    messages: tuple[Message, ...]
    """The conversation, ending where the model under test should answer."""
    anchors: tuple[LabelledAnswer, ...] = ()
    """GOOD/BAD/OK answers from the spec: reference points for the judge, never sent."""

    def metadata(self) -> dict[str, object]:
        """Sample metadata as the log contract in ``docs/architecture.md`` names it."""
        return {
            "scenario_id": self.id,
            "kind": self.kind,
            "section_id": self.section_id,
            "section_title": self.section_title,
            "title": self.title,
            "part_id": self.part_id,
            "part_title": self.part_title,
            "authority": self.authority,
            "tags": list(self.tags),
            "source": self.source,
        }


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
    part = spec_parts(spec).get(section.id, section)
    return Scenario(
        id=scenario_id,
        kind=kind,
        section_id=section.id,
        section_title=section.title,
        part_id=part.id,
        part_title=part.title,
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


class RecordMessage(_Frozen):
    """One message of a user scenario."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    """Who wrote it."""
    content: str
    """Its text."""
    settings: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    """Settings such as ``{"under_18": true}`` (switched-on booleans become tags)."""


class RecordAnswer(_Frozen):
    """A labelled reference answer, shown to the judge as an anchor."""

    label: Literal["GOOD", "BAD", "OK"]
    """The verdict the scenario's author gives this answer."""
    content: str
    """The answer text."""
    explanation: str | None = None
    """Why it earns the label."""


class ScenarioRecord(_Frozen):
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


def load_scenarios(path: Path, spec: Spec) -> list[Scenario]:
    """Read user scenarios from a ``.yaml``/``.yml`` list or a ``.jsonl`` file.

    Raises :class:`SpecError` naming ``file:line`` for malformed records and records whose
    section the spec lacks.
    """
    scenarios = []
    for line, raw in _raw_records(path):
        try:
            record = ScenarioRecord.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SpecError(f"{where}: {first['msg']}", file=str(path), line=line) from None
        scenarios.append(_record_scenario(spec, record, f"{path}:{line}"))
    return scenarios


def _raw_records(path: Path) -> Iterator[tuple[int, object]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read scenario file {path}: {exc.strerror}") from None
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
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise SpecError(f"invalid JSON: {exc.msg}", file=str(path), line=number) from None


def _yaml_records(text: str, path: Path) -> Iterator[tuple[int, object]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # str(exc) spans several lines and quotes the input; the problem alone is one line.
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"invalid YAML: {problem}", file=str(path), line=line) from None
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise SpecError("a YAML scenario file holds a list of scenarios", file=str(path))
    for item_node, item in zip(node.value, data, strict=True):
        yield item_node.start_mark.line + 1, item


def _record_scenario(spec: Spec, record: ScenarioRecord, source: str) -> Scenario:
    section = spec.get(record.section)
    if section is None:
        file, _, line = source.rpartition(":")
        raise SpecError(f"the spec has no section {record.section!r}", file=file, line=int(line))
    messages = tuple(
        Message(role=m.role, parts=(TextPart(text=m.content),), settings=m.settings)
        for m in record.messages
    )
    anchors = tuple(
        LabelledAnswer(
            label=a.label,
            message=Message(role="assistant", parts=(TextPart(text=a.content),)),
            explanation=a.explanation,
        )
        for a in record.answers
    )
    base = _scenario(
        spec, section, scenario_id=record.id, kind="custom", messages=messages, location=None
    )
    tags = tuple(dict.fromkeys((*base.tags, *record.tags)))
    return base.model_copy(update={"anchors": anchors, "tags": tags, "source": source})
