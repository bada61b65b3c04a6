"""The results store: every finished run, indexed for history (SQLAlchemy; SQLite or PostgreSQL).

The schema is created and upgraded by the named migrations in
:mod:`specwright._results._migrations` whenever a store is opened; the store reflects the
tables the migrations left instead of declaring them a second time.

Guarantees:

- several processes may open a fresh store at once: migrations run under a lock (SQLite
  ``BEGIN IMMEDIATE`` with a busy timeout, a PostgreSQL advisory lock); the database is
  opened as every store opens it (:mod:`specwright._results._database`);
- only finished runs are stored; a partial run (its log still ``started``, or ``cancelled``,
  ``error``) is refused, so no partial figure is ever kept;
- a run is keyed by its ``run_id`` (Inspect's task id, which a resumed run keeps); adding it
  again replaces its rows when its results changed and is a no-op when they did not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    MetaData,
    RowMapping,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._results._database import open_engine
from specwright._results._migrations import applied_migrations, migrate
from specwright._results._models import Rate, RunResult

if TYPE_CHECKING:
    from specwright._results._feedback import Feedback
    from specwright._results._revisions import RevisionLog

__all__ = [
    "ResultsStore",
    "SectionPoint",
    "StoredRun",
    "TrainedScenario",
    "TrainingExport",
    "index_run",
    "result_hash",
    "section_point",
]

_TABLES = ("runs", "section_results", "training_exports", "training_scenarios", "feedback")


class StoredRun(FrozenModel):
    """A run as the store keeps it (no samples)."""

    run_id: str
    """The run id."""
    model: str
    """The model under test."""
    grader: str | None
    """The grader model."""
    spec_title: str
    """The spec's title."""
    spec_version: str | None
    """The spec's version label."""
    spec_hash: str
    """The spec's content hash."""
    created: datetime
    """When the run started (UTC)."""
    log_path: str | None
    """Where its log lay when indexed."""
    overall: Rate
    """Overall compliance."""
    n_scored: int
    """Scored samples."""
    n_unscored: int
    """Unscored samples."""
    calibration_kappa: float | None
    """The judge calibration's kappa; ``None`` without calibration or when it was undefined."""
    calibration_grader: str | None = None
    """The grader the run's calibration was made with; ``None`` when the run had none."""

    @property
    def calibrated(self) -> bool:
        """Whether the run recorded a judge calibration (its kappa may still be undefined)."""
        return self.calibration_grader is not None


class SectionPoint(FrozenModel):
    """A section's compliance in one run: one point of its history."""

    run_id: str
    """The run."""
    model: str
    """The run's model."""
    spec_version: str | None
    """The run's spec version."""
    spec_hash: str
    """The run's spec hash."""
    created: datetime
    """When the run started (UTC)."""
    section_id: str
    """The section."""
    section_title: str
    """Its title in that run."""
    rate: Rate
    """Its compliance in that run."""


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def result_hash(run: RunResult) -> str:
    """A digest of what the store derives from ``run`` (where its log lies left out)."""
    return hashlib.sha256(run.model_dump_json(exclude={"log_path"}).encode()).hexdigest()


def _run_row(run: RunResult) -> dict[str, Any]:
    cal = run.calibration
    return {
        "run_id": run.run_id, "model": run.model, "grader": run.grader,
        "spec_title": run.spec_title, "spec_version": run.spec_version,
        "spec_hash": run.spec_hash, "created": _utc(run.created), "log_path": run.log_path,
        "enforce": run.enforce, "epochs": run.epochs, "n_scored": run.n_scored,
        "n_unscored": run.n_unscored, "overall_rate": run.overall.rate,
        "overall_low": run.overall.ci_low, "overall_high": run.overall.ci_high,
        "overall_n": run.overall.n, "grader_tokens": run.grader_tokens,
        "indexed_at": datetime.now(UTC),
        "calibration_accuracy": cal.accuracy if cal else None,
        "calibration_kappa": cal.kappa if cal else None,
        "calibration_grader": cal.grader if cal else None,
        "result_hash": result_hash(run),
    }  # fmt: skip


