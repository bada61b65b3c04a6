"""Exceptions raised by specwright.

The hierarchy separates a user's mistake in their input from a failure while running::

    SpecwrightError
    ├── SpecError            a spec file is malformed (carries file:line:column and a hint)
    ├── ConversationError    a conversation document is malformed (names message index and field)
    │   └── ConversationTooLarge  it holds more than a limit allows (names the limit's setting)
    ├── ConfigurationError   settings, models, options or stored data are missing or contradictory
    │   └── UnknownSectionError   no section with that id (also a ``KeyError``, for lookups)
    └── GraderFailure        the grader failed after its retries (a run-time failure, not input)

The tree is closed: every error specwright raises on purpose is one of these (a test checks
the ``raise`` statements). The CLI turns input errors into a one-line diagnostic on stderr and
exit code 2, and a grader failure into one line and exit code 1; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ConversationError",
    "ConversationTooLarge",
    "GraderFailure",
    "SpecError",
    "SpecwrightError",
    "UnknownSectionError",
]


class SpecwrightError(Exception):
    """Base class of every error specwright raises on purpose."""


class SpecError(SpecwrightError):
    """A spec source is malformed.

    Carries the location of the problem and a one-line hint on how to fix it, so that the
    CLI can print ``file:line:column: message (hint: ...)`` instead of a traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str = "<string>",
        line: int | None = 1,
        column: int | None = 1,
        hint: str = "",
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        # A position only where there is one: a file that cannot be read has no line.
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        where += f":{self.column}" if self.line is not None and self.column is not None else ""
        tail = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.message}{tail}"

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only constructor: teach pickle (multiprocessing, Inspect) how to rebuild us.
        return (_rebuild_spec_error, (self.message, self.file, self.line, self.column, self.hint))


def _rebuild_spec_error(
    message: str, file: str, line: int | None, column: int | None, hint: str
) -> SpecError:
    return SpecError(message, file=file, line=line, column=column, hint=hint)


class ConversationError(SpecwrightError):
    """A conversation document (OpenAI, Anthropic or spec dialect) is malformed.

    ``index`` is the zero-based message index (``None`` for document-level problems),
    ``field`` the JSON path inside that message, e.g. ``content[2].image_url``, and ``file``
    the file the conversation came from (empty when it was not read from a file). ``line``
    and ``column`` (1-based) are set where the text has a position (a JSON syntax error):
    the line then starts ``file:line:column:``.
    """

    def __init__(
        self,
        message: str,
        *,
        index: int | None = None,
        field: str = "",
        file: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.index = index
        self.field = field
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = "conversation" if self.index is None else f"messages[{self.index}]"
        if self.field:
            where += f".{self.field}"
        head, tail = (f"{self.file}: " if self.file else ""), ""
        if self.line is not None:  # a position in the text: file:line:col, else said after
            column = self.column or 1
            if self.file:
                head = f"{self.file}:{self.line}:{column}: "
            else:
                tail = f" (line {self.line}, column {column})"
        return f"{head}{where}: {self.message}{tail}"

    def __reduce__(self) -> tuple[object, ...]:
        state = (self.message, self.index, self.field, self.file, self.line, self.column)
        return (_rebuild_conversation_error, state)


def _rebuild_conversation_error(  # noqa: PLR0917 (pickle passes the state positionally)
    message: str,
    index: int | None,
    field: str,
    file: str,
    line: int | None = None,
    column: int | None = None,
) -> ConversationError:
    return ConversationError(message, index=index, field=field, file=file, line=line, column=column)


class ConversationTooLarge(ConversationError):
    """A conversation holds more messages, parts or text than a limit allows.

    ``limit`` names the limit (``max_messages``, ``max_parts`` or ``max_text_chars``; the
    setting is ``SPECWRIGHT_`` and its name in capitals). A gateway answers 413, where a
    malformed conversation is a 422.
    """

    def __init__(self, message: str, *, field: str = "", file: str = "", limit: str = "") -> None:
        self.limit = limit
        super().__init__(message, field=field, file=file)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_too_large, (self.message, self.field, self.file, self.limit))


def _rebuild_too_large(message: str, field: str, file: str, limit: str) -> ConversationTooLarge:
    return ConversationTooLarge(message, field=field, file=file, limit=limit)


class ConfigurationError(SpecwrightError):
    """Settings, model names or command options are missing or contradictory."""


class UnknownSectionError(ConfigurationError, KeyError):
    """No section has the id asked for.

    Also a ``KeyError``, so that code treating a spec as a mapping of ids keeps working.
    """

    def __str__(self) -> str:
        # KeyError would quote the message as a repr.
        return str(self.args[0]) if self.args else ""


class GraderFailure(SpecwrightError):
    """The grader failed on a request after its retries, so the work that needed it stopped."""
