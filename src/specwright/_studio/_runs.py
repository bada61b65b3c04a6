"""Runs into the studio's index: the logs of a directory, and stored runs opened by id.

Each log is read once (``load_run`` streams its samples a chunk at a time, without their
events); a log already indexed with the same results is not written again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from specwright._errors import ConfigurationError
from specwright._studio._index import StudioIndex

__all__ = ["index_logs", "stored_runs_opener", "unopened_runs"]


def index_logs(index: StudioIndex, directory: Path) -> tuple[int, list[str]]:
    """Index every specwright log under ``directory`` (finished runs also into history).

    Returns how many were opened and one line for each log that could not be read: one bad
    log does not keep the others from the studio.
    """
    from specwright._eval._logs import find_logs, load_run

    opened, unreadable = 0, []
    for path in find_logs(directory):
        try:
            run = load_run(path)
        except ConfigurationError as exc:
            unreadable.append(str(exc))
            continue
        index.store.add(run)  # the results store keeps finished runs only
        index.index_run(run)
        opened += 1
    return opened, unreadable


def unopened_runs(index: StudioIndex) -> list[str]:
    """Runs of the results store whose samples the studio has not indexed yet."""
    opened = {header.run_id for header, _ in index.headers()}
    return [r.run_id for r in index.store.runs() if r.run_id not in opened and r.log_path]


def stored_runs_opener(index: StudioIndex) -> Callable[[str], bool]:
    """A function indexing a stored run by id from its log; whether it could."""

    def open_run(run_id: str) -> bool:
        from specwright._eval._logs import load_run

        stored = {r.run_id: r.log_path for r in index.store.runs()}
        path = stored.get(run_id)
        if not path or not Path(path.removeprefix("file://")).exists():
            return False
        try:
            index.index_run(load_run(path))
        except ConfigurationError:
            return False
        return True

    return open_run