def _section_rows(run: RunResult) -> list[dict[str, Any]]:
    """One row per section the run scored or sampled: its rate, title, authority, unscored."""
    order = dict.fromkeys([*run.by_section, *(s.section_id for s in run.samples)])
    titles: dict[str, str] = {}
    authorities: dict[str, str] = {}
    unscored = dict.fromkeys(order, 0)
    for sample in run.samples:
        if sample.section_title:
            titles.setdefault(sample.section_id, sample.section_title)
        if sample.authority:
            authorities.setdefault(sample.section_id, sample.authority)
        unscored[sample.section_id] += sample.compliant is None
    rows = []
    for sid in order:
        rate = run.by_section.get(sid) or Rate(rate=None, ci_low=None, ci_high=None, n=0)
        rows.append({
            "run_id": run.run_id, "section_id": sid, "section_title": titles.get(sid, sid),
            "authority": authorities.get(sid), "rate": rate.rate, "ci_low": rate.ci_low,
            "ci_high": rate.ci_high, "n": rate.n, "n_unscored": unscored[sid],
        })  # fmt: skip
    return rows


class TrainingExport(FrozenModel):
    """A training-data export as the store records it (see ``specwright export-data``)."""

    export_id: str
    """A hash of the export's manifest."""
    created: datetime
    """When the export was written."""
    model: str
    """The model the data trains (``--for-model``)."""
    spec_hash: str
    """The spec the records came from."""
    spec_version: str | None
    """Its version label."""
    format: str
    """The file format."""
    path: str
    """Where the train file was written."""
    train_scenarios: tuple[str, ...]
    """Scenario ids in the train split."""
    test_scenarios: tuple[str, ...]
    """Scenario ids held out."""


class TrainedScenario(FrozenModel):
    """A scenario that an export put in a train split."""

    scenario_id: str
    """The scenario."""
    export_id: str
    """The export."""
    model: str
    """The model the export trains."""
    path: str
    """Where the export's train file was written."""
    created: datetime
    """When."""


