"""The studio's index: a run's samples in the results store, paged and filtered with SQL.

A run's log is read once (Inspect's chunked sample streaming, through ``load_run``) into
``studio_samples``; every page afterwards is one keyset query (``position > ?``), so a run of
100,000 samples opens as fast as one of ten. Verdicts go into the same ``feedback`` table as
``specwright feedback add``. A sample's *version* is the number of verdicts people gave it:
a form carries the version it was opened at, and a write at any other version is refused
(optimistic concurrency), under the sample row's lock so that two writers cannot both pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Connection,
    MetaData,
    Select,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    select,
)

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._results._feedback import Feedback
from specwright._results._models import RunHeader, RunResult, SampleResult
from specwright._results._revisions import (
    RevisionComment,
    RevisionDecision,
    RevisionLog,
    StaleVersion,
    Written,
)
from specwright._results._store import ResultsStore, SectionPoint, result_hash, section_point

__all__ = [
    "FILTERS",
    "Page",
    "RevisionComment",
    "RevisionDecision",
    "SampleFilter",
    "SampleRow",
    "StaleVersion",
    "StudioIndex",
]

SampleFilter: TypeAlias = Literal[
    "all", "failed", "unscored", "non-compliant", "disagree", "feedback"
]
FILTERS: dict[SampleFilter, str] = {
    "all": "All samples",
    "failed": "Failed (not judged compliant)",
    "unscored": "Unscored",
    "non-compliant": "Non-compliant",
    "disagree": "Judges disagree",
    "feedback": "Has feedback",
}
"""Every filter of a run's samples, with its label."""

_BATCH = 2000


class SampleRow(FrozenModel):
    """One line of a run's sample list."""

    position: int
    """The sample's place in the run."""
    scenario_id: str
    """The scenario."""
    epoch: int
    """The epoch."""
    section_id: str
    """The governing section."""
    title: str
    """The scenario's title, when it has one."""
    compliant: bool | None
    """The judge's verdict (``None`` when unscored)."""
    disagree: bool
    """Whether the run's judges disagreed on it."""
    feedback: int
    """How many verdicts people gave it."""


class Page(FrozenModel):
    """One page of a run's samples under a filter."""

    rows: tuple[SampleRow, ...]
    """The samples on the page."""
    total: int
    """How many samples the filter keeps in the whole run."""
    next_after: int | None
    """The ``after`` of the next page (``None`` on the last)."""


