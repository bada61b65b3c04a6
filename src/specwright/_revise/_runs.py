"""Finding the run a person names: a log or run JSON file, or the id of an indexed run."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from specwright._errors import ConfigurationError
from specwright._results import RunResult

if TYPE_CHECKING:
    from specwright._report._load import LogReader

__all__ = ["one_per_run", "resolve_run"]


def one_per_run(runs: Iterable[RunResult]) -> list[RunResult]:
    """Each run once, in the order first seen. A resumed run keeps its run id (Inspect's task
    id survives ``eval_retry``) but lies in two logs, the interrupted one and the resumed one,
    which holds the first's samples too: the log that holds the most samples stands for it."""
    best: dict[str, RunResult] = {}
    for run in runs:
        kept = best.get(run.run_id)
        if kept is None or (len(run.samples), run.finished) > (len(kept.samples), kept.finished):
            best[run.run_id] = run
    return list(best.values())


def resolve_run(name: str, db_url: str, reader: LogReader | None = None) -> RunResult:
    """The one run ``name`` stands for: a file path, else a run id in the results store."""
    from specwright._report._load import load_runs
    from specwright._results._store import ResultsStore

    path = Path(name)
    if path.exists():
        runs = one_per_run(load_runs([path], reader))
        if len(runs) != 1:
            raise ConfigurationError(f"RUN {name}: holds {len(runs)} runs; name one log or run id")
        return runs[0]
    with ResultsStore(db_url) as store:
        stored = next((r for r in store.runs() if r.run_id == name), None)
    if stored is None:
        raise ConfigurationError(f"RUN {name}: no such file, and no indexed run with that id")
    if not stored.log_path or not Path(stored.log_path).exists():
        raise ConfigurationError(f"RUN {name}: indexed, but its log {stored.log_path} is gone")
    return load_runs([Path(stored.log_path)], reader)[0]
