"""specwright: make AI behaviour specs executable — write, enforce, evaluate, revise.

The public API has two tiers. This module holds what a user of the toolkit needs: the spec
model, reading and writing the dialect, lint and stats, conversations and their adapters,
:func:`resolve` and :func:`compile_prompt` with their results, the eval and report entry
points with every type they take or return, and the closed error tree under
:class:`SpecwrightError`. :mod:`specwright.chain` holds the chain of command's extension
surface (spans, grants, interpreters, token counters and their registries). Every other
module's name starts with ``_`` and is private.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:  # every name below loads on first use; typed here for checkers and IDEs
    from specwright._chain._adapters_anthropic import from_anthropic, to_anthropic
    from specwright._chain._adapters_openai import from_openai, to_openai
    from specwright._chain._compiled import CompiledPrompt, CompiledSection, IsolatedBlock
    from specwright._chain._compiler import compile_prompt
    from specwright._chain._conversation import ContentForm, Conversation, Media, ToolCall, Turn
    from specwright._chain._formats import read_conversation
    from specwright._chain._resolution import PartVerdict, Resolution, resolve
    from specwright._chain._spotlight import SpotlightMode
    from specwright._errors import (
        ConfigurationError,
        ConversationError,
        ConversationTooLarge,
        GraderFailure,
        SpecError,
        SpecwrightError,
        UnknownSectionError,
    )
    from specwright._eval._calibrate import LabelledCase, calibrate
    from specwright._eval._judge import GraderSettings
    from specwright._eval._logs import find_logs, load_run
    from specwright._eval._prompt import Budget
    from specwright._eval._task import compliance_task
    from specwright._layers._read import compose_spec, parse_spec, read_spec
    from specwright._lint import Finding, LintRule, Severity, lint_rule, lint_rules, lint_spec
    from specwright._llm import Adaptation
    from specwright._model import (
        AUTHORITY_LEVELS,
        Attachment,
        Authority,
        AuthorityOrNone,
        Block,
        Commentary,
        CrossReference,
        EvalPrompt,
        Example,
        Label,
        LabelledAnswer,
        LayerInfo,
        Message,
        Part,
        Prose,
        Provenance,
        ReplacedSection,
        Role,
        Section,
        SourceLocation,
        SourceSlip,
        Spec,
        StrayEmphasis,
        TextPart,
        UntrustedPart,
        authority_rank,
    )
    from specwright._reader import example_spec_path, load_example_spec, parse_messages
    from specwright._report._diff import Change, Flip, FlipDirection, RateChange, RunDiff, diff_runs
    from specwright._report._formats import ReportFormat
    from specwright._report._render import render_report
    from specwright._results import (
        Calibration,
        ConfusionMatrix,
        Grade,
        JudgeAgreement,
        JudgeValidity,
        JudgeVerdict,
        PairAgreement,
        Rate,
        RunResult,
        RunStatus,
        SampleResult,
        ScenarioKind,
        TranscriptMessage,
        ValidityStatus,
        judge_validity,
    )
    from specwright._results._feedback import Feedback
    from specwright._results._store import ResultsStore, SectionPoint, StoredRun, index_run
    from specwright._scenarios import Scenario, build_scenarios, load_scenarios
    from specwright._settings import Settings, load_settings
    from specwright._spec_diff import (
        ChangeKind,
        SpecChange,
        SpecDiff,
        SpecSide,
        WordSpan,
        diff_specs,
    )
    from specwright._stats import SpecStats, spec_stats
    from specwright._writer import save_spec, write_eval_file, write_spec

from specwright._version import __version__

# Every public name loads on first use (PEP 562). `import specwright` is what `specwright._cli`
# pays before any command runs, so it must build no pydantic model a command may not need (the
# models of the chain, the results and the adapters cost ~400 ms together); and the report and
# eval names need SQLAlchemy (the `report` extra) and Inspect AI (the `eval` extra).
_LAZY: dict[str, str] = {
    "Adaptation": "specwright._llm",
    "AUTHORITY_LEVELS": "specwright._model",
    "Attachment": "specwright._model",
    "Authority": "specwright._model",
    "AuthorityOrNone": "specwright._model",
    "Block": "specwright._model",
    "Budget": "specwright._eval._prompt",
    "Calibration": "specwright._results",
    "Change": "specwright._report._diff",
    "ChangeKind": "specwright._spec_diff",
    "Commentary": "specwright._model",
    "CompiledPrompt": "specwright._chain._compiled",
    "CompiledSection": "specwright._chain._compiled",
    "ConfigurationError": "specwright._errors",
    "ConfusionMatrix": "specwright._results",
    "ContentForm": "specwright._chain._conversation",
    "Conversation": "specwright._chain._conversation",
    "ConversationError": "specwright._errors",
    "ConversationTooLarge": "specwright._errors",
    "CrossReference": "specwright._model",
    "EvalPrompt": "specwright._model",
    "Example": "specwright._model",
    "Feedback": "specwright._results._feedback",
    "Finding": "specwright._lint",
    "Flip": "specwright._report._diff",
    "FlipDirection": "specwright._report._diff",
    "Grade": "specwright._results",
    "GraderFailure": "specwright._errors",
    "GraderSettings": "specwright._eval._judge",
    "IsolatedBlock": "specwright._chain._compiled",
    "JudgeAgreement": "specwright._results",
    "JudgeValidity": "specwright._results",
    "JudgeVerdict": "specwright._results",
    "Label": "specwright._model",
    "LabelledAnswer": "specwright._model",
    "LabelledCase": "specwright._eval._calibrate",
    "LayerInfo": "specwright._model",
    "LintRule": "specwright._lint",
    "Media": "specwright._chain._conversation",
    "Message": "specwright._model",
    "PairAgreement": "specwright._results",
    "Part": "specwright._model",
    "PartVerdict": "specwright._chain._resolution",
    "Prose": "specwright._model",
    "Provenance": "specwright._model",
    "Rate": "specwright._results",
    "RateChange": "specwright._report._diff",
    "ReplacedSection": "specwright._model",
    "ReportFormat": "specwright._report._formats",
    "Resolution": "specwright._chain._resolution",
    "ResultsStore": "specwright._results._store",
    "Role": "specwright._model",
    "RunDiff": "specwright._report._diff",
    "RunResult": "specwright._results",
    "RunStatus": "specwright._results",
    "SampleResult": "specwright._results",
    "Scenario": "specwright._scenarios",
    "ScenarioKind": "specwright._results",
    "Section": "specwright._model",
    "SectionPoint": "specwright._results._store",
    "Settings": "specwright._settings",
    "Severity": "specwright._lint",
    "SourceLocation": "specwright._model",
    "SourceSlip": "specwright._model",
    "Spec": "specwright._model",
    "SpecChange": "specwright._spec_diff",
    "SpecDiff": "specwright._spec_diff",
    "SpecError": "specwright._errors",
    "SpecSide": "specwright._spec_diff",
    "SpecStats": "specwright._stats",
    "SpecwrightError": "specwright._errors",
    "SpotlightMode": "specwright._chain._spotlight",
    "StoredRun": "specwright._results._store",
    "StrayEmphasis": "specwright._model",
    "TextPart": "specwright._model",
    "ToolCall": "specwright._chain._conversation",
    "TranscriptMessage": "specwright._results",
    "Turn": "specwright._chain._conversation",
    "UnknownSectionError": "specwright._errors",
    "UntrustedPart": "specwright._model",
    "ValidityStatus": "specwright._results",
    "WordSpan": "specwright._spec_diff",
    "authority_rank": "specwright._model",
    "build_scenarios": "specwright._scenarios",
    "calibrate": "specwright._eval._calibrate",
    "compile_prompt": "specwright._chain._compiler",
    "compliance_task": "specwright._eval._task",
    "compose_spec": "specwright._layers._read",
    "diff_runs": "specwright._report._diff",
    "diff_specs": "specwright._spec_diff",
    "example_spec_path": "specwright._reader",
    "find_logs": "specwright._eval._logs",
    "from_anthropic": "specwright._chain._adapters_anthropic",
    "from_openai": "specwright._chain._adapters_openai",
    "index_run": "specwright._results._store",
    "judge_validity": "specwright._results",
    "lint_rule": "specwright._lint",
    "lint_rules": "specwright._lint",
    "lint_spec": "specwright._lint",
    "load_example_spec": "specwright._reader",
    "load_run": "specwright._eval._logs",
    "load_scenarios": "specwright._scenarios",
    "load_settings": "specwright._settings",
    "parse_messages": "specwright._reader",
    "parse_spec": "specwright._layers._read",
    "read_conversation": "specwright._chain._formats",
    "read_spec": "specwright._layers._read",
    "render_report": "specwright._report._render",
    "resolve": "specwright._chain._resolution",
    "save_spec": "specwright._writer",
    "spec_stats": "specwright._stats",
    "to_anthropic": "specwright._chain._adapters_anthropic",
    "to_openai": "specwright._chain._adapters_openai",
    "write_eval_file": "specwright._writer",
    "write_spec": "specwright._writer",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'specwright' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    from specwright._public import claim  # pydantic: loaded with the first name, not before

    claim(globals(), [name], __name__)
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "AUTHORITY_LEVELS",
    "Adaptation",
    "Attachment",
    "Authority",
    "AuthorityOrNone",
    "Block",
    "Budget",
    "Calibration",
    "Change",
    "ChangeKind",
    "Commentary",
    "CompiledPrompt",
    "CompiledSection",
    "ConfigurationError",
    "ConfusionMatrix",
    "ContentForm",
    "Conversation",
    "ConversationError",
    "ConversationTooLarge",
    "CrossReference",
    "EvalPrompt",
    "Example",
    "Feedback",
    "Finding",
    "Flip",
    "FlipDirection",
    "Grade",
    "GraderFailure",
    "GraderSettings",
    "IsolatedBlock",
    "JudgeAgreement",
    "JudgeValidity",
    "JudgeVerdict",
    "Label",
    "LabelledAnswer",
    "LabelledCase",
    "LayerInfo",
    "LintRule",
    "Media",
    "Message",
    "PairAgreement",
    "Part",
    "PartVerdict",
    "Prose",
    "Provenance",
    "Rate",
    "RateChange",
    "ReplacedSection",
    "ReportFormat",
    "Resolution",
    "ResultsStore",
    "Role",
    "RunDiff",
    "RunResult",
    "RunStatus",
    "SampleResult",
    "Scenario",
    "ScenarioKind",
    "Section",
    "SectionPoint",
    "Settings",
    "Severity",
    "SourceLocation",
    "SourceSlip",
    "Spec",
    "SpecChange",
    "SpecDiff",
    "SpecError",
    "SpecSide",
    "SpecStats",
    "SpecwrightError",
    "SpotlightMode",
    "StoredRun",
    "StrayEmphasis",
    "TextPart",
    "ToolCall",
    "TranscriptMessage",
    "Turn",
    "UnknownSectionError",
    "UntrustedPart",
    "ValidityStatus",
    "WordSpan",
    "__version__",
    "authority_rank",
    "build_scenarios",
    "calibrate",
    "compile_prompt",
    "compliance_task",
    "compose_spec",
    "diff_runs",
    "diff_specs",
    "example_spec_path",
    "find_logs",
    "from_anthropic",
    "from_openai",
    "index_run",
    "judge_validity",
    "lint_rule",
    "lint_rules",
    "lint_spec",
    "load_example_spec",
    "load_run",
    "load_scenarios",
    "load_settings",
    "parse_messages",
    "parse_spec",
    "read_conversation",
    "read_spec",
    "render_report",
    "resolve",
    "save_spec",
    "spec_stats",
    "to_anthropic",
    "to_openai",
    "write_eval_file",
    "write_spec",
]
