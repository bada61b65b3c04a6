"""Review of generated scenario drafts from the studio, written as ``scenarios review`` writes.

The change is made by the review functions of :mod:`specwright._generate._review` under the
scenario file's lock (``update_records``), exactly as the CLI makes it. Each form carries a
digest of every draft it showed; a draft changed by anyone since (another reviewer, the CLI,
a new generation run) refuses the whole review and nothing is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from specwright._errors import ConfigurationError
from specwright._generate._files import existing_records, update_records
from specwright._generate._review import edit_message, set_status
from specwright._scenarios import ScenarioRecord
from specwright._studio._index import StaleVersion

__all__ = ["edit_draft", "read_drafts", "record_version", "review_drafts"]


def record_version(record: ScenarioRecord) -> str:
    """A digest of the record as it is now: a form compares it before changing the record."""
    return hashlib.sha256(record.model_dump_json().encode()).hexdigest()[:16]


def read_drafts(path: Path) -> list[ScenarioRecord]:
    """Every record of the scenario file (an absent file holds none)."""
    return existing_records(path) if path.exists() else []


def review_drafts(
    path: Path,
    approve: Sequence[str],
    reject: Sequence[str],
    reason: str,
    seen: Mapping[str, str],
) -> list[ScenarioRecord]:
    """Approve and reject records by id, if each is still as the reviewer ``seen`` it."""
    both = sorted(set(approve) & set(reject))
    if both:
        raise ConfigurationError(f"{both[0]}: both approved and rejected")
    if not (approve or reject):
        raise ConfigurationError("choose drafts to approve or reject")

    def change(records: list[ScenarioRecord]) -> list[ScenarioRecord]:
        current = {r.id: record_version(r) for r in records}
        for record_id in (*approve, *reject):
            if record_id in current and current[record_id] != seen.get(record_id):
                raise StaleVersion(f"{record_id} changed since you opened it")
        if approve:
            records = set_status(records, approve, "approved")
        if reject:
            records = set_status(records, reject, "rejected", reason)
        return records

    return update_records(path, change)


def edit_draft(path: Path, record_id: str, index: int, text: str, seen: str) -> None:
    """Replace message ``index`` of ``record_id`` (as ``scenarios review --edit`` does), if the
    record is still as the reviewer ``seen`` it."""

    def change(records: list[ScenarioRecord]) -> list[ScenarioRecord]:
        current = {r.id: record_version(r) for r in records}
        if record_id in current and current[record_id] != seen:
            raise StaleVersion(f"{record_id} changed since you opened it")
        return edit_message(records, record_id, index, text)

    update_records(path, change)
