"""The questions structure cannot answer, asked through a pluggable :class:`Interpreter`.

Every answer comes from a closed vocabulary that includes ``"undetermined"``: an interpreter
that cannot decide says so, and the resolution records it instead of defaulting silently.
Interpreters register by name with :func:`interpreter` and are built with
:func:`create_interpreter`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import Field, ValidationError

from specwright._chain._answers import Capability, Grant, Override, SpanClass
from specwright._chain._candidates import Candidate, ref_names
from specwright._chain._conversation import Conversation
from specwright._chain._refs import AnyRef, Ref, RefField
from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._registry import Registry
from specwright._validation import first_error

__all__ = [
    "INTERPRETERS",
    "LLM_OPTIONS",
    "Annotations",
    "Capability",
    "DeterministicInterpreter",
    "Grant",
    "Interpreter",
    "InterpreterOption",
    "Override",
    "RelationNote",
    "SpanClass",
    "create_interpreter",
    "interpreter",
    "interpreter_from_options",
    "interpreter_names",
    "interpreter_options",
    "read_annotations",
]


@runtime_checkable
class Interpreter(Protocol):
    """Answers the semantic questions of the chain of command, in batches.

    Each method returns exactly one answer per item, in order. Answers outside the
    vocabulary, or batches of the wrong length, are treated as ``"undetermined"``.

    Two optional methods keep a long conversation linear: ``relate_all(subject,
    conversation)`` and ``delegates_all(grantor, conversation)`` return the one answer the
    interpreter would give about *every* candidate (or target), or ``None`` to be asked item
    by item. Every instruction is asked about every higher and earlier one, so without them
    the questions grow with the square of the conversation.
    """

    name: str
    """The registry name, recorded in every resolution."""

    def classify(
        self, spans: Sequence[Candidate], conversation: Conversation
    ) -> Sequence[SpanClass]:
        """Is each span an instruction or information?"""
        ...

    def relate(
        self, subject: Candidate, others: Sequence[Candidate], conversation: Conversation
    ) -> Sequence[Override]:
        """Does ``subject`` override or conflict with each of ``others``, and how explicitly?"""
        ...

    def delegates(
        self, grantor: Candidate, targets: Sequence[Candidate], conversation: Conversation
    ) -> Sequence[Grant]:
        """Does ``grantor`` delegate authority to each of ``targets``?"""
        ...

    def capability(
        self, candidates: Sequence[Candidate], conversation: Conversation
    ) -> Sequence[Capability]:
        """Is each instruction within the assistant's capabilities?"""
        ...


@dataclass(frozen=True)
class InterpreterOption:
    """A command-line option an interpreter declares for itself (``specwright check`` and
    ``compile`` offer every registered interpreter's options)."""

    flag: str
    """The option as typed, e.g. ``--llm-model``."""
    param: str
    """The key it is passed under to the interpreter's ``from_options``."""
    help: str
    """One line of help."""
    metavar: str = "TEXT"
    """What the value is, in the help."""
    required: bool = False
    """Whether the interpreter cannot be built without it."""


LLM_OPTIONS = (
    InterpreterOption(
        "--llm-model", "model", "Model name for --interpreter llm.", "MODEL", required=True
    ),
    InterpreterOption(
        "--llm-base-url",
        "base_url",
        "OpenAI-compatible base URL for --interpreter llm; its API key [env: OPENAI_API_KEY]",
        "URL",
    ),
)
"""The built-in ``llm`` interpreter's options (``LLMInterpreter.options``), declared here so
that listing every interpreter's options, as ``check`` and ``compile`` do to build their
command lines, imports no model door (~10 ms of their start-up)."""

_BUILTIN_OPTIONS = {"llm": LLM_OPTIONS}

InterpreterFactory = Callable[..., "Interpreter"]
"""What the registry holds: usually the interpreter class. A factory may declare
``options: tuple[InterpreterOption, ...]`` and a ``from_options(values)`` class method."""

INTERPRETERS: Registry[InterpreterFactory] = Registry(
    "interpreter",
    "specwright.interpreters",
    # Imported when first asked for: the LLM interpreter module imports this one, not back.
    builtins={"llm": "specwright._chain._llm_interpreter:LLMInterpreter"},
)
"""Interpreters by name; plugins add theirs through the ``specwright.interpreters`` group."""

_F = TypeVar("_F", bound=InterpreterFactory)


def interpreter(name: str) -> Callable[[_F], _F]:
    """Register an interpreter factory (usually the class) under ``name``."""
    return INTERPRETERS.register(name)


def interpreter_names() -> list[str]:
    """The registered interpreter names, sorted."""
    return INTERPRETERS.names()


def create_interpreter(name: str, **options: Any) -> Interpreter:
    """Build the interpreter registered as ``name`` with ``options``."""
    return INTERPRETERS.get(name)(**options)


def interpreter_options() -> dict[str, tuple[InterpreterOption, ...]]:
    """Every loadable interpreter's declared options, by interpreter name.

    A plugin that fails to load is left out here (the command line still works), and
    asking for it by name reports why it cannot be loaded.
    """
    declared: dict[str, tuple[InterpreterOption, ...]] = {}
    loaded = INTERPRETERS.loaded()  # a name registered in code is no longer the built-in
    for name in INTERPRETERS.names():
        if name in _BUILTIN_OPTIONS and name not in loaded:
            declared[name] = _BUILTIN_OPTIONS[name]
            continue
        try:
            factory = INTERPRETERS.get(name)
        except ConfigurationError:
            continue
        declared[name] = tuple(getattr(factory, "options", ()))
    return declared


