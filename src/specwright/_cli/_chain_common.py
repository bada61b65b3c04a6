"""Options and loading shared by ``specwright check`` and ``specwright compile``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from pydantic import ValidationError

from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation
from specwright._chain._formats import FORMATS, read_conversation
from specwright._chain._interpreter import Annotations, Interpreter, create_interpreter
from specwright._chain._resolution import Resolution, resolve
from specwright._cli._common import env_help, load_spec_option, spec_option
from specwright._errors import ConfigurationError
from specwright._model import Spec
from specwright._settings import Settings
from specwright._validation import first_error

__all__ = ["ChainArgs", "build_interpreter", "chain_options", "load_inputs"]

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ChainArgs:
    """The CONVERSATION argument and the spec/format/interpreter options, parsed."""

    conversation_path: Path
    """The conversation file."""
    spec_path: Path | None
    """``--spec``; ``None`` falls back to the settings."""
    fmt: str
    """``--format`` of the conversation."""
    interpreter_name: str
    """``--interpreter``."""
    annotations_path: Path | None
    """``--annotations`` for the deterministic interpreter."""
    llm_model: str | None
    """``--llm-model``."""
    llm_base_url: str | None
    """``--llm-base-url``."""

    def resolve(self, settings: Settings) -> tuple[Spec, Conversation, Resolution]:
        """Read the inputs and resolve the chain of command (input errors exit 2 in ``main``)."""
        spec, conversation, delegations = load_inputs(
            settings, self.spec_path, self.conversation_path, self.fmt
        )
        interpreter = build_interpreter(
            self.interpreter_name, self.llm_model, self.llm_base_url, self.annotations_path
        )
        resolution = resolve(spec, conversation, interpreter=interpreter, delegations=delegations)
        return spec, conversation, resolution


_OPTIONS = [
    click.argument("conversation_path", metavar="CONVERSATION", type=click.Path(path_type=Path)),
    spec_option,
    click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="openai",
        show_default=True,
        help="Conversation format.",
    ),
    click.option(
        "--interpreter",
        "interpreter_name",
        metavar="NAME",
        default="deterministic",
        show_default=True,
        help="Interpreter for semantic questions (deterministic, llm).",
    ),
    click.option(
        "--annotations",
        "annotations_path",
        type=click.Path(path_type=Path),
        help="JSON answers for the deterministic interpreter.",
    ),
    click.option("--llm-model", metavar="MODEL", help="Model name for --interpreter llm."),
    click.option(
        "--llm-base-url",
        metavar="URL",
        help=env_help(
            "OpenAI-compatible base URL for --interpreter llm; its API key:", "OPENAI_API_KEY"
        ),
    ),
    click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout."),
]
_FIELDS = tuple(f.name for f in fields(ChainArgs))


def chain_options(fn: _F) -> _F:
    """Add the options both commands share; ``fn`` receives them as ``chain: ChainArgs``."""

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        chain = ChainArgs(**{name: kwargs.pop(name) for name in _FIELDS})
        return fn(chain=chain, **kwargs)

    command: Any = wrapper
    for decorator in reversed(_OPTIONS):
        command = decorator(command)
    return cast(_F, command)


def load_inputs(
    settings: Settings, spec_path: Path | None, conversation_path: Path, fmt: str
) -> tuple[Spec, Conversation, tuple[Delegation, ...]]:
    """Read the spec and the conversation (errors become exit code 2 in ``main``)."""
    spec = load_spec_option(spec_path, settings)
    conversation, delegations = read_conversation(conversation_path, fmt)
    return spec, conversation, delegations


def build_interpreter(
    name: str, model: str | None, base_url: str | None, annotations_path: Path | None
) -> Interpreter:
    """The interpreter the options ask for; options that the choice would ignore are errors."""
    if annotations_path is not None and name != "deterministic":
        raise ConfigurationError("--annotations applies to the deterministic interpreter")
    if name != "llm" and (model or base_url):
        raise ConfigurationError("--llm-model and --llm-base-url apply to --interpreter llm")
    if name == "llm":
        if not model:
            raise ConfigurationError("--interpreter llm needs --llm-model")
        return create_interpreter("llm", model=model, base_url=base_url)
    if annotations_path is not None:
        return create_interpreter(name, annotations=_read_annotations(annotations_path))
    return create_interpreter(name)


def _read_annotations(path: Path) -> Annotations:
    try:
        return Annotations.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: {first_error(exc)}") from None
