"""``<settings>`` lines: a YAML-ish ``key: value`` subset with scalar values only.

A hand-written scalar parser rather than PyYAML: the dialect needs five value kinds, must
never raise anything but ``SpecError`` upstream, and must format values back losslessly.
"""

from __future__ import annotations

import json
import re

from specwright._model import SettingValue

__all__ = ["format_setting", "parse_setting_line"]

_LINE_RE = re.compile(r"^([A-Za-z_][\w.\-]*)\s*:(?:\s+(.*?))?\s*$")
_INT_RE = re.compile(r"^[-+]?\d+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)$")
_WORDS: dict[str, SettingValue] = {
    "true": True,
    "false": False,
    "null": None,
    "~": None,
    "": None,
}


def parse_setting_line(line: str) -> tuple[str, SettingValue] | None:
    """``key: value`` → ``(key, value)``; ``None`` when the line is no setting."""
    match = _LINE_RE.match(line)
    if match is None:
        return None
    return match.group(1), _scalar(match.group(2) or "")


def _scalar(raw: str) -> SettingValue:
    lowered = raw.lower()
    if lowered in _WORDS:
        return _WORDS[lowered]
    if _INT_RE.match(raw):
        return int(raw)
    if _FLOAT_RE.match(raw):
        return float(raw)
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        return value if isinstance(value, str) else raw
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
        text = value if _scalar(value) == value and value == value.strip() else json.dumps(value)
    return f"{key}: {text}"
