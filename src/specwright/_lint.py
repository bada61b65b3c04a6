"""Structural lint for specs: a registry of small rules, each yielding findings.

Rules see a parsed :class:`~specwright.Spec`. What the reader already refuses (unclosed tags,
unknown authority values, labels outside a comparison) never reaches lint; lint finds what is
well-formed yet wrong: broken references, examples without a GOOD answer, eval files and
footnote tags that do not meet, duplicate ids in specs built in code or layered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._model import Section, SourceLocation, Spec
from specwright._registry import Registry

__all__ = [
    "Finding",
    "LintRule",
    "Severity",
    "lint_rule",
    "lint_rules",
    "lint_spec",
    "split_base_findings",
]

Severity: TypeAlias = Literal["error", "warning", "info"]
"""How serious a finding is; errors and warnings make ``specwright lint`` exit 1."""

_SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}


class Finding(FrozenModel):
    """One lint finding."""

    code: str
    """Stable rule code, e.g. ``SW101``."""
    rule: str
    """Rule name, e.g. ``broken-reference``."""
    severity: Severity
    """How serious it is."""
    message: str
    """What is wrong, in one line."""
    location: SourceLocation | None = None
    """Where (file:line:column) when known."""
    section_id: str | None = None
    """The section concerned, when there is one."""
    layer: str | None = None
    """In a composed spec: the layer the section concerned comes from."""

    def __str__(self) -> str:
        where = str(self.location) if self.location else "<spec>"
        layer = f" (layer: {self.layer})" if self.layer else ""
        return f"{where}: {self.severity}: {self.message}{layer} [{self.code} {self.rule}]"


RuleFunc: TypeAlias = Callable[[Spec, "LintRule"], Iterable[Finding]]


@dataclass(frozen=True)
class LintRule:
    """A registered rule."""

    code: str
    """Stable code."""
    name: str
    """Kebab-case name."""
    severity: Severity
    """Severity of its findings."""
    summary: str
    """One line on what it checks."""
    check: RuleFunc
    """The function yielding findings."""

    def finding(
        self,
        message: str,
        location: SourceLocation | None = None,
        section_id: str | None = None,
    ) -> Finding:
        """Build a finding of this rule."""
        return Finding(
            code=self.code,
            rule=self.name,
            severity=self.severity,
            message=message,
            location=location,
            section_id=section_id,
        )


def _check_rule(entry: object) -> LintRule:
    if not isinstance(entry, LintRule):
        raise TypeError(f"expected a LintRule, got {type(entry).__name__}")
    return entry


LINT_RULES: Registry[LintRule] = Registry("lint rule", "specwright.lint_rules", check=_check_rule)
"""Lint rules by code; a plugin's entry point (named by the code) names a :class:`LintRule`."""


def lint_rule(code: str, name: str, severity: Severity) -> Callable[[RuleFunc], RuleFunc]:
    """Register a lint rule; the function's docstring's first line is its summary."""

    def register(func: RuleFunc) -> RuleFunc:
        loaded = LINT_RULES.loaded()
        if code in loaded or any(r.name == name for r in loaded.values()):
            raise ConfigurationError(f"lint rule {code} {name} registered twice")
        summary = (func.__doc__ or name).strip().splitlines()[0]
        LINT_RULES.add(code, LintRule(code, name, severity, summary, func))
        return func

    return register


def lint_rules() -> tuple[LintRule, ...]:
    """Every registered rule, sorted by code."""
    return tuple(rule for _, rule in LINT_RULES.items())


