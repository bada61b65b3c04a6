"""Named, append-only schema migrations of the results store.

Each migration runs once, in order, inside a transaction, and is recorded by name in the
``migrations`` table (as in simonw/llm). Never edit or reorder a released migration: add a
new one. Only portable DDL is used (SQLAlchemy constructs, and ``ALTER TABLE … ADD COLUMN``
with the dialect's own type names), so SQLite and PostgreSQL both work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.types import TypeEngine

__all__ = ["MIGRATIONS", "migrate", "migration"]

Migration = Callable[[Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []
"""Every migration, in the order it must run."""

_PG_LOCK_KEY = 0x5350_4543_5752  # "SPECWR": one advisory lock for every specwright store

_LOG = MetaData()
_migrations_log = Table(
    "migrations",
    _LOG,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def migration(function: Migration) -> Migration:
    """Register ``function`` as the next migration, named after the function."""
    MIGRATIONS.append((function.__name__, function))
    return function


@migration
def m001_create_runs(conn: Connection) -> None:
    """One row per indexed run."""
    Table(
        "runs",
        MetaData(),
        Column("run_id", String(255), primary_key=True),
        Column("model", String(255), nullable=False),
        Column("grader", String(255)),
        Column("spec_title", Text, nullable=False),
        Column("spec_version", String(100)),
        Column("spec_hash", String(64), nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("log_path", Text),
        Column("enforce", Boolean, nullable=False),
        Column("epochs", Integer, nullable=False),
        Column("n_scored", Integer, nullable=False),
        Column("n_unscored", Integer, nullable=False),
        Column("overall_rate", Float),
        Column("overall_low", Float),
        Column("overall_high", Float),
        Column("overall_n", Integer, nullable=False),
        Column("grader_tokens", Integer, nullable=False),
        Column("indexed_at", DateTime(timezone=True), nullable=False),
    ).create(conn)


@migration
def m002_create_section_results(conn: Connection) -> None:
    """One row per run and section."""
    meta = MetaData()
    Table("runs", meta, Column("run_id", String(255), primary_key=True))
    Table(
        "section_results",
        meta,
        Column("run_id", String(255), ForeignKey("runs.run_id"), primary_key=True),
        Column("section_id", String(255), primary_key=True),
        Column("section_title", Text, nullable=False),
        Column("authority", String(20)),
        Column("rate", Float),
        Column("ci_low", Float),
        Column("ci_high", Float),
        Column("n", Integer, nullable=False),
        Column("n_unscored", Integer, nullable=False),
    ).create(conn)


@migration
def m003_index_section_results_by_section(conn: Connection) -> None:
    """``section_history`` looks rows up by section id."""
    table = Table("section_results", MetaData(), Column("section_id", String(255)))
    Index("ix_section_results_section_id", table.c.section_id).create(conn)


@migration
def m004_runs_add_calibration(conn: Connection) -> None:
    """Keep the run's judge calibration figures, so history can flag uncalibrated runs."""
    _add_column(conn, "runs", "calibration_accuracy", Float())
    _add_column(conn, "runs", "calibration_kappa", Float())


@migration
def m005_runs_add_calibration_grader(conn: Connection) -> None:
    """Record which grader was calibrated: kappa alone cannot tell "none" from "undefined"."""
    _add_column(conn, "runs", "calibration_grader", String(255))
    # Runs indexed before this migration kept figures only when they had a calibration.
    runs = Table(
        "runs",
        MetaData(),
        Column("grader", String(255)),
        Column("calibration_accuracy", Float),
        Column("calibration_kappa", Float),
        Column("calibration_grader", String(255)),
    )
    had_one = runs.c.calibration_accuracy.is_not(None) | runs.c.calibration_kappa.is_not(None)
    conn.execute(runs.update().where(had_one).values(calibration_grader=runs.c.grader))


@migration
def m006_runs_add_result_hash(conn: Connection) -> None:
    """A digest of the stored results: re-indexing replaces a run only when they changed."""
    _add_column(conn, "runs", "result_hash", String(64))


