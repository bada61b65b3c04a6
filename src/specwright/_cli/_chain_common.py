"""Options and loading shared by ``specwright check`` and ``specwright compile``."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from specwright._chain._conversation import Conversation
from specwright._chain._delegation import Delegation
from specwright._chain._formats import read_conversation
from specwright._chain._interpreter import (
    InterpreterOption,
    interpreter_from_options,
    interpreter_options,
)
from specwright._chain._limits import ConversationLimits
from specwright._chain._resolution import Resolution, resolve
from specwright._chain._spec_index import SpecIndex
from specwright._chain._tokens import TokenCounter
from specwright._cli._common import err_console, load_spec_option, spec_option, warn_deprecated
from specwright._cli._exit import ExitCode, findings_if
from specwright._model import Spec
from specwright._settings import Settings

__all__ = ["ChainArgs", "chain_options", "interpreter_status", "load_inputs"]

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ChainArgs:
    """The CONVERSATION argument and the spec/format/interpreter options, parsed."""

    conversation_path: Path
    """The conversation file."""
    spec_path: Path | None
    """``--spec``; ``None`` falls back to the settings."""
    fmt: str | None
    """``--input-format`` of the conversation; ``None`` tells it from the content."""
    interpreter_name: str
    """``--interpreter``."""
    interpreter_values: dict[str, dict[str, str]]
    """Values of the interpreters' own options that were given, by interpreter then param."""

    def resolve(
        self, settings: Settings, counter: TokenCounter | None = None
    ) -> tuple[SpecIndex, Conversation, Resolution]:
        """Read the inputs and resolve the chain of command (input errors exit 2 in ``main``).

        ``counter`` is the token counter the spec index measures sections with."""
        spec, conversation, delegations = load_inputs(
            settings, self.spec_path, self.conversation_path, self.fmt
        )
        interpreter = interpreter_from_options(self.interpreter_name, self.interpreter_values)
        index = SpecIndex.build(spec, counter)
        resolution = resolve(
            spec, conversation, interpreter=interpreter, delegations=delegations, index=index
        )
        return index, conversation, resolution


_COMMON = [
    click.argument("conversation_path", metavar="CONVERSATION", type=click.Path(path_type=Path)),
    spec_option,
    click.option(
        "--input-format",
        "fmt",
        metavar="NAME",
        default=None,
        help="Conversation format (openai, anthropic, spec, or a plugin's); recognised "
        "from the content when omitted.",
    ),
    click.option(
        "--interpreter",
        "interpreter_name",
        metavar="NAME",
        default="deterministic",
        show_default=True,
        help="Interpreter for semantic questions (deterministic, llm, or a plugin's).",
    ),
]
_AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
_FIXED = ("conversation_path", "spec_path", "fmt", "interpreter_name")


def _declared_options() -> dict[str, tuple[str, str, InterpreterOption]]:
    """Click destination → (interpreter, param, option), for every interpreter's options."""
    declared: dict[str, tuple[str, str, InterpreterOption]] = {}
    for name, options in interpreter_options().items():
        for option in options:
            dest = "interp_" + re.sub(r"\W", "_", f"{name}_{option.param}")
            declared[dest] = (name, option.param, option)
    return declared


# `--format` named the input here and the output elsewhere; check keeps it, hidden, as an alias.
_LEGACY_FORMAT = click.option(
    "--format", "legacy_fmt", metavar="NAME", hidden=True, help="Deprecated: --input-format."
)


def chain_options(*, legacy_format: bool) -> Callable[[_F], _F]:
    """Add the options both commands share; the command receives them as ``chain: ChainArgs``.

    The interpreters declare their own options (see :class:`InterpreterOption`), so this
    module knows no interpreter by name. ``legacy_format``: accept the deprecated
    ``--format`` for ``--input-format`` (in ``compile``, ``--format`` is the output).
    """

    def decorate(fn: _F) -> _F:
        return _chain_options(fn, legacy_format)

    return decorate


def _chain_options(fn: _F, legacy_format: bool) -> _F:
    declared = _declared_options()

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        legacy = kwargs.pop("legacy_fmt", None)
        if legacy is not None:
            warn_deprecated("--format NAME (the conversation's format)", "--input-format NAME")
            kwargs["fmt"] = legacy
        values: dict[str, dict[str, str]] = {}
        for dest, (name, param, _) in declared.items():
            value = kwargs.pop(dest)
            if value is not None:
                values.setdefault(name, {})[param] = str(value)
        fixed = {name: kwargs.pop(name) for name in _FIXED}
        return fn(chain=ChainArgs(**fixed, interpreter_values=values), **kwargs)

    command: Any = wrapper
    generated = [
        click.option(option.flag, dest, metavar=option.metavar, help=option.help)
        for dest, (_, _, option) in declared.items()
    ]
    legacy = [_LEGACY_FORMAT] if legacy_format else []
    for decorator in reversed([*_COMMON, *legacy, *generated, _AS_JSON]):
        command = decorator(command)
    return cast(_F, command)


def load_inputs(
    settings: Settings, spec_path: Path | None, conversation_path: Path, fmt: str | None
) -> tuple[Spec, Conversation, tuple[Delegation, ...]]:
    """Read the spec and the conversation (errors become exit code 2 in ``main``)."""
    spec = load_spec_option(spec_path, settings)
    limits = ConversationLimits(
        max_messages=settings.max_messages,
        max_parts=settings.max_parts,
        max_text_chars=settings.max_text_chars,
    )
    conversation, delegations = read_conversation(conversation_path, fmt, limits)
    return spec, conversation, delegations


def interpreter_status(resolution: Resolution) -> ExitCode:
    """Warn on stderr about interpreter calls whose answers were lost; FINDINGS when all were."""
    failed, total = resolution.interpreter_failures, resolution.interpreter_calls
    if not failed:
        return ExitCode.OK
    err_console().print(
        f"[yellow]warning[/]: the {resolution.interpreter} interpreter gave no usable answer "
        f"in {failed} of {total} calls (unparseable, refused or unreachable); those answers "
        "are undetermined"
    )
    return findings_if(failed == total)