class StudioIndex:
    """The studio's tables in the results store at ``url`` (migrated when opened)."""

    def __init__(self, url: str) -> None:
        self.store = ResultsStore(url)  # applies the migrations, the studio's included
        self._engine = self.store._engine
        meta = MetaData()
        with self._engine.connect() as conn:
            meta.reflect(
                conn,
                only=["studio_runs", "studio_samples", "feedback", "runs", "section_results"],
            )  # fmt: skip
        self.revisions = RevisionLog(self._engine)  # decisions on revisions, comment threads
        self._stored_runs: Table = meta.tables["runs"]
        self._section_results: Table = meta.tables["section_results"]
        self._runs: Table = meta.tables["studio_runs"]
        self._samples: Table = meta.tables["studio_samples"]
        self._feedback: Table = meta.tables["feedback"]

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()

    def index_run(self, run: RunResult) -> bool:
        """Index ``run``'s samples; ``False`` when it was indexed with the same results."""
        digest = result_hash(run)
        with self._engine.begin() as conn:
            stored = conn.scalar(select(self._runs.c.result_hash).where(self._match(run.run_id)))
            if stored == digest:
                return False
            conn.execute(delete(self._samples).where(self._samples.c.run_id == run.run_id))
            conn.execute(delete(self._runs).where(self._match(run.run_id)))
            conn.execute(insert(self._runs).values(**_run_row(run, digest)))
            for batch in _batches(run):
                conn.execute(insert(self._samples), batch)
        return True

    def _match(self, run_id: str) -> ColumnElement[bool]:
        return self._runs.c.run_id == run_id

    def headers(self) -> list[tuple[RunHeader, int]]:
        """Every indexed run's header and sample count, newest first."""
        query = select(self._runs.c.header, self._runs.c.n_samples)
        with self._engine.connect() as conn:
            found = [(RunHeader.model_validate_json(h), n) for h, n in conn.execute(query)]
        return sorted(found, key=lambda pair: (pair[0].created, pair[0].run_id), reverse=True)

    def header(self, run_id: str) -> RunHeader | None:
        """The indexed run's header, or ``None`` when the run is not indexed."""
        with self._engine.connect() as conn:
            text = conn.scalar(select(self._runs.c.header).where(self._runs.c.run_id == run_id))
        return None if text is None else RunHeader.model_validate_json(text)

    def page(self, run_id: str, where: SampleFilter, *, after: int = -1, size: int = 50) -> Page:
        """The ``size`` samples after position ``after`` that ``where`` keeps."""
        samples = self._samples
        counted = self._feedback_count()
        listed = [c for c in samples.c if c.name != "sample"]  # the JSON is for the sample page
        query = self._filtered(select(*listed, counted.label("n_feedback")), run_id, where)
        query = query.where(samples.c.position > after)
        query = query.order_by(samples.c.position).limit(size + 1)
        total_query = self._filtered(select(func.count()).select_from(samples), run_id, where)
        with self._engine.connect() as conn:
            rows = [_row(r._mapping) for r in conn.execute(query)]
            total = conn.scalar(total_query) or 0
        more = len(rows) > size
        rows = rows[:size]
        return Page(rows=tuple(rows), total=total, next_after=rows[-1].position if more else None)

    def neighbours(
        self, run_id: str, scenario_id: str, epoch: int, where: SampleFilter
    ) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
        """The samples before and after this one that ``where`` keeps (``None`` at the ends)."""
        samples = self._samples
        key = (samples.c.scenario_id, samples.c.epoch)
        position = select(samples.c.position).where(
            samples.c.run_id == run_id,
            samples.c.scenario_id == scenario_id,
            samples.c.epoch == epoch,
        )
        with self._engine.connect() as conn:
            here = conn.scalar(position)
            if here is None:
                return None, None
            base = self._filtered(select(*key), run_id, where)
            before = conn.execute(
                base.where(samples.c.position < here).order_by(samples.c.position.desc()).limit(1)
            ).first()
            after = conn.execute(
                base.where(samples.c.position > here).order_by(samples.c.position).limit(1)
            ).first()
        return (
            (before[0], before[1]) if before else None,
            (after[0], after[1]) if after else None,
        )

    def _feedback_count(self) -> Any:
        samples, feedback = self._samples, self._feedback
        return (
            select(func.count())
            .where(self._same_sample(feedback, samples))
            .correlate(samples)
            .scalar_subquery()
        )

    @staticmethod
    def _same_sample(feedback: Table, samples: Table) -> ColumnElement[bool]:
        return and_(
            feedback.c.run_id == samples.c.run_id,
            feedback.c.scenario_id == samples.c.scenario_id,
            feedback.c.epoch == samples.c.epoch,
        )

    def _filtered(self, query: Select[Any], run_id: str, where: SampleFilter) -> Select[Any]:
        samples = self._samples
        query = query.where(samples.c.run_id == run_id)
        if where == "failed":
            return query.where(samples.c.compliant.is_not(True))
        if where == "unscored":
            return query.where(samples.c.compliant.is_(None))
        if where == "non-compliant":
            return query.where(samples.c.compliant.is_(False))
        if where == "disagree":
            return query.where(samples.c.disagree.is_(True))
        if where == "feedback":
            return query.where(exists().where(self._same_sample(self._feedback, samples)))
        return query

    def sample(self, run_id: str, scenario_id: str, epoch: int) -> tuple[SampleResult, int] | None:
        """The indexed sample and its version, or ``None`` when the run does not hold it."""
        with self._engine.connect() as conn:
            return self._locked_sample(conn, run_id, scenario_id, epoch, lock=False)

    def _locked_sample(
        self, conn: Connection, run_id: str, scenario_id: str, epoch: int, *, lock: bool
    ) -> tuple[SampleResult, int] | None:
        samples = self._samples
        query = select(samples.c.sample).where(
            samples.c.run_id == run_id,
            samples.c.scenario_id == scenario_id,
            samples.c.epoch == epoch,
        )
        text = conn.scalar(query.with_for_update() if lock else query)
        if text is None:
            return None
        return SampleResult.model_validate_json(text), self._version(
            conn, run_id, scenario_id, epoch
        )

    def _version(self, conn: Connection, run_id: str, scenario_id: str, epoch: int) -> int:
        feedback = self._feedback
        query = select(func.count()).where(
            feedback.c.run_id == run_id,
            feedback.c.scenario_id == scenario_id,
            feedback.c.epoch == epoch,
        )
        return conn.scalar(query) or 0

    def section_trends(self) -> dict[str, list[SectionPoint]]:
        """Every section's compliance in the stored (finished) runs, oldest first: one query."""
        runs, sections = self._stored_runs, self._section_results
        query = (
            select(sections, runs.c.model, runs.c.spec_version, runs.c.spec_hash, runs.c.created)
            .join(runs, runs.c.run_id == sections.c.run_id)
            .order_by(runs.c.created, runs.c.run_id)
        )
        trends: dict[str, list[SectionPoint]] = {}
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                trends.setdefault(row.section_id, []).append(section_point(row._mapping))
        return trends

    def feedback(self, run_id: str, scenario_id: str, epoch: int) -> list[Feedback]:
        """People's verdicts on one sample, oldest first."""
        return [
            f
            for f in self.store.feedback(run_ids=[run_id])
            if f.scenario_id == scenario_id and f.epoch == epoch
        ]

    def add_verdict(self, item: Feedback, *, seen_version: int) -> None:
        """Store ``item`` if its sample is still at ``seen_version``; else :class:`StaleVersion`.

        The sample row is locked first (SQLite's ``BEGIN IMMEDIATE``; PostgreSQL's
        ``FOR UPDATE``), so the check and the write are one step for concurrent writers.
        """
        with self._engine.begin() as conn:
            found = self._locked_sample(conn, item.run_id, item.scenario_id, item.epoch, lock=True)
            if found is None:
                raise ConfigurationError(
                    f"no sample {item.scenario_id}@{item.epoch} in {item.run_id}"
                )
            if found[1] != seen_version:
                raise StaleVersion(f"{item.scenario_id}@{item.epoch} is at version {found[1]}")
            conn.execute(insert(self._feedback).values(**item.model_dump()))

    def revision_decisions(self, proposed_hash: str) -> list[RevisionDecision]:
        """People's decisions on the revision proposing ``proposed_hash``, oldest first."""
        return self.revisions.decisions(proposed_hash)

    def decisions_for(self, spec_hashes: list[str]) -> dict[str, RevisionDecision]:
        """The decision that produced each of these specs, by the spec hash a run records."""
        return self.revisions.decisions_for(spec_hashes)

    def add_revision_decision(
        self,
        item: RevisionDecision,
        *,
        seen_version: int,
        write: Callable[[], Written] | None = None,
    ) -> RevisionDecision:
        """Store ``item`` if the revision still has ``seen_version`` decisions; else
        :class:`StaleVersion` (see :meth:`RevisionLog.add_decision`)."""
        return self.revisions.add_decision(item, seen_version=seen_version, write=write)

    def revision_comments(self, proposed_hash: str) -> list[RevisionComment]:
        """The comment thread of the revision proposing ``proposed_hash``, oldest first."""
        return self.revisions.comments(proposed_hash)

    def add_revision_comment(self, item: RevisionComment, *, seen_version: int) -> None:
        """Store ``item`` if the thread still has ``seen_version`` comments; else
        :class:`StaleVersion`."""
        self.revisions.add_comment(item, seen_version=seen_version)