def lint_spec(
    spec: Spec,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Run the registered rules (all, or those selected by code or name) and sort the findings.

    An unknown code or name in ``select`` or ``ignore`` raises :class:`ConfigurationError`:
    a typo would otherwise silently run no rule, or skip none.
    """
    wanted = set(select) if select is not None else None
    skipped = set(ignore)
    _check_rule_names((wanted or set()) | skipped)
    findings: list[Finding] = []
    for rule in lint_rules():
        keys = {rule.code, rule.name}
        if (wanted is not None and not keys & wanted) or keys & skipped:
            continue
        findings.extend(rule.check(spec, rule))
    if spec.layers:
        findings = [_with_layer(spec, finding) for finding in findings]
    return sorted(findings, key=_sort_key)


def split_base_findings(
    spec: Spec, findings: Iterable[Finding]
) -> tuple[list[Finding], list[Finding]]:
    """A composed spec's findings in two lists: its own layer's (the last one), its bases'.

    A finding belongs to the base when it stands in a file outside the layer's directory (its
    ``model_spec.md`` and ``examples/``), or, without a location, names a base layer. For a
    spec that is no layer every finding is its own.
    """
    findings = list(findings)
    if len(spec.layers) < 2 or spec.source is None:
        return findings, []
    given = Path(spec.source)
    directory = (given if given.is_dir() else given.parent).resolve()
    own_title = spec.layers[-1].title
    own: list[Finding] = []
    base: list[Finding] = []
    for finding in findings:
        if finding.location is not None:
            where = Path(finding.location.file).resolve().parent
            mine = where in (directory, directory / "examples")
        else:
            mine = finding.layer in (None, own_title)
        (own if mine else base).append(finding)
    return own, base


def _with_layer(spec: Spec, finding: Finding) -> Finding:
    section = spec.get(finding.section_id) if finding.section_id else None
    if section is None or section.provenance is None:
        return finding
    return finding.model_copy(update={"layer": section.provenance.layer})


def _check_rule_names(names: set[str]) -> None:
    known = {key for rule in lint_rules() for key in (rule.code, rule.name)}
    unknown = sorted(names - known)
    if unknown:
        names_given = ", ".join(map(repr, unknown))
        raise ConfigurationError(
            f"unknown lint rule {names_given} (known: {', '.join(LINT_RULES.names())})"
        )


def _sort_key(finding: Finding) -> tuple[str, int, int, int, str]:
    loc = finding.location
    return (
        loc.file if loc else "",
        loc.line if loc else 0,
        loc.column if loc else 0,
        _SEVERITY_ORDER[finding.severity],
        finding.code,
    )


# --------------------------------------------------------------------------- rules


@lint_rule("SW101", "duplicate-section-id", "error")
def _duplicate_section_ids(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """Two sections share an id, so references to it are ambiguous."""
    seen: set[str] = set()
    for section in spec.walk():
        if section.id in seen:
            yield rule.finding(f"duplicate section id {section.id!r}", section.location, section.id)
        seen.add(section.id)


@lint_rule("SW102", "broken-reference", "error")
def _broken_references(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A cross reference or a label's ``[#id]`` points to no section."""
    for ref in spec.cross_references():
        if spec.get(ref.target) is None:
            message = f"reference to unknown section #{ref.target}"
            yield rule.finding(message, ref.location, ref.source_section)
    for section, example in spec.examples():
        for answer in example.answers:
            if answer.reference is not None and spec.get(answer.reference) is None:
                message = f"{answer.label} answer refers to unknown section #{answer.reference}"
                yield rule.finding(message, answer.location or example.location, section.id)


