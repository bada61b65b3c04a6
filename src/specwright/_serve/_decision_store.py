"""The ``decisions`` table of the results store: batched inserts and the queries behind
``specwright decisions``.

The table is created by the results store's named migration ``m009_create_decisions`` and
reflected from the database here, so its shape is declared in one place. SQLite stores run
in WAL mode with a busy timeout, so several gateway workers (processes) and a reader can
share one file; PostgreSQL URLs work unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    MetaData,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.exc import (
    InvalidRequestError,
    OperationalError,
)

from specwright._errors import ConfigurationError
from specwright._results._database import open_engine
from specwright._results._store import ResultsStore
from specwright._serve._records import DecisionRecord

__all__ = ["DecisionFilter", "DecisionStore"]


@dataclass(frozen=True)
class DecisionFilter:
    """What ``specwright decisions`` asks for."""

    since: datetime | None = None
    model: str | None = None
    section: str | None = None
    status: str | None = None
    limit: int | None = None


class DecisionStore:
    """The decision records at a results-store URL."""

    def __init__(self, url: str, *, migrate_schema: bool = True) -> None:
        self.url = url
        if migrate_schema:
            # The results store applies migrations under its write lock: several gateway
            # workers opening a fresh store at once do not race.
            ResultsStore(url).close()
        self._engine = open_engine(url)
        self._table = self._reflect()

    def _reflect(self) -> Table:
        meta = MetaData()
        try:
            with self._engine.connect() as conn:
                meta.reflect(conn, only=["decisions"])
        except InvalidRequestError:  # `only` names a table the database lacks
            self._engine.dispose()
            raise ConfigurationError(
                f"results store {self.url!r} has no decisions table: open it once with a "
                "specwright command (e.g. `specwright serve`) to migrate it"
            ) from None
        except OperationalError as exc:
            self._engine.dispose()
            raise ConfigurationError(f"cannot open results store {self.url!r}: {exc.orig}") from exc
        return meta.tables["decisions"]

    def close(self) -> None:
        """Release the connections."""
        self._engine.dispose()

    def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (from :func:`~specwright._serve._records.build_row`) in one
        transaction."""
        if rows:
            with self._engine.begin() as conn:
                conn.execute(insert(self._table), list(rows))

    def count(self) -> int:
        """How many records the store holds."""
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(self._table)) or 0)

    def get(self, decision_id: str) -> DecisionRecord | None:
        """The record with this id (a unique prefix of at least 8 characters works too)."""
        table = self._table
        query = select(table).where(table.c.decision_id == decision_id)
        with self._engine.connect() as conn:
            rows = list(conn.execute(query))
            if not rows and len(decision_id) >= 8:
                prefix = select(table).where(table.c.decision_id.startswith(decision_id)).limit(2)
                rows = list(conn.execute(prefix))
        return _record(rows[0]._mapping) if len(rows) == 1 else None

    def find(self, where: DecisionFilter) -> list[DecisionRecord]:
        """Matching records, newest first."""
        table = self._table
        query = select(table).order_by(table.c.created.desc(), table.c.decision_id)
        if where.since is not None:
            query = query.where(table.c.created >= where.since)
        if where.model is not None:
            query = query.where(
                (table.c.request_model == where.model) | (table.c.upstream_model == where.model)
            )
        if where.section is not None:
            query = query.where(table.c.sections.contains(f",{where.section},"))
        query = _status_clause(query, table, where.status)
        if where.limit is not None:
            query = query.limit(where.limit)
        with self._engine.connect() as conn:
            return [_record(row._mapping) for row in conn.execute(query)]


def _status_clause(query: Any, table: Table, status: str | None) -> Any:
    if status is None:
        return query
    column = table.c.status
    if len(status) == 3 and status[0].isdigit() and status[1:].lower() == "xx":
        low = int(status[0]) * 100
        return query.where(column >= low, column < low + 100)
    if status == "error":
        return query.where(column >= 400)
    if status == "ok":
        return query.where(column < 400)
    return query.where(column == int(status))


def _record(row: Any) -> DecisionRecord:
    created: datetime = row["created"]
    created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    trace = json.loads(row["trace"])
    fields = {
        k: row[k]
        for k in (
            "spec_hash", "spec_version", "mode", "client", "stream", "request_model",
            "upstream_model", "status", "error", "latency_ms", "upstream_ms", "overhead_ms",
            "prompt_tokens", "completion_tokens",
        )
    }  # fmt: skip
    return DecisionRecord.model_validate(
        {"id": row["decision_id"], "created": created, **fields, **trace}
    )