def interpreter_from_options(name: str, given: Mapping[str, Mapping[str, str]]) -> Interpreter:
    r"""Build ``name`` from command-line values, ``given`` by interpreter name then param.

    Values given for another interpreter's options, and required options left out, are
    :class:`ConfigurationError`\ s naming the flags.
    """
    factory = INTERPRETERS.get(name)
    declared = interpreter_options()
    for other, values in given.items():
        if other != name and values:
            flags = [o.flag for o in declared[other]]
            verb = "applies" if len(flags) == 1 else "apply"
            raise ConfigurationError(f"{' and '.join(flags)} {verb} to --interpreter {other}")
    values = dict(given.get(name, {}))
    for option in declared[name]:
        if option.required and not values.get(option.param):
            raise ConfigurationError(f"--interpreter {name} needs {option.flag}")
    from_options = getattr(factory, "from_options", None)
    if from_options is not None:
        built: Interpreter = from_options(values)
        return built
    return factory(**values)


# --------------------------------------------------------------------------- deterministic


class RelationNote(FrozenModel):
    """A caller's answer to "does ``subject`` override ``other``?"."""

    subject: RefField
    """Reference of the later or lower instruction (see :mod:`._refs`)."""
    other: RefField
    """Reference of the instruction it may override or conflict with."""
    answer: Override
    """The answer."""


class Annotations(FrozenModel):
    """Answers the caller already knows, keyed by candidate references."""

    classes: dict[RefField, SpanClass] = Field(default_factory=dict)
    """Reference → instruction / information."""
    relations: tuple[RelationNote, ...] = ()
    """Override answers between pairs of candidates."""
    capabilities: dict[RefField, Capability] = Field(default_factory=dict)
    """Reference → within / beyond the assistant's capabilities."""


@interpreter("deterministic")
class DeterministicInterpreter:
    """Decides only what structure and caller-provided :class:`Annotations` decide.

    Every other question gets ``"undetermined"``: this interpreter does not read language.
    """

    name = "deterministic"
    options: ClassVar[tuple[InterpreterOption, ...]] = (
        InterpreterOption(
            "--annotations",
            "annotations",
            "JSON answers for the deterministic interpreter.",
            metavar="FILE",
        ),
    )

    def __init__(self, annotations: Annotations | None = None) -> None:
        self.annotations = annotations or Annotations()

    @classmethod
    def from_options(cls, values: Mapping[str, str]) -> DeterministicInterpreter:
        """Built from ``--annotations FILE`` (a JSON :class:`Annotations` object), if given."""
        path = values.get("annotations")
        return cls(read_annotations(Path(path)) if path else None)

    def classify(self, spans: Sequence[Candidate], conversation: Conversation) -> list[SpanClass]:
        """The annotated class of each span, else ``"undetermined"``."""
        return [_lookup(self.annotations.classes, s, "undetermined") for s in spans]

    def relate(
        self, subject: Candidate, others: Sequence[Candidate], conversation: Conversation
    ) -> list[Override]:
        """The annotated relation for each pair, else ``"undetermined"``."""
        notes = [n for n in self.annotations.relations if ref_names(n.subject, subject)]
        if not notes:
            return ["undetermined"] * len(others)
        return [_relation(notes, other) for other in others]

    def relate_all(self, subject: Candidate, conversation: Conversation) -> Override | None:
        """``"undetermined"`` when no note names ``subject``, the answer of a note about
        ``*`` when that is the first of its notes, else ``None`` (asked pair by pair)."""
        notes = [n for n in self.annotations.relations if ref_names(n.subject, subject)]
        if not notes:
            return "undetermined"
        if isinstance(notes[0].other, AnyRef):
            return notes[0].answer
        return None

    def delegates(
        self, grantor: Candidate, targets: Sequence[Candidate], conversation: Conversation
    ) -> list[Grant]:
        """Always ``"undetermined"``: explicit delegations are passed to :func:`resolve`."""
        return ["undetermined"] * len(targets)

    def delegates_all(self, grantor: Candidate, conversation: Conversation) -> Grant:
        """Always ``"undetermined"``, whatever the targets."""
        return "undetermined"

    def capability(
        self, candidates: Sequence[Candidate], conversation: Conversation
    ) -> list[Capability]:
        """The annotated capability of each instruction, else ``"undetermined"``."""
        return [_lookup(self.annotations.capabilities, c, "undetermined") for c in candidates]


_T = TypeVar("_T")


def _lookup(table: dict[Ref, _T], candidate: Candidate, default: _T) -> _T:
    for ref, value in table.items():
        if ref_names(ref, candidate):
            return value
    return default


def _relation(notes: list[RelationNote], other: Candidate) -> Override:
    for note in notes:
        if ref_names(note.other, other):
            return note.answer
    return "undetermined"


def read_annotations(path: Path) -> Annotations:
    """Read an :class:`Annotations` JSON file; bad files are :class:`ConfigurationError`."""
    try:
        return Annotations.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: {first_error(exc)}") from None
