"""specwright: make AI behaviour specs executable — write, enforce, evaluate, revise.

The public API is what ``__all__`` lists; every module whose name starts with ``_`` is private.
"""

from __future__ import annotations

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
    Message,
    Part,
    Prose,
    Role,
    Section,
    SourceLocation,
    Spec,
    TextPart,
    UntrustedPart,
    authority_rank,
)
from specwright._settings import Settings, load_settings
from specwright._stats import SpecStats, spec_stats

__version__ = "0.1.0"

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
    "Grant",
    "Interpreter",
    "IsolatedBlock",
    "LLMInterpreter",
    "Label",
    "LabelledAnswer",
    "LintRule",
    "Media",
    "Message",
    "Override",
    "Part",
    "PartMark",
    "PartMeta",
    "PartVerdict",
    "Prose",
    "RelationNote",
    "Resolution",
    "Role",
    "Section",
    "Settings",
    "Severity",
    "SourceLocation",
    "Span",
    "SpanClass",
    "SpanKind",
    "Spec",
    "SpecError",
    "SpecStats",
    "SpecwrightError",
    "SpotlightMode",
    "TextPart",
    "TiktokenCounter",
    "TokenCounter",
    "ToolCall",
    "Turn",
    "UntrustedPart",
    "__version__",
    "authority_rank",
    "compile_prompt",
    "create_interpreter",
    "create_token_counter",
    "from_anthropic",
    "from_openai",
    "interpreter",
    "lint_rule",
    "lint_rules",
    "lint_spec",
    "load_settings",
    "read_conversation",
    "resolve",
    "spec_stats",
    "split_conversation",
    "to_anthropic",
    "to_openai",
    "token_counter",
]
