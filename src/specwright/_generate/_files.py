"""Reading and writing scenario files (YAML list or JSONL), atomically and one writer at a time.

A review may run while a long generation is in flight on the same file. Every change is
therefore a read-modify-write under an exclusive lock (a ``.<name>.lock`` file beside it, where
``fcntl`` exists): generation appends its new drafts to the file *as it is when generation
ends*, so a reviewer's approvals made meanwhile are kept.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import yaml

from specwright._errors import ConfigurationError
from specwright._scenarios import ScenarioRecord, read_records

__all__ = [
    "append_new",
    "check_output_path",
    "existing_records",
    "update_records",
    "write_records",
]

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


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no advisory locks here (Windows): last writer wins
        yield
        return
    lock = path.parent / f".{path.name}.lock"
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot write ({exc.strerror or exc})") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_records(
    path: Path, change: Callable[[list[ScenarioRecord]], list[ScenarioRecord]]
) -> list[ScenarioRecord]:
    """Apply ``change`` to the file's current records under the file's lock; return the result."""
    check_output_path(path)
    with _locked(path):
        changed = change(existing_records(path))
        write_records(path, changed)
    return changed


def append_new(path: Path, new: Sequence[ScenarioRecord]) -> None:
    """Add ``new`` records to the file as it is now (ids already there are kept as they are)."""

    def add(current: list[ScenarioRecord]) -> list[ScenarioRecord]:
        known = {r.id for r in current}
        return [*current, *(r for r in new if r.id not in known)]

    update_records(path, add)
