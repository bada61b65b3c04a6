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
    "Label",
    "LabelledAnswer",
    "Message",
    "Part",
    "Prose",
    "Role",
    "Section",
    "Settings",
    "SourceLocation",
    "Spec",
    "SpecError",
    "SpecwrightError",
    "TextPart",
    "UntrustedPart",
    "__version__",
    "authority_rank",
    "load_settings",
]
