"""specwright: make AI behaviour specs executable — write, enforce, evaluate, revise.

The public API is what ``__all__`` lists; every module whose name starts with ``_`` is private.
"""

from __future__ import annotations

import typing as _typing

from specwright._chain._adapters_anthropic import from_anthropic, to_anthropic
from specwright._chain._adapters_openai import from_openai, to_openai
from specwright._chain._authority import Span, SpanKind, split_conversation
from specwright._chain._candidates import Candidate, CandidateStatus
from specwright._chain._compiled import CompiledPrompt, CompiledSection, IsolatedBlock
from specwright._chain._compiler import compile_prompt
from specwright._chain._conversation import Conversation, Media, PartMark, PartMeta, ToolCall, Turn
from specwright._chain._delegation import Delegation
from specwright._chain._formats import read_conversation
from specwright._chain._interpreter import (
    Annotations,
    Capability,
    DeterministicInterpreter,
    Grant,
    Interpreter,
    Override,
    RelationNote,
    SpanClass,
    create_interpreter,
    interpreter,
)
from specwright._chain._llm_interpreter import LLMInterpreter
from specwright._chain._resolution import PartVerdict, Resolution, resolve
from specwright._chain._spotlight import SpotlightMode
from specwright._chain._tokens import (
    ApproxTokenCounter,
    TiktokenCounter,
    TokenCounter,
    create_token_counter,
    token_counter,
)
from specwright._errors import (
    ConfigurationError,
    ConversationError,
    SpecError,
    SpecwrightError,
)
from specwright._layers._base import compose_spec
from specwright._lint import Finding, LintRule, Severity, lint_rule, lint_rules, lint_spec
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
    TextPart,
    UntrustedPart,
    authority_rank,
)
from specwright._reader import (
    example_spec_path,
    load_example_spec,
    parse_messages,
    parse_spec,
    read_spec,
)
from specwright._settings import Settings, load_settings
from specwright._spec_diff import ChangeKind, SpecChange, SpecDiff, WordSpan, diff_specs
from specwright._stats import SpecStats, spec_stats
from specwright._writer import save_spec, write_eval_file, write_spec

if _typing.TYPE_CHECKING:  # the lazily loaded names below, typed for checkers and IDEs
    from specwright._eval._calibrate import calibrate
    from specwright._eval._judge import GraderSettings
    from specwright._eval._logs import find_logs, load_run
    from specwright._eval._scenarios import Scenario, build_scenarios, load_scenarios
    from specwright._eval._task import compliance_task
    from specwright._report._diff import RunDiff, diff_runs
    from specwright._report._render import render_report
    from specwright._report._store import ResultsStore, SectionPoint, StoredRun, index_run

__version__ = "0.1.0"

# Report and eval names load on first use: the results store needs SQLAlchemy (the `report`
# extra) and evals need Inspect AI (the `eval` extra); `import specwright` must pull in neither.
_LAZY: dict[str, str] = {
    "ResultsStore": "specwright._report._store",
    "RunDiff": "specwright._report._diff",
    "SectionPoint": "specwright._report._store",
    "StoredRun": "specwright._report._store",
    "diff_runs": "specwright._report._diff",
    "index_run": "specwright._report._store",
    "render_report": "specwright._report._render",
    "GraderSettings": "specwright._eval._judge",
    "Scenario": "specwright._eval._scenarios",
    "build_scenarios": "specwright._eval._scenarios",
    "load_scenarios": "specwright._eval._scenarios",
    "compliance_task": "specwright._eval._task",
    "load_run": "specwright._eval._logs",
    "find_logs": "specwright._eval._logs",
    "calibrate": "specwright._eval._calibrate",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'specwright' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "AUTHORITY_LEVELS",
    "Annotations",
    "ApproxTokenCounter",
    "Attachment",
    "Authority",
    "AuthorityOrNone",
    "Block",
    "Candidate",
    "CandidateStatus",
    "Capability",
    "ChangeKind",
    "Commentary",
    "CompiledPrompt",
    "CompiledSection",
    "ConfigurationError",
    "Conversation",
    "ConversationError",
    "CrossReference",
    "Delegation",
    "DeterministicInterpreter",
    "EvalPrompt",
    "Example",
    "Finding",
    "GraderSettings",
    "Grant",
    "Interpreter",
    "IsolatedBlock",
    "LLMInterpreter",
    "Label",
    "LabelledAnswer",
    "LayerInfo",
    "LintRule",
    "Media",
    "Message",
    "Override",
    "Part",
    "PartMark",
    "PartMeta",
    "PartVerdict",
    "Prose",
    "Provenance",
    "RelationNote",
    "ReplacedSection",
    "Resolution",
    "ResultsStore",
    "Role",
    "RunDiff",
    "Scenario",
    "Section",
    "SectionPoint",
    "Settings",
    "Severity",
    "SourceLocation",
    "Span",
    "SpanClass",
    "SpanKind",
    "Spec",
    "SpecChange",
    "SpecDiff",
    "SpecError",
    "SpecStats",
    "SpecwrightError",
    "SpotlightMode",
    "StoredRun",
    "TextPart",
    "TiktokenCounter",
    "TokenCounter",
    "ToolCall",
    "Turn",
    "UntrustedPart",
    "WordSpan",
    "__version__",
    "authority_rank",
    "build_scenarios",
    "calibrate",
    "compile_prompt",
    "compliance_task",
    "compose_spec",
    "create_interpreter",
    "create_token_counter",
    "diff_runs",
    "diff_specs",
    "example_spec_path",
    "find_logs",
    "from_anthropic",
    "from_openai",
    "index_run",
    "interpreter",
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
    "split_conversation",
    "to_anthropic",
    "to_openai",
    "token_counter",
    "write_eval_file",
    "write_spec",
]
