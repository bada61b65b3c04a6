"""Find and read runs: ``RunResult`` JSON files directly, Inspect logs through a :class:`LogReader`.

The reports never import the eval package: whoever calls them (the CLI, the composition root)
passes a :class:`LogReader` that reads Inspect logs — or ``None`` when the ``eval`` extra is
not installed, in which case logs are refused with a hint and run JSON files still work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from specwright._errors import ConfigurationError
from specwright._results import RunResult
from specwright._validation import first_error

__all__ = ["MISSING_EVAL", "LogReader", "latest_run_file", "load_runs", "run_files"]

_SNIFF_CHARS = 512
_LOG_SUFFIXES = frozenset({".eval", ".json"})
MISSING_EVAL = (
    "reading Inspect eval logs needs specwright's eval module (pip install 'specwright[eval]')"
)


class LogReader(Protocol):
    """What the reports need to read Inspect logs (the eval package provides it)."""

    def load_run(self, path: Path) -> RunResult:
        """Read one Inspect log as a run."""
        ...

    def find_logs(self, directory: Path, *, finished_only: bool = False) -> list[Path]:
        """The Inspect logs under ``directory`` (only finished runs' with ``finished_only``)."""
        ...


def _require(reader: LogReader | None, path: Path) -> LogReader:
    if reader is None:
        raise ConfigurationError(f"{path}: {MISSING_EVAL}")
    return reader


def _looks_like_run_json(path: Path) -> bool:
    # RunResult JSON starts with "run_id" (or is a list); Inspect JSON logs start otherwise.
    # Sniffing the head avoids parsing large Inspect logs twice.
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(_SNIFF_CHARS).lstrip()
    return head.startswith("[") or (head.startswith("{") and '"run_id"' in head)


def _read_run_json(path: Path) -> list[RunResult]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{path}: not a run result JSON file: {exc}") from None
    items = data if isinstance(data, list) else [data]
    runs = []
    for n, item in enumerate(items):
        try:
            runs.append(RunResult.model_validate(item))
        except ValidationError as exc:
            where = f"[{n}]." if isinstance(data, list) else ""
            raise ConfigurationError(
                f"{path}: not a run result JSON file: {where}{first_error(exc)}"
            ) from None
    return runs


def _read_file(path: Path, reader: LogReader | None) -> list[RunResult]:
    if path.suffix == ".json" and _looks_like_run_json(path):
        return _read_run_json(path)
    if path.suffix not in _LOG_SUFFIXES:
        raise ConfigurationError(
            f"{path}: not an Inspect log (.eval, .json) or a run result JSON file"
        )
    if reader is None and path.suffix == ".json":
        raise ConfigurationError(f"{path}: not a run result JSON file; {MISSING_EVAL}")
    return [_require(reader, path).load_run(path)]


def run_files(directory: Path, reader: LogReader | None = None) -> list[Path]:
    """Inspect logs (when there is a ``reader``) and run JSON files under ``directory``."""
    if reader is None and any(directory.rglob("*.eval")):
        # Refuse rather than silently report on an older run JSON beside unread logs.
        raise ConfigurationError(f"{directory} holds Inspect logs: {MISSING_EVAL}")
    logs = {Path(p) for p in reader.find_logs(directory)} if reader else set()
    runs = {p for p in directory.rglob("*.json") if p not in logs and _looks_like_run_json(p)}
    return sorted(logs | runs)


def _read_directory(directory: Path, reader: LogReader | None) -> list[RunResult]:
    files = run_files(directory, reader)
    if not files:
        raise ConfigurationError(f"{directory}: no eval logs or run JSON files found")
    return [run for path in files for run in _read_file(path, reader)]


def load_runs(paths: Sequence[Path], reader: LogReader | None = None) -> list[RunResult]:
    """Read every run from files and directories, in argument order.

    ``reader`` reads Inspect logs; ``None`` (no ``eval`` extra) refuses them with a hint.
    """
    runs: list[RunResult] = []
    for path in paths:
        if path.is_dir():
            runs.extend(_read_directory(path, reader))
        elif path.is_file():
            runs.extend(_read_file(path, reader))
        else:
            raise ConfigurationError(f"{path}: no such file or directory")
    return runs


def latest_run_file(log_dir: Path, reader: LogReader | None = None) -> Path:
    """The most recently written log or run file in ``log_dir``."""
    files = run_files(log_dir, reader) if log_dir.is_dir() else []
    if not files:
        hint = "" if reader is not None else f" ({MISSING_EVAL} for .eval logs)"
        raise ConfigurationError(f"{log_dir}: no run found; pass RUN explicitly{hint}")
    return max(files, key=lambda p: (p.stat().st_mtime, p.name))