def _run_row(run: RunResult, digest: str) -> dict[str, object]:
    header = RunHeader.model_validate(run.model_dump(include=set(RunHeader.model_fields)))
    return {
        "run_id": run.run_id,
        "header": header.model_dump_json(),
        "result_hash": digest,
        "n_samples": len(run.samples),
        "indexed_at": datetime.now(UTC),
    }


def _batches(run: RunResult) -> Iterator[list[dict[str, object]]]:
    batch: list[dict[str, object]] = []
    for position, sample in enumerate(run.samples):
        batch.append(_sample_row(run.run_id, position, sample))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _sample_row(run_id: str, position: int, sample: SampleResult) -> dict[str, object]:
    verdicts = {j.compliant for j in sample.judges if j.compliant is not None}
    return {
        "run_id": run_id,
        "scenario_id": sample.scenario_id,
        "epoch": sample.epoch,
        "position": position,
        "section_id": sample.section_id,
        "title": sample.scenario_title,
        "compliant": sample.compliant,
        "disagree": len(verdicts) > 1,
        "sample": sample.model_dump_json(),
    }


def _row(row: object) -> SampleRow:
    mapping = dict(row)  # type: ignore[call-overload]
    return SampleRow(
        position=mapping["position"],
        scenario_id=mapping["scenario_id"],
        epoch=mapping["epoch"],
        section_id=mapping["section_id"],
        title=mapping["title"],
        compliant=mapping["compliant"],
        disagree=bool(mapping["disagree"]),
        feedback=mapping["n_feedback"],
    )