@migration
def m007_create_training_exports(conn: Connection) -> None:
    """Training-data exports and the scenarios each put in its train and test splits.

    ``eval`` reads them to warn when a model is evaluated on scenarios it was trained on.
    """
    meta = MetaData()
    Table(
        "training_exports",
        meta,
        Column("export_id", String(64), primary_key=True),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("model", String(255), nullable=False),
        Column("spec_hash", String(64), nullable=False),
        Column("spec_version", String(100)),
        Column("format", String(40), nullable=False),
        Column("path", Text, nullable=False),
    ).create(conn)
    scenarios = Table(
        "training_scenarios",
        meta,
        Column("export_id", String(64), ForeignKey("training_exports.export_id"), primary_key=True),
        Column("scenario_id", String(255), primary_key=True),
        Column("split", String(10), nullable=False),
    )
    scenarios.create(conn)
    Index("ix_training_scenarios_scenario_id", scenarios.c.scenario_id).create(conn)


@migration
def m008_create_feedback(conn: Connection) -> None:
    """People's verdicts on judged samples (``specwright feedback``), tied to run and section."""
    feedback = Table(
        "feedback",
        MetaData(),
        Column("feedback_id", String(64), primary_key=True),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("author", String(255), nullable=False),
        Column("run_id", String(255), nullable=False),
        Column("model", String(255), nullable=False),
        Column("spec_hash", String(64), nullable=False),
        Column("section_id", String(255), nullable=False),
        Column("scenario_id", String(255), nullable=False),
        Column("epoch", Integer, nullable=False),
        Column("verdict", String(20), nullable=False),
        Column("judge_verdict", String(20)),
        Column("judge", String(255)),
        Column("note", Text, nullable=False),
    )
    feedback.create(conn)
    Index("ix_feedback_run_id", feedback.c.run_id).create(conn)


@migration
def m009_create_decisions(conn: Connection) -> None:
    """One row per request the gateway (``specwright serve``) answered: its decision record.

    Columns hold what ``specwright decisions`` filters on; ``trace`` holds the record's
    parts, sections and isolated spans as JSON. ``sections`` is ``,id,id,`` for a portable
    ``LIKE`` match on one section id.
    """
    table = Table(
        "decisions",
        MetaData(),
        Column("decision_id", String(64), primary_key=True),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("spec_hash", String(64), nullable=False),
        Column("spec_version", String(100)),
        Column("mode", String(20), nullable=False),
        Column("client", String(255)),
        Column("stream", Boolean, nullable=False),
        Column("request_model", String(255)),
        Column("upstream_model", String(255)),
        Column("status", Integer, nullable=False),
        Column("error", Text),
        Column("latency_ms", Float, nullable=False),
        Column("upstream_ms", Float),
        Column("overhead_ms", Float, nullable=False),
        Column("prompt_tokens", Integer),
        Column("completion_tokens", Integer),
        Column("sections", Text, nullable=False),
        Column("trace", Text, nullable=False),
    )
    table.create(conn)
    Index("ix_decisions_created", table.c.created).create(conn)


@migration
def m010_create_studio_index(conn: Connection) -> None:
    """The studio's index of runs' samples (``specwright studio``), so that a run of any size
    pages and filters with SQL instead of its log being read per request.

    A run's log is read once into ``studio_samples``: the filter columns, and the sample's
    result as JSON (``sample``) for its page. ``position`` is the run's sample order, paged
    by key (``position > ?``).
    """
    meta = MetaData()
    Table(
        "studio_runs",
        meta,
        Column("run_id", String(255), primary_key=True),
        Column("header", Text, nullable=False),
        Column("result_hash", String(64), nullable=False),
        Column("n_samples", Integer, nullable=False),
        Column("indexed_at", DateTime(timezone=True), nullable=False),
    ).create(conn)
    samples = Table(
        "studio_samples",
        meta,
        Column("run_id", String(255), primary_key=True),
        Column("scenario_id", String(255), primary_key=True),
        Column("epoch", Integer, primary_key=True),
        Column("position", Integer, nullable=False),
        Column("section_id", String(255), nullable=False),
        Column("title", Text, nullable=False),
        Column("compliant", Boolean),
        Column("disagree", Boolean, nullable=False),
        Column("sample", Text, nullable=False),
    )
    samples.create(conn)
    Index("ix_studio_samples_position", samples.c.run_id, samples.c.position).create(conn)
    feedback = Table("feedback", MetaData(), Column("run_id", String(255)),
                     Column("scenario_id", String(255)), Column("epoch", Integer))  # fmt: skip
    Index("ix_feedback_sample", feedback.c.run_id, feedback.c.scenario_id, feedback.c.epoch).create(
        conn
    )


