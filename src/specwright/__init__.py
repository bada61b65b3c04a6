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

import typing as _typing

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
    GraderFailure,
    SpecError,
    SpecwrightError,
    UnknownSectionError,
)
from specwright._layers._base import compose_spec
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
    Spec,
    StrayEmphasis,
    TextPart,
    UntrustedPart,
    authority_rank,
)
from specwright._public import claim as _claim
from specwright._reader import (
    example_spec_path,
    load_example_spec,
    parse_messages,
    parse_spec,
    read_spec,
)
from specwright._report._formats import ReportFormat
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
from specwright._revise._feedback import Feedback
from specwright._settings import Settings, load_settings
from specwright._spec_diff import ChangeKind, SpecChange, SpecDiff, SpecSide, WordSpan, diff_specs
from specwright._stats import SpecStats, spec_stats
from specwright._writer import save_spec, write_eval_file, write_spec

if _typing.TYPE_CHECKING:  # the lazily loaded names below, typed for checkers and IDEs
    from specwright._eval._calibrate import LabelledCase, calibrate
    from specwright._eval._judge import GraderSettings
    from specwright._eval._logs import find_logs, load_run
    from specwright._eval._prompt import Budget
    from specwright._eval._scenarios import Scenario, build_scenarios, load_scenarios
    from specwright._eval._task import compliance_task
    from specwright._report._diff import Change, Flip, FlipDirection, RateChange, RunDiff, diff_runs
    from specwright._report._render import render_report
    from specwright._results._store import ResultsStore, SectionPoint, StoredRun, index_run

__version__ = "0.1.0"

# Report and eval names load on first use: the results store needs SQLAlchemy (the `report`
# extra) and evals need Inspect AI (the `eval` extra); `import specwright` must pull in neither.
_LAZY: dict[str, str] = {
    "Budget": "specwright._eval._prompt",
    "Change": "specwright._report._diff",
    "Flip": "specwright._report._diff",
    "FlipDirection": "specwright._report._diff",
    "GraderSettings": "specwright._eval._judge",
    "LabelledCase": "specwright._eval._calibrate",
    "RateChange": "specwright._report._diff",
    "ResultsStore": "specwright._results._store",
    "RunDiff": "specwright._report._diff",
    "Scenario": "specwright._eval._scenarios",
    "SectionPoint": "specwright._results._store",
    "StoredRun": "specwright._results._store",
    "build_scenarios": "specwright._eval._scenarios",
    "calibrate": "specwright._eval._calibrate",
    "compliance_task": "specwright._eval._task",
    "diff_runs": "specwright._report._diff",
    "find_logs": "specwright._eval._logs",
    "index_run": "specwright._results._store",
    "load_run": "specwright._eval._logs",
    "load_scenarios": "specwright._eval._scenarios",
    "render_report": "specwright._report._render",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'specwright' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    _claim(globals(), [name], __name__)
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

_claim(
    globals(), [name for name in __all__ if name not in _LAZY and name != "__version__"], __name__
)
