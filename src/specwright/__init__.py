"""specwright: make AI behaviour specs executable — write, enforce, evaluate, revise.

The public API is what ``__all__`` lists; every module whose name starts with ``_`` is private.
"""

from __future__ import annotations

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
from specwright._reader import (
    example_spec_path,
    load_example_spec,
    parse_messages,
    parse_spec,
    read_spec,
)
from specwright._settings import Settings, load_settings
from specwright._stats import SpecStats, spec_stats
from specwright._writer import save_spec, write_eval_file, write_spec

__version__ = "0.1.0"

__all__ = [
    "AUTHORITY_LEVELS",
    "Attachment",
    "Authority",
    "AuthorityOrNone",
    "Block",
    "Commentary",
    "ConfigurationError",
    "ConversationError",
    "CrossReference",
    "EvalPrompt",
    "Example",
    "Finding",
    "Label",
    "LabelledAnswer",
    "LintRule",
    "Message",
    "Part",
    "Prose",
    "Role",
    "Section",
    "Settings",
    "Severity",
    "SourceLocation",
    "Spec",
    "SpecError",
    "SpecStats",
    "SpecwrightError",
    "TextPart",
    "UntrustedPart",
    "__version__",
    "authority_rank",
    "example_spec_path",
    "lint_rule",
    "lint_rules",
    "lint_spec",
    "load_example_spec",
    "load_settings",
    "parse_messages",
    "parse_spec",
    "read_spec",
    "save_spec",
    "spec_stats",
    "write_eval_file",
    "write_spec",
]