@migration
def m011_create_revision_decisions(conn: Connection) -> None:
    """People's decisions on proposed spec revisions (``specwright studio``): who, when, why.

    A revision is named by the content hash of the spec it proposes; ``base_hash`` is the
    spec it was compared with.
    """
    table = Table(
        "revision_decisions",
        MetaData(),
        Column("decision_id", String(64), primary_key=True),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("author", String(255), nullable=False),
        Column("proposal", Text, nullable=False),
        Column("base_hash", String(64), nullable=False),
        Column("proposed_hash", String(64), nullable=False),
        Column("decision", String(20), nullable=False),
        Column("reason", Text, nullable=False),
    )
    table.create(conn)
    Index("ix_revision_decisions_proposed", table.c.proposed_hash).create(conn)


@migration
def m012_revision_decisions_add_written(conn: Connection) -> None:
    """Where an approved revision was written as the spec, and that spec's content hash (what
    the runs measuring it record), so a run can name the decision that produced its spec."""
    _add_column(conn, "revision_decisions", "written_path", Text())
    _add_column(conn, "revision_decisions", "written_hash", String(64))
    table = Table("revision_decisions", MetaData(), Column("written_hash", String(64)))
    Index("ix_revision_decisions_written", table.c.written_hash).create(conn)


@migration
def m013_create_revision_comments(conn: Connection) -> None:
    """A comment thread per proposed revision (``specwright studio``): who, when, what."""
    table = Table(
        "revision_comments",
        MetaData(),
        Column("comment_id", String(64), primary_key=True),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("author", String(255), nullable=False),
        Column("proposed_hash", String(64), nullable=False),
        Column("text", Text, nullable=False),
    )
    table.create(conn)
    Index("ix_revision_comments_proposed", table.c.proposed_hash).create(conn)


def _add_column(conn: Connection, table: str, column: str, type_: TypeEngine[Any]) -> None:
    preparer = conn.dialect.identifier_preparer
    ddl = (
        f"ALTER TABLE {preparer.quote(table)} ADD COLUMN {preparer.quote(column)} "
        f"{type_.compile(dialect=conn.dialect)}"
    )
    conn.exec_driver_sql(ddl)


def migrate(conn: Connection, *, upto: str | None = None) -> list[str]:
    """Apply every migration not yet recorded (up to and including ``upto``); return names.

    Run it inside a transaction that holds the store's write lock, so that processes opening
    a fresh store at once apply each migration exactly once: on PostgreSQL an advisory lock
    taken here; on SQLite the caller's ``BEGIN IMMEDIATE`` (see ``ResultsStore``).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
    if not inspect(conn).has_table("migrations"):
        _migrations_log.create(conn)
    done = set(conn.scalars(select(_migrations_log.c.name)))
    applied: list[str] = []
    for name, function in MIGRATIONS:
        if name not in done:
            function(conn)
            conn.execute(insert(_migrations_log).values(name=name, applied_at=datetime.now(UTC)))
            applied.append(name)
        if name == upto:
            break
    return applied


def applied_migrations(conn: Connection) -> list[str]:
    """Names of the applied migrations, in the order they were applied."""
    rows = conn.execute(select(_migrations_log.c.name, _migrations_log.c.applied_at))
    order = {name: i for i, (name, _) in enumerate(MIGRATIONS)}
    return sorted((row.name for row in rows), key=lambda name: order.get(name, len(order)))
