"""Reading and writing scenario files (YAML list or JSONL), atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from specwright._errors import ConfigurationError
from specwright._eval._scenarios import ScenarioRecord, read_records

__all__ = ["check_output_path", "existing_records", "write_records"]

_SUFFIXES = {".yaml", ".yml", ".jsonl"}


def check_output_path(path: Path) -> None:
    """A scenario file name ends in .yaml, .yml or .jsonl."""
    if path.suffix not in _SUFFIXES:
        raise ConfigurationError(f"{path}: scenario files end in .yaml, .yml or .jsonl")


def existing_records(path: Path) -> list[ScenarioRecord]:
    """The records already in ``path`` (none when it does not exist yet)."""
    if not path.exists():
        return []
    return [record for _, record in read_records(path)]


def _plain(record: ScenarioRecord) -> dict[str, object]:
    data = record.model_dump(mode="json", exclude_defaults=True)
    data["status"] = record.status  # always visible: review is about this field
    return data


def write_records(path: Path, records: Sequence[ScenarioRecord]) -> None:
    """Replace ``path`` with ``records``; a crash midway leaves the old file whole."""
    check_output_path(path)
    rows = [_plain(r) for r in records]
    if path.suffix == ".jsonl":
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    else:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present
        text = yaml.dump(rows, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot write ({exc.strerror or exc})") from None
