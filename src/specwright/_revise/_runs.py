"""Finding the run a person names: a log or run JSON file, or the id of an indexed run."""

from __future__ import annotations

from pathlib import Path

from specwright._errors import ConfigurationError
from specwright._results import RunResult

__all__ = ["resolve_run"]


def resolve_run(name: str, db_url: str) -> RunResult:
    """The one run ``name`` stands for: a file path, else a run id in the results store."""
    from specwright._report._load import load_runs
    from specwright._report._store import ResultsStore

    path = Path(name)
    if path.exists():
        runs = load_runs([path])
        if len(runs) != 1:
            raise ConfigurationError(f"RUN {name}: holds {len(runs)} runs; name one log or run id")
        return runs[0]
    with ResultsStore(db_url) as store:
        stored = next((r for r in store.runs() if r.run_id == name), None)
    if stored is None:
        raise ConfigurationError(f"RUN {name}: no such file, and no indexed run with that id")
    if not stored.log_path or not Path(stored.log_path).exists():
        raise ConfigurationError(f"RUN {name}: indexed, but its log {stored.log_path} is gone")
    return load_runs([Path(stored.log_path)])[0]
