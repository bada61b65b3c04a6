"""Decoding JSON input files (conversations, spec exports) without surprises.

``json.loads`` alone lets hostile files through as tracebacks: 100k-deep nesting raises
``RecursionError``, a 5,000-digit integer ``ValueError``, and a lone surrogate such as
``"\\ud800"`` decodes fine only to raise ``UnicodeEncodeError`` when printed or stored. Here
every such file raises :class:`JsonInputError` with a line, a column and, once decoded, the
JSON path of the bad value, so that readers can turn it into their own typed error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from pydantic import JsonValue

from specwright._errors import SpecwrightError

__all__ = [
    "MAX_DEPTH",
    "JsonInputError",
    "byte_position",
    "encodable",
    "format_path",
    "load_json",
    "text_position",
]

MAX_DEPTH = 200
"""Deepest nesting accepted: spec exports and conversations need about 30 levels, and code
that walks a document recursively must stay far below the interpreter's recursion limit."""

_MAX_DIGITS = 4300  # Python's default int(str) limit; sys.get_int_max_str_digits() may be 0
_TOKEN_RE = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_SURROGATE_RE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<![0-9a-fA-F]{4})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)

Path = tuple[str | int, ...]


class JsonInputError(SpecwrightError):
    """A JSON input file that cannot be used: not JSON, too deep, or holding unusable values.

    ``problem`` says what is wrong; ``line`` and ``column`` (1-based) where in the text, and
    ``path`` (keys and indices) which value, when the document decoded far enough to say.
    """

    def __init__(self, problem: str, *, line: int = 1, column: int = 1, path: Path = ()) -> None:
        self.problem = problem
        self.line = line
        self.column = column
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" at {format_path(self.path)}" if self.path else ""
        return f"{self.problem}{where} (line {self.line}, column {self.column})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.problem, self.line, self.column, self.path))

    def message_index(self, key: str = "messages") -> tuple[int | None, str]:
        """``(index, field)`` for a conversation: the message the path points into (in a
        bare list or under ``key``) and the path inside it; ``(None, path)`` otherwise."""
        path = self.path
        if path[:1] == (key,):
            path = path[1:]
        if path and isinstance(path[0], int):
            return path[0], format_path(path[1:])
        return None, format_path(self.path)


def _rebuild(problem: str, line: int, column: int, path: Path) -> JsonInputError:
    return JsonInputError(problem, line=line, column=column, path=path)


def format_path(path: Path) -> str:
    """``("messages", 0, "content")`` → ``messages[0].content``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:  # a key may hold a lone surrogate: write it as its escape, printable
            key = step.encode("utf-8", "backslashreplace").decode("utf-8")
            text += f".{key}" if text else key
    return text


def load_json(text: str) -> JsonValue:
    """Decode ``text`` as standard JSON; anything unusable raises :class:`JsonInputError`."""
    try:
        value: JsonValue = json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise JsonInputError(
            f"not JSON ({error.msg})", line=error.lineno, column=error.colno
        ) from None
    except _TooManyDigits as error:
        line, column = text_position(text, max(text.find(error.digits), 0))
        raise JsonInputError(
            f"integer of {len(error.digits.lstrip('-'))} digits (at most {_MAX_DIGITS})",
            line=line,
            column=column,
        ) from None
    except _Constant as error:
        line, column = text_position(text, max(text.find(error.name), 0))
        raise JsonInputError(
            f"{error.name} is not standard JSON", line=line, column=column
        ) from None
    except RecursionError:
        raise _too_deep(text) from None
    _check_values(value, text)
    return value


class _TooManyDigits(Exception):
    def __init__(self, digits: str) -> None:
        self.digits = digits


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _parse_int(digits: str) -> int:
    if len(digits) > _MAX_DIGITS:  # a sign makes it one longer: still far past any real id
        raise _TooManyDigits(digits)
    return int(digits)


def _refuse_constant(name: str) -> float:
    raise _Constant(name)


def _check_values(value: JsonValue, text: str) -> None:
    # Iterative, so that checking a deep document cannot itself overflow the stack.
    for path, item in _walk(value):
        if len(path) > MAX_DEPTH:
            raise _too_deep(text)
        if isinstance(item, str) and not item.isascii() and not encodable(item):
            match = _SURROGATE_RE.search(text)
            line, column = text_position(text, match.start() if match else 0)
            raise JsonInputError(
                "lone surrogate (a \\ud800-\\udfff escape without its pair) in a string",
                line=line,
                column=column,
                path=path,
            )


def _walk(value: JsonValue) -> Iterator[tuple[Path, JsonValue]]:
    stack: list[tuple[Path, JsonValue]] = [((), value)]
    while stack:
        path, item = stack.pop()
        yield path, item
        if isinstance(item, dict):
            for key, child in reversed(item.items()):
                yield (*path, key), key  # keys are text too: check them like values
                stack.append(((*path, key), child))
        elif isinstance(item, list):
            stack.extend(((*path, n), child) for n, child in reversed(list(enumerate(item))))


def encodable(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (a lone surrogate cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _too_deep(text: str) -> JsonInputError:
    # The position alone: the path to the culprit would be hundreds of steps long.
    depth = 0
    offset = 0
    for token in _TOKEN_RE.finditer(text):
        bracket = token.group()  # a bracket, or a whole string (skipped)
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                offset = token.start()
                break
        elif bracket in ("]", "}"):
            depth -= 1
    line, column = text_position(text, offset)
    return JsonInputError(f"nested deeper than {MAX_DEPTH} levels", line=line, column=column)


def text_position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` in ``text``."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of byte ``offset`` in undecodable ``data``."""
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column
