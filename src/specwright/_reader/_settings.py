"""``<settings>`` lines: a YAML-ish ``key: value`` subset with scalar values only.

A hand-written scalar parser rather than PyYAML: the dialect needs five value kinds, must
never raise anything but ``SpecError`` upstream, and must format values back losslessly.
"""

from __future__ import annotations

import json
import math
import re

from specwright._jsonio import encodable
from specwright._model import SettingValue

__all__ = ["SettingError", "format_setting", "parse_setting_line"]

# The key and colon by regex, the value trimmed by str.strip (a lazy value group before `\s*$`
# is quadratic on a value padded with spaces).
_KEY_RE = re.compile(r"([A-Za-z_][\w.\-]*+)\s*+:(?=\s|$)")
_MAX_DIGITS = 4300
"""Python's own limit for ``int(str)``; a longer integer is refused, not turned into text."""
_INT_RE = re.compile(r"^[-+]?\d+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)$")
_WORDS: dict[str, SettingValue] = {
    "true": True,
    "false": False,
    "null": None,
    "~": None,
    "": None,
}


class SettingError(ValueError):
    """A setting line that looks like a setting but holds an unusable value."""


def parse_setting_line(line: str) -> tuple[str, SettingValue] | None:
    """``key: value`` → ``(key, value)``; ``None`` when the line is no setting.

    A number too long or too large to hold raises :class:`SettingError`.
    """
    match = _KEY_RE.match(line)
    if match is None:
        return None
    return match.group(1), _scalar(line[match.end() :].strip())


def _scalar(raw: str) -> SettingValue:
    lowered = raw.lower()
    if lowered in _WORDS:
        return _WORDS[lowered]
    if _INT_RE.match(raw):
        if len(raw.lstrip("+-")) > _MAX_DIGITS:
            raise SettingError(f"integer of {len(raw.lstrip('+-'))} digits (at most {_MAX_DIGITS})")
        return int(raw)
    if _FLOAT_RE.match(raw):
        value = float(raw)
        if math.isinf(value):
            raise SettingError(f"number {raw[:20]}{'…' if len(raw) > 20 else ''} is too large")
        return value
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        # A lone surrogate (`"\\ud800"`) is no text a file can hold: keep what was written.
        return value if isinstance(value, str) and encodable(value) else raw
    return raw


def format_setting(key: str, value: SettingValue) -> str:
    """The ``key: value`` line that :func:`parse_setting_line` reads back as ``value``."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)  # NaN and infinities do not round-trip; specs have no use for them
    else:
        text = value if _reads_back(value) else json.dumps(value)
    return f"{key}: {text}"


def _reads_back(text: str) -> bool:
    try:
        return _scalar(text) == text and text == text.strip()
    except SettingError:  # digits too many to read as a number: quote them
        return False
