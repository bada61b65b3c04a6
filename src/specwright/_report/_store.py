"""The results store: every finished run, indexed for history (SQLAlchemy; SQLite or PostgreSQL).

The schema is created and upgraded by the named migrations in
:mod:`specwright._report._migrations` whenever a store is opened. Adding a run is
idempotent by ``run_id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
)
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.sql import column, table
from sqlalchemy.sql.expression import ColumnClause

from specwright._errors import ConfigurationError

if TYPE_CHECKING:
    from specwright._revise._feedback import Feedback
from specwright._report._migrations import applied_migrations, migrate
from specwright._report._view import section_rows
from specwright._results import Rate, RunResult

__all__ = [
    "ResultsStore",
    "SectionPoint",
    "StoredRun",
    "TrainedScenario",
    "TrainingExport",
    "index_run",
]

# The schema as the migrations leave it; used for queries only (never to create tables).
_META = MetaData()
_runs = Table(
    "runs", _META,
    Column("run_id", String(255), primary_key=True), Column("model", String(255)),
    Column("grader", String(255)), Column("spec_title", Text), Column("spec_version", String(100)),
    Column("spec_hash", String(64)), Column("created", DateTime(timezone=True)),
    Column("log_path", Text), Column("enforce", Boolean), Column("epochs", Integer),
    Column("n_scored", Integer), Column("n_unscored", Integer), Column("overall_rate", Float),
    Column("overall_low", Float), Column("overall_high", Float), Column("overall_n", Integer),
    Column("grader_tokens", Integer), Column("indexed_at", DateTime(timezone=True)),
    Column("calibration_accuracy", Float), Column("calibration_kappa", Float),
    Column("calibration_grader", String(255)),
)  # fmt: skip
_sections = Table(
    "section_results", _META,
    Column("run_id", String(255), primary_key=True), Column("section_id", String(255),
    primary_key=True), Column("section_title", Text), Column("authority", String(20)),
    Column("rate", Float), Column("ci_low", Float), Column("ci_high", Float),
    Column("n", Integer), Column("n_unscored", Integer),
)  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class StoredRun(_Frozen):
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


class SectionPoint(_Frozen):
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
    }  # fmt: skip


def _section_rows(run: RunResult) -> list[dict[str, Any]]:
    rows = []
    for row in section_rows([run]):
        rate = row.rates[0] or Rate(rate=None, ci_low=None, ci_high=None, n=0)
        rows.append({
            "run_id": run.run_id, "section_id": row.key, "section_title": row.label,
            "authority": row.authority, "rate": rate.rate, "ci_low": rate.ci_low,
            "ci_high": rate.ci_high, "n": rate.n, "n_unscored": row.unscored[0],
        })  # fmt: skip
    return rows


class TrainingExport(_Frozen):
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


class TrainedScenario(_Frozen):
    """A scenario that an export put in a train split."""

    scenario_id: str
    export_id: str
    model: str
    path: str
    created: datetime


# Lightweight handles on the tables migration m006 creates (no second definition to drift).
_training_exports = table(
    "training_exports",
    *(column(name) for name in ("export_id", "created", "model", "spec_hash", "spec_version",
                                "format", "path")),
)  # fmt: skip


def _columns(*names: str) -> list[ColumnClause[Any]]:
    # Untyped columns would hand back SQLite's raw text for datetimes: type the ones that need it.
    types: dict[str, Any] = {"created": DateTime(timezone=True), "epoch": Integer()}
    return [column(name, types.get(name)) for name in names]


# Lightweight handles on tables that migrations create (no second definition to drift).
_feedback = table(
    "feedback",
    *_columns("feedback_id", "created", "author", "run_id", "model", "spec_hash", "section_id",
              "scenario_id", "epoch", "verdict", "judge_verdict", "judge", "note"),
)  # fmt: skip
_training_exports = table(
    "training_exports",
    *_columns("export_id", "created", "model", "spec_hash", "spec_version", "format", "path"),
)
_training_scenarios = table("training_scenarios", *_columns("export_id", "scenario_id", "split"))


class ResultsStore:
    """Index of finished runs at a SQLAlchemy URL (``sqlite:///path`` or ``postgresql://…``).

    Opening a store applies any pending migration. Use it as a context manager, or call
    :meth:`close`.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = _engine(url)
        try:
            with self._engine.begin() as conn:
                migrate(conn)
        except OperationalError as exc:
            self._engine.dispose()
            raise ConfigurationError(f"cannot open results store {url!r}: {exc.orig}") from exc

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        with self._engine.connect() as conn:
            return applied_migrations(conn)

    def add(self, run: RunResult) -> bool:
        """Index ``run``; return ``False`` (and change nothing) if its run id is already there."""
        try:
            with self._engine.begin() as conn:
                exists = conn.scalar(select(_runs.c.run_id).where(_runs.c.run_id == run.run_id))
                if exists is not None:
                    return False
                conn.execute(insert(_runs).values(**_run_row(run)))
                rows = _section_rows(run)
                if rows:
                    conn.execute(insert(_sections), rows)
        except IntegrityError:  # another process indexed the same run meanwhile
            return False
        return True

    def runs(self) -> list[StoredRun]:
        """Every indexed run, oldest first."""
        query = select(_runs).order_by(_runs.c.created, _runs.c.run_id)
        with self._engine.connect() as conn:
            return [_stored_run(row._mapping) for row in conn.execute(query)]

    def indexed_logs(self) -> set[str]:
        """The log paths of the indexed runs (to skip logs that are already in)."""
        with self._engine.connect() as conn:
            query = select(_runs.c.log_path).where(_runs.c.log_path.is_not(None))
            return {str(path) for path in conn.scalars(query)}

    def sections(self) -> list[tuple[str, str]]:
        """``(section id, latest title)`` of every section in the store, by id."""
        query = (
            select(_sections.c.section_id, _sections.c.section_title)
            .join(_runs, _runs.c.run_id == _sections.c.run_id)
            .order_by(_sections.c.section_id, _runs.c.created)
        )
        with self._engine.connect() as conn:
            titles = {row.section_id: row.section_title for row in conn.execute(query)}
        return sorted(titles.items())

    def section_history(self, section_id: str) -> list[SectionPoint]:
        """The section's compliance in every run that covered it, oldest first."""
        query = (
            select(_sections, _runs.c.model, _runs.c.spec_version, _runs.c.spec_hash,
                   _runs.c.created)
            .join(_runs, _runs.c.run_id == _sections.c.run_id)
            .where(_sections.c.section_id == section_id)
            .order_by(_runs.c.created, _runs.c.run_id)
        )  # fmt: skip
        with self._engine.connect() as conn:
            return [_point(row._mapping) for row in conn.execute(query)]

    def record_training_export(self, export: TrainingExport) -> None:
        """Record which scenarios an export put in each split, and for which model."""
        scenarios = [
            {"export_id": export.export_id, "scenario_id": scenario_id, "split": split}
            for split, ids in (("train", export.train_scenarios), ("test", export.test_scenarios))
            for scenario_id in ids
        ]
        row = export.model_dump(exclude={"train_scenarios", "test_scenarios"})
        with self._engine.begin() as conn:
            conn.execute(insert(_training_exports).values(**row))
            if scenarios:
                conn.execute(insert(_training_scenarios), scenarios)

    def trained_scenarios(self, scenario_ids: Iterable[str]) -> list[TrainedScenario]:
        """Exports whose train split holds any of ``scenario_ids`` (newest export first)."""
        wanted = list(dict.fromkeys(scenario_ids))
        query = (
            select(_training_scenarios.c.scenario_id, _training_exports.c.export_id,
                   _training_exports.c.model, _training_exports.c.path,
                   _training_exports.c.created)
            .join(_training_exports,
                  _training_exports.c.export_id == _training_scenarios.c.export_id)
            .where(_training_scenarios.c.split == "train")
            .order_by(_training_exports.c.created.desc())
        )  # fmt: skip
        found: list[TrainedScenario] = []
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), 500):  # bounded IN lists
                chunk = wanted[start : start + 500]
                rows = conn.execute(query.where(_training_scenarios.c.scenario_id.in_(chunk)))
                found += [TrainedScenario.model_validate(dict(r._mapping)) for r in rows]
        return found

    def add_feedback(self, item: Feedback) -> None:
        """Store one piece of feedback."""
        with self._engine.begin() as conn:
            conn.execute(insert(_feedback).values(**item.model_dump()))

    def feedback(
        self, *, run_ids: Iterable[str] | None = None, section_id: str | None = None
    ) -> list[Feedback]:
        """Stored feedback, oldest first, for some runs and/or one section (all by default)."""
        from specwright._revise._feedback import Feedback

        query = select(_feedback).order_by(_feedback.c.created, _feedback.c.feedback_id)
        if run_ids is not None:
            query = query.where(_feedback.c.run_id.in_(list(run_ids)))
        if section_id is not None:
            query = query.where(_feedback.c.section_id == section_id)
        with self._engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return [Feedback.model_validate(row | {"created": _utc(row["created"])}) for row in rows]


def _engine(url: str) -> Engine:
    try:
        return create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(f"invalid results store URL {url!r}: {exc}") from exc


def _stored_run(row: Any) -> StoredRun:
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


def _point(row: Any) -> SectionPoint:
    return SectionPoint(
        run_id=row["run_id"], model=row["model"], spec_version=row["spec_version"],
        spec_hash=row["spec_hash"], created=_utc(row["created"]), section_id=row["section_id"],
        section_title=row["section_title"],
        rate=Rate(rate=row["rate"], ci_low=row["ci_low"], ci_high=row["ci_high"], n=row["n"]),
    )  # fmt: skip


def index_run(run: RunResult, url: str) -> None:
    """Add ``run`` to the results store at ``url`` (a no-op when it is already indexed)."""
    with ResultsStore(url) as store:
        store.add(run)
