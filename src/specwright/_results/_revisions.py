"""People's decisions on proposed revisions of the spec, and the comment thread of each.

A revision is named by the content hash of the spec it proposes (``proposed_hash``); an
approved one may have been written out as the spec, whose own content hash (``written_hash``)
is what every run measuring it records, so a run's ``spec_hash`` finds the decision that
produced its spec. Writes are optimistic: a form carries the count of decisions (or comments)
it showed, and a write at any other count is refused, the check and the insert in one
transaction holding the store's write lock (SQLite's ``BEGIN IMMEDIATE``; on PostgreSQL an
advisory lock on the revision's hash).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Connection, Engine, MetaData, Table, func, insert, or_, select

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel

__all__ = ["RevisionComment", "RevisionDecision", "RevisionLog", "StaleVersion", "Written"]

Written = tuple[str, str]
"""Where an approved revision was written, and the content hash of the spec read back there."""


class StaleVersion(ConfigurationError):
    """A change was made against a version of stored data that is no longer current."""


class RevisionDecision(FrozenModel):
    """A person's decision on a proposed revision of the spec."""

    decision_id: str
    """A hash of the decision's content."""
    created: datetime
    """When it was made."""
    author: str
    """Who made it."""
    proposal: str
    """Where the proposed spec lies (a layer directory or file)."""
    base_hash: str
    """The content hash of the spec it was compared with."""
    proposed_hash: str
    """The content hash of the proposed spec."""
    decision: Literal["approved", "rejected"]
    """The decision."""
    reason: str = ""
    """Why, in the person's words (a rejection needs one)."""
    written_path: str | None = None
    """Where the approved revision was written as the spec (``None``: not written)."""
    written_hash: str | None = None
    """The content hash of the spec written there: what a run measuring it records."""

    @property
    def spec_hash(self) -> str:
        """The spec a run measuring this revision records: the written one, else the proposed."""
        return self.written_hash or self.proposed_hash

    def describe(self, spec_hash: str) -> str:
        """``spec revision 1a2b3c4d5e6f, approved by ann on 2026-01-02: clearer``."""
        return f"spec revision {spec_hash[:12]}, {self.summary()}"

    def summary(self) -> str:
        """``approved by ann on 2026-01-02: clearer`` (one line, for history and reports)."""
        when = self.created.strftime("%Y-%m-%d")
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.decision} by {self.author} on {when}{reason}"


class RevisionComment(FrozenModel):
    """One comment in a proposed revision's thread."""

    comment_id: str
    """A hash of the comment's content."""
    created: datetime
    """When it was written."""
    author: str
    """Who wrote it."""
    proposed_hash: str
    """The revision it is about (the content hash of the proposed spec)."""
    text: str
    """What they said."""


class RevisionLog:
    """The ``revision_decisions`` and ``revision_comments`` tables of a migrated store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        meta = MetaData()
        with engine.connect() as conn:
            meta.reflect(conn, only=["revision_decisions", "revision_comments"])
        self._decisions: Table = meta.tables["revision_decisions"]
        self._comments: Table = meta.tables["revision_comments"]

    def decisions(self, proposed_hash: str) -> list[RevisionDecision]:
        """The decisions on the revision proposing ``proposed_hash``, oldest first."""
        table = self._decisions
        query = select(table).where(table.c.proposed_hash == proposed_hash)
        return self._read_decisions(query.order_by(table.c.created, table.c.decision_id))

    def decisions_for(self, spec_hashes: Iterable[str]) -> dict[str, RevisionDecision]:
        """The decision that produced each of these specs (by the hash a run records): an
        approval that wrote it wins, else the latest decision that proposed it."""
        wanted = sorted(set(spec_hashes))
        table = self._decisions
        query = select(table).where(
            or_(table.c.written_hash.in_(wanted), table.c.proposed_hash.in_(wanted))
        )
        found: dict[str, RevisionDecision] = {}
        for decision in self._read_decisions(query.order_by(table.c.created)):  # latest last
            if decision.written_hash in wanted:
                found[decision.written_hash] = decision
            written = found.get(decision.proposed_hash)
            if decision.proposed_hash in wanted and not (written and written.written_hash):
                found[decision.proposed_hash] = decision
        return found

    def _read_decisions(self, query: object) -> list[RevisionDecision]:
        with self._engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]  # type: ignore[call-overload]
        return [RevisionDecision.model_validate(r | {"created": _utc(r["created"])}) for r in rows]

    def comments(self, proposed_hash: str) -> list[RevisionComment]:
        """The thread of the revision proposing ``proposed_hash``, oldest first."""
        table = self._comments
        query = select(table).where(table.c.proposed_hash == proposed_hash)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.created, table.c.comment_id))
            found = [dict(r._mapping) for r in rows]
        return [RevisionComment.model_validate(r | {"created": _utc(r["created"])}) for r in found]

    def add_decision(
        self,
        item: RevisionDecision,
        *,
        seen_version: int,
        write: Callable[[], Written] | None = None,
    ) -> RevisionDecision:
        """Store ``item`` if the revision still has ``seen_version`` decisions, else
        :class:`StaleVersion`; ``write`` (an approval's) runs after the check, under the lock,
        and where it wrote goes into the record. What was stored is returned."""
        table = self._decisions
        with self._engine.begin() as conn:
            self._check(conn, table, item.proposed_hash, seen_version, "decision")
            if write is not None:
                path, digest = write()
                item = item.model_copy(update={"written_path": path, "written_hash": digest})
            conn.execute(insert(table).values(**item.model_dump()))
        return item

    def add_comment(self, item: RevisionComment, *, seen_version: int) -> None:
        """Store ``item`` if the thread still has ``seen_version`` comments; else
        :class:`StaleVersion`."""
        table = self._comments
        with self._engine.begin() as conn:
            self._check(conn, table, item.proposed_hash, seen_version, "comment")
            conn.execute(insert(table).values(**item.model_dump()))

    @staticmethod
    def _check(conn: Connection, table: Table, proposed: str, seen: int, what: str) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(int(proposed[:15], 16))))
        count = select(func.count()).where(table.c.proposed_hash == proposed)
        if (conn.scalar(count) or 0) != seen:
            raise StaleVersion(f"the revision has a newer {what}")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