class ResultsStore:
    """Index of finished runs at a SQLAlchemy URL (``sqlite:///path`` or ``postgresql://…``).

    Opening a store applies any pending migration. Use it as a context manager, or call
    :meth:`close`.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = open_engine(url)
        try:
            with self._engine.begin() as conn:
                migrate(conn)
            with self._engine.connect() as conn:
                meta = MetaData()
                meta.reflect(conn, only=list(_TABLES))
        except OperationalError as exc:
            self._engine.dispose()
            raise ConfigurationError(f"cannot open results store {url!r}: {exc.orig}") from exc
        self._runs: Table = meta.tables["runs"]
        self._sections: Table = meta.tables["section_results"]
        self._exports: Table = meta.tables["training_exports"]
        self._trained: Table = meta.tables["training_scenarios"]
        self._feedback: Table = meta.tables["feedback"]

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def revisions(self) -> RevisionLog:
        """People's decisions on proposed spec revisions, and their comment threads."""
        from specwright._results._revisions import RevisionLog

        return RevisionLog(self._engine)

    def migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        with self._engine.connect() as conn:
            return applied_migrations(conn)

    def add(self, run: RunResult) -> bool:
        """Index a finished ``run``; return whether its rows were written.

        ``False`` when the run is partial (never stored) or already stored with the same
        results. A stored run whose results changed is replaced.
        """
        if not run.finished:
            return False
        row = _run_row(run)
        try:
            with self._engine.begin() as conn:
                runs = self._runs
                stored = conn.scalar(select(runs.c.result_hash).where(runs.c.run_id == run.run_id))
                if stored is not None and stored == row["result_hash"]:
                    return False
                self._delete(conn, run.run_id)
                conn.execute(insert(runs).values(**row))
                sections = _section_rows(run)
                if sections:
                    conn.execute(insert(self._sections), sections)
        except IntegrityError:  # another process indexed the same run meanwhile
            return False
        return True

    def _delete(self, conn: Connection, run_id: str) -> None:
        conn.execute(delete(self._sections).where(self._sections.c.run_id == run_id))
        conn.execute(delete(self._runs).where(self._runs.c.run_id == run_id))

    def runs(self) -> list[StoredRun]:
        """Every indexed run, oldest first."""
        query = select(self._runs).order_by(self._runs.c.created, self._runs.c.run_id)
        with self._engine.connect() as conn:
            return [_stored_run(row._mapping) for row in conn.execute(query)]

    def indexed_logs(self) -> dict[str, datetime]:
        """The log path of every indexed run, with when it was indexed (UTC).

        A log written after that moment may hold newer results and is worth reading again.
        """
        runs = self._runs
        query = select(runs.c.log_path, runs.c.indexed_at).where(runs.c.log_path.is_not(None))
        with self._engine.connect() as conn:
            return {str(row.log_path): _utc(row.indexed_at) for row in conn.execute(query)}

    def sections(self) -> list[tuple[str, str]]:
        """``(section id, latest title)`` of every section in the store, by id."""
        runs, sections = self._runs, self._sections
        query = (
            select(sections.c.section_id, sections.c.section_title)
            .join(runs, runs.c.run_id == sections.c.run_id)
            .order_by(sections.c.section_id, runs.c.created)
        )
        with self._engine.connect() as conn:
            titles = {row.section_id: row.section_title for row in conn.execute(query)}
        return sorted(titles.items())

    def section_history(self, section_id: str) -> list[SectionPoint]:
        """The section's compliance in every run that covered it, oldest first."""
        runs, sections = self._runs, self._sections
        query = (
            select(sections, runs.c.model, runs.c.spec_version, runs.c.spec_hash, runs.c.created)
            .join(runs, runs.c.run_id == sections.c.run_id)
            .where(sections.c.section_id == section_id)
            .order_by(runs.c.created, runs.c.run_id)
        )
        with self._engine.connect() as conn:
            return [section_point(row._mapping) for row in conn.execute(query)]

    def record_training_export(self, export: TrainingExport) -> None:
        """Record which scenarios an export put in each split, and for which model."""
        scenarios = [
            {"export_id": export.export_id, "scenario_id": scenario_id, "split": split}
            for split, ids in (("train", export.train_scenarios), ("test", export.test_scenarios))
            for scenario_id in ids
        ]
        row = export.model_dump(exclude={"train_scenarios", "test_scenarios"})
        with self._engine.begin() as conn:
            conn.execute(insert(self._exports).values(**row))
            if scenarios:
                conn.execute(insert(self._trained), scenarios)

    def trained_scenarios(self, scenario_ids: Iterable[str]) -> list[TrainedScenario]:
        """Exports whose train split holds any of ``scenario_ids`` (newest export first)."""
        exports, trained = self._exports, self._trained
        wanted = list(dict.fromkeys(scenario_ids))
        query = (
            select(trained.c.scenario_id, exports.c.export_id, exports.c.model, exports.c.path,
                   exports.c.created)
            .join(exports, exports.c.export_id == trained.c.export_id)
            .where(trained.c.split == "train")
            .order_by(exports.c.created.desc())
        )  # fmt: skip
        found: list[TrainedScenario] = []
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), 500):  # bounded IN lists
                rows = conn.execute(
                    query.where(trained.c.scenario_id.in_(wanted[start : start + 500]))
                )
                found += [
                    TrainedScenario.model_validate({**r._mapping, "created": _utc(r.created)})
                    for r in rows
                ]
        return found

    def add_feedback(self, item: Feedback) -> None:
        """Store one piece of feedback."""
        with self._engine.begin() as conn:
            conn.execute(insert(self._feedback).values(**item.model_dump()))

    def feedback(
        self, *, run_ids: Iterable[str] | None = None, section_id: str | None = None
    ) -> list[Feedback]:
        """Stored feedback, oldest first, for some runs and/or one section (all by default)."""
        from specwright._results._feedback import Feedback

        table = self._feedback
        query = select(table).order_by(table.c.created, table.c.feedback_id)
        if run_ids is not None:
            query = query.where(table.c.run_id.in_(list(run_ids)))
        if section_id is not None:
            query = query.where(table.c.section_id == section_id)
        with self._engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return [Feedback.model_validate(row | {"created": _utc(row["created"])}) for row in rows]


def _stored_run(row: RowMapping) -> StoredRun:
    return StoredRun(
        run_id=row["run_id"], model=row["model"], grader=row["grader"],
        spec_title=row["spec_title"], spec_version=row["spec_version"],
        spec_hash=row["spec_hash"], created=_utc(row["created"]), log_path=row["log_path"],
        overall=Rate(rate=row["overall_rate"], ci_low=row["overall_low"],
                     ci_high=row["overall_high"], n=row["overall_n"]),
        n_scored=row["n_scored"], n_unscored=row["n_unscored"],
        calibration_kappa=row["calibration_kappa"],
        calibration_grader=row["calibration_grader"],
    )  # fmt: skip


def section_point(row: RowMapping) -> SectionPoint:
    """A row of ``section_results`` joined with its run, as a :class:`SectionPoint`."""
    return SectionPoint(
        run_id=row["run_id"], model=row["model"], spec_version=row["spec_version"],
        spec_hash=row["spec_hash"], created=_utc(row["created"]), section_id=row["section_id"],
        section_title=row["section_title"],
        rate=Rate(rate=row["rate"], ci_low=row["ci_low"], ci_high=row["ci_high"], n=row["n"]),
    )  # fmt: skip


def index_run(run: RunResult, url: str) -> bool:
    """Add a finished ``run`` to the results store at ``url``; whether its rows were written."""
    with ResultsStore(url) as store:
        return store.add(run)