@lint_rule("SW103", "duplicate-example-id", "error")
def _duplicate_example_ids(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """Two examples or eval prompts share an id, so scenario ids would collide."""
    counts = Counter(example.id for _, example in spec.examples())
    counts.update(prompt.id for prompt in spec.eval_prompts)
    for item_id, count in sorted(counts.items()):
        if count > 1:
            yield rule.finding(f"id {item_id!r} is used {count} times")


@lint_rule("SW201", "example-without-good", "warning")
def _example_without_good(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A comparison has no GOOD answer, so a judge has no positive anchor."""
    for section, example in spec.examples():
        if example.has_comparison and not any(a.label == "GOOD" for a in example.answers):
            message = f"example {example.title!r} has a comparison without a GOOD answer"
            yield rule.finding(message, example.location, section.id)


@lint_rule("SW202", "footnote-without-eval-file", "warning")
def _footnote_without_file(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A section carries a ``[^tag]`` footnote but no ``examples/<tag>.md`` file was read."""
    files = set(spec.eval_files)
    for section in spec.walk():
        for tag in section.eval_tags:
            if tag not in files:
                message = f"footnote [^{tag}] has no eval prompt file examples/{tag}.md"
                yield rule.finding(message, section.location, section.id)


@lint_rule("SW203", "eval-file-without-footnote", "warning")
def _file_without_footnote(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """An eval prompt file exists but no section carries its ``[^tag]`` footnote."""
    tags = {tag for section in spec.walk() for tag in section.eval_tags}
    for tag in spec.eval_files:
        if tag not in tags:
            location = SourceLocation(file=_eval_file_path(spec, tag), line=1)
            yield rule.finding(f"eval prompt file for [^{tag}] is tied to no section", location)


@lint_rule("SW204", "empty-eval-file", "warning")
def _empty_eval_file(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """An eval prompt file holds no prompt."""
    used = {prompt.tag for prompt in spec.eval_prompts}
    for tag in spec.eval_files:
        if tag not in used:
            location = SourceLocation(file=_eval_file_path(spec, tag), line=1)
            yield rule.finding(f"eval prompt file for [^{tag}] holds no prompt", location)


@lint_rule("SW205", "stray-emphasis", "warning")
def _stray_emphasis(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """Emphasis markers wrap a message tag (``*<comparison>``); it was read as the bare tag."""
    for stray in spec.stray_emphasis:
        tag = stray.tag.split(">", 1)[0] + ">"
        yield rule.finding(
            f"stray emphasis around {tag}: {stray.written!r} read as the bare tag", stray.location
        )


@lint_rule("SW206", "structure-slip", "warning")
def _structure_slips(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A line reads as text (or a heading keeps braces in its title) though it looks like a
    mistyped heading, attribute block or label: ``##Answer``, ``{#id`` without ``}``."""
    for slip in spec.slips:
        yield rule.finding(slip.message, slip.location)


@lint_rule("SW207", "heading-level-skip", "warning")
def _heading_level_skips(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A heading is more than one level below its parent (``#`` then ``###``), or a top-level
    heading is deeper than the document's top level: often a mark added or lost by mistake."""
    top = min((section.depth for section in spec.sections), default=1)
    stack: list[tuple[int, Section]] = [(top - 1, section) for section in spec.sections]
    while stack:
        parent_depth, section = stack.pop()
        if section.depth > parent_depth + 1:
            message = (
                f"heading #{section.id} is level {section.depth} under a level-{parent_depth} "
                "heading"
                if parent_depth >= top
                else f"top-level heading #{section.id} is level {section.depth}, the document's "
                f"top level is {top}"
            )
            yield rule.finding(message, section.location, section.id)
        stack.extend((section.depth, child) for child in section.children)


@lint_rule("SW301", "example-without-authority", "info")
def _example_without_authority(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A section with examples has no authority, itself or through an ancestor."""
    for section in spec.walk():
        if section.examples and spec.effective_authority(section.id) is None:
            message = f"section #{section.id} has examples but no authority level"
            yield rule.finding(message, section.location, section.id)


@lint_rule("SW302", "empty-section", "info")
def _empty_section(spec: Spec, rule: LintRule) -> Iterator[Finding]:
    """A section has neither content nor sub-sections."""
    for section in spec.walk():
        if not section.blocks and not section.children:
            yield rule.finding(f"section #{section.id} is empty", section.location, section.id)


def _eval_file_path(spec: Spec, tag: str) -> str:
    prompt = next((p for p in spec.eval_prompts if p.tag == tag and p.location), None)
    if prompt is not None and prompt.location is not None:
        return prompt.location.file
    return f"examples/{tag}.md"
