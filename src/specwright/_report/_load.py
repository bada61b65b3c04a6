"""Find and read runs: ``RunResult`` JSON files directly, Inspect logs through ``specwright._eval``.

The eval package (and Inspect with it) is imported only when an Inspect log has to be read,
so reports over ``RunResult`` JSON files work with the ``report`` extra alone.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, cast

from pydantic import ValidationError

from specwright._errors import ConfigurationError
from specwright._results import RunResult
from specwright._validation import first_error

__all__ = ["EvalApi", "eval_api", "latest_run_file", "load_runs", "run_files"]

_SNIFF_CHARS = 512
_LOG_SUFFIXES = frozenset({".eval", ".json"})
_MISSING_EVAL = (
    "reading Inspect eval logs needs specwright's eval module (pip install 'specwright[eval]')"
)


class EvalApi(Protocol):
    """What the report needs from ``specwright._eval``."""

    def load_run(self, path: Path) -> RunResult:
        """Read one Inspect log as a run."""
        ...

    def find_logs(self, directory: Path) -> list[Path]:
        """The Inspect logs under ``directory``."""
        ...


def eval_api() -> EvalApi | None:
    """``specwright._eval`` when it can be imported (with ``load_run``/``find_logs``), else None."""
    try:
        module = importlib.import_module("specwright._eval")
    except ImportError:
        return None
    if not (hasattr(module, "load_run") and hasattr(module, "find_logs")):
        return None
    return cast(EvalApi, module)


def _require_eval(path: Path) -> EvalApi:
    api = eval_api()
    if api is None:
        raise ConfigurationError(f"{path}: {_MISSING_EVAL}")
    return api


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


def _read_file(path: Path, api: EvalApi | None = None) -> list[RunResult]:
    if path.suffix == ".json" and _looks_like_run_json(path):
        return _read_run_json(path)
    if path.suffix not in _LOG_SUFFIXES:
        raise ConfigurationError(
            f"{path}: not an Inspect log (.eval, .json) or a run result JSON file"
        )
    if api is None and eval_api() is None and path.suffix == ".json":
        raise ConfigurationError(f"{path}: not a run result JSON file; {_MISSING_EVAL}")
    return [(api or _require_eval(path)).load_run(path)]


def run_files(directory: Path) -> list[Path]:
    """Inspect logs (when the eval module is there) and run JSON files under ``directory``."""
    api = eval_api()
    if api is None and any(directory.rglob("*.eval")):
        # Refuse rather than silently report on an older run JSON beside unread logs.
        raise ConfigurationError(f"{directory} holds Inspect logs: {_MISSING_EVAL}")
    logs = {Path(p) for p in api.find_logs(directory)} if api else set()
    runs = {p for p in directory.rglob("*.json") if p not in logs and _looks_like_run_json(p)}
    return sorted(logs | runs)


def _read_directory(directory: Path) -> list[RunResult]:
    files = run_files(directory)
    if not files:
        raise ConfigurationError(f"{directory}: no eval logs or run JSON files found")
    api = eval_api()
    return [run for path in files for run in _read_file(path, api)]


def load_runs(paths: Sequence[Path]) -> list[RunResult]:
    """Read every run from files and directories, in argument order."""
    runs: list[RunResult] = []
    for path in paths:
        if path.is_dir():
            runs.extend(_read_directory(path))
        elif path.is_file():
            runs.extend(_read_file(path))
        else:
            raise ConfigurationError(f"{path}: no such file or directory")
    return runs


def latest_run_file(log_dir: Path) -> Path:
    """The most recently written log or run file in ``log_dir``."""
    files = run_files(log_dir) if log_dir.is_dir() else []
    if not files:
        hint = "" if eval_api() is not None else f" ({_MISSING_EVAL} for .eval logs)"
        raise ConfigurationError(f"{log_dir}: no run found; pass RUN explicitly{hint}")
    return max(files, key=lambda p: (p.stat().st_mtime, p.name))
