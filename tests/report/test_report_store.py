from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
import report_factory as factory
from sqlalchemy import MetaData, create_engine, make_url

from specwright import ConfigurationError, ResultsStore, index_run
from specwright._results._migrations import MIGRATIONS, migrate


def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'results.sqlite'}"


def test_add_is_idempotent_and_runs_are_ordered(tmp_path: Path) -> None:
    with ResultsStore(url(tmp_path)) as store:
        assert store.add(factory.run_b())
        assert store.add(factory.run_a())
        assert not store.add(factory.run_a())
        runs = store.runs()
    assert [r.run_id for r in runs] == ["run-a-0001", "run-b-0002"]
    a, b = runs
    assert a.model == "openai/model-a" and a.spec_version == "2025-01-01"
    assert a.created.tzinfo is not None and a.created.astimezone(UTC).hour == 12
    assert a.overall == factory.run_a().overall
    assert a.calibration_kappa == 0.8 and b.calibration_kappa is None
    assert a.log_path == "logs/run-a-0001.eval"


def test_section_history(tmp_path: Path) -> None:
    index_run(factory.run_a(), url(tmp_path))
    index_run(factory.run_b(), url(tmp_path))
    index_run(factory.run_b(), url(tmp_path))
    with ResultsStore(url(tmp_path)) as store:
        points = store.section_history("follow_chain")
        assert [(p.model, p.rate.rate) for p in points] == [
            ("openai/model-a", 1.0),
            ("openai/model-b", 0.1),
        ]
        assert [p.spec_version for p in points] == ["2025-01-01", "2025-06-01"]
        assert [p.run_id for p in store.section_history("style_guide")] == ["run-b-0002"]
        assert store.section_history("nope") == []
        assert [sid for sid, _ in store.sections()] == [
            "be_honest",
            "follow_chain",
            "no_scores",
            "protect_privacy",
            "style_guide",
        ]
        unscored = store.section_history("no_scores")[0]
        assert unscored.rate.rate is None and unscored.rate.n == 0


def test_data_is_in_a_real_sqlite_file(tmp_path: Path) -> None:
    index_run(factory.run_a(), url(tmp_path))
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:
        assert conn.execute("select count(*) from section_results").fetchone() == (4,)
        names = [row[0] for row in conn.execute("select name from migrations")]
    assert sorted(names) == sorted(name for name, _ in MIGRATIONS)


def test_migrations_upgrade_an_older_store_and_keep_its_rows(tmp_path: Path) -> None:
    engine = create_engine(url(tmp_path))
    with engine.begin() as conn:
        assert migrate(conn, upto="m003_index_section_results_by_section") == [
            "m001_create_runs",
            "m002_create_section_results",
            "m003_index_section_results_by_section",
        ]
        conn.exec_driver_sql(
            "insert into runs (run_id, model, spec_title, spec_hash, created, enforce, epochs,"
            " n_scored, n_unscored, overall_n, grader_tokens, indexed_at) values ('old', 'm',"
            " 't', 'h', '2024-01-01 00:00:00', 0, 1, 0, 0, 0, 0, '2024-01-01 00:00:00')"
        )
    engine.dispose()
    with ResultsStore(url(tmp_path)) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
        (old,) = store.runs()
        assert old.run_id == "old" and old.calibration_kappa is None
    with ResultsStore(url(tmp_path)) as store:  # reopening applies nothing twice
        assert store.migrations() == [name for name, _ in MIGRATIONS]


def test_calibration_grader_is_backfilled_for_calibrated_runs(tmp_path: Path) -> None:
    engine = create_engine(url(tmp_path))
    with engine.begin() as conn:
        migrate(conn, upto="m004_runs_add_calibration")
        for run_id, kappa in (("calibrated", "0.5"), ("plain", "null")):
            conn.exec_driver_sql(
                "insert into runs (run_id, model, grader, spec_title, spec_hash, created,"
                " enforce, epochs, n_scored, n_unscored, overall_n, grader_tokens, indexed_at,"
                f" calibration_accuracy, calibration_kappa) values ('{run_id}', 'm', 'judge',"
                " 't', 'h', '2024-01-01 00:00:00', 0, 1, 0, 0, 0, 0, '2024-01-01 00:00:00',"
                f" {kappa}, {kappa})"
            )
    engine.dispose()
    with ResultsStore(url(tmp_path)) as store:
        runs = {run.run_id: run for run in store.runs()}
    assert runs["calibrated"].calibrated and runs["calibrated"].calibration_grader == "judge"
    assert not runs["plain"].calibrated


def test_undefined_kappa_is_still_a_calibrated_run(tmp_path: Path) -> None:
    run = factory.run_a()
    assert run.calibration is not None
    undefined = run.model_copy(
        update={"calibration": run.calibration.model_copy(update={"kappa": None})}
    )
    index_run(undefined, url(tmp_path))
    with ResultsStore(url(tmp_path)) as store:
        (stored,) = store.runs()
    assert stored.calibrated and stored.calibration_kappa is None


def test_bad_urls_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="invalid results store URL"):
        ResultsStore("not a url")
    with pytest.raises(ConfigurationError, match="cannot open results store"):
        ResultsStore(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.sqlite'}")


@pytest.mark.skipif(
    not os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL"),
    reason="no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL to a scratch database",
)
def test_postgresql_store() -> None:
    pg_url = os.environ["SPECWRIGHT_TEST_POSTGRES_URL"]
    engine = create_engine(pg_url)
    scratch = MetaData()
    scratch.reflect(engine)
    scratch.drop_all(engine)  # a scratch database: start from nothing
    engine.dispose()
    with ResultsStore(pg_url) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
        assert store.add(factory.run_b())
        assert store.add(factory.run_a())
        assert not store.add(factory.run_a())
        assert [r.run_id for r in store.runs()] == ["run-a-0001", "run-b-0002"]
        assert store.runs()[0].created.tzinfo is not None
        points = store.section_history("follow_chain")
        assert [(p.model, p.rate.rate) for p in points] == [
            ("openai/model-a", 1.0),
            ("openai/model-b", 0.1),
        ]
    with ResultsStore(pg_url) as store:  # reopening applies nothing twice
        assert len(store.migrations()) == len(MIGRATIONS)


def test_partial_runs_are_never_stored(tmp_path: Path) -> None:
    partial = factory.run_a().model_copy(update={"status": "started"})
    with ResultsStore(url(tmp_path)) as store:
        assert not store.add(partial)
        assert store.runs() == [] and store.section_history("follow_chain") == []
        assert store.add(factory.run_a())  # the same run, finished, goes in


def test_adding_a_changed_run_replaces_its_rows(tmp_path: Path) -> None:
    first = factory.run_a()
    changed = factory.build_run(
        first.run_id,
        first.model,
        {"follow_chain": [False] * 4, "style_guide": [True]},
        spec_version="2025-01-01",
        spec_hash="a" * 64,
        created=first.created,
        calibration=None,
    )
    with ResultsStore(url(tmp_path)) as store:
        assert store.add(first)
        assert store.add(changed)
        assert not store.add(changed)  # unchanged: nothing written
        (stored,) = store.runs()
        assert stored.overall == changed.overall and not stored.calibrated
        assert [sid for sid, _ in store.sections()] == ["follow_chain", "style_guide"]
        (point,) = store.section_history("follow_chain")
        assert point.rate.rate == 0.0 and point.rate.n == 4
    # Moving the log elsewhere changes nothing the store derives from the run.
    with ResultsStore(url(tmp_path)) as store:
        assert not store.add(changed.model_copy(update={"log_path": "elsewhere.eval"}))


_OPEN_AND_ADD = """
import sys, time
from pathlib import Path
sys.path.insert(0, {factory_dir!r})
import report_factory as factory
from specwright._results._store import ResultsStore
go = Path({go!r})
(go.parent / f"ready-{{sys.argv[1]}}").touch()
while not go.exists():
    time.sleep(0.001)
with ResultsStore({url!r}) as store:
    store.add(factory.run_a() if int(sys.argv[1]) % 2 else factory.run_b())
    print(len(store.migrations()))
"""

_PG = os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL")


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    if not _PG:
        pytest.skip("no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL")
    name = f"specwright_race_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield str(make_url(_PG).set(database=name))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def _race(tmp_path: Path, store_url: str, processes: int = 6) -> list[str]:
    """Start ``processes`` that open a fresh store at the same instant; their outputs."""
    go = tmp_path / "go"
    code = _OPEN_AND_ADD.format(factory_dir=str(Path(__file__).parent), go=str(go), url=store_url)
    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(i)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < processes and time.monotonic() < deadline:
        time.sleep(0.01)  # every process imported and waits at the starting line
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    failures = [err for p, (_, err) in zip(procs, results, strict=True) if p.returncode]
    assert failures == []
    return [out.strip() for out, _ in results]


def test_processes_opening_a_fresh_sqlite_store_at_once_all_succeed(tmp_path: Path) -> None:
    # Before the write lock, 4 of 6 processes failed with "table migrations already exists".
    assert set(_race(tmp_path, url(tmp_path))) == {str(len(MIGRATIONS))}
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:
        names = [row[0] for row in conn.execute("select name from migrations")]
        assert sorted(names) == sorted(name for name, _ in MIGRATIONS)
        assert conn.execute("select count(*) from runs").fetchone() == (2,)


def test_processes_opening_a_fresh_postgresql_store_at_once_all_succeed(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    assert set(_race(tmp_path, fresh_pg_url)) == {str(len(MIGRATIONS))}
    with ResultsStore(fresh_pg_url) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
        assert [r.run_id for r in store.runs()] == ["run-a-0001", "run-b-0002"]


def test_every_store_opens_one_sqlite_file_the_same_way(tmp_path: Path) -> None:
    # One engine recipe for every store in the file: the results store and the gateway's
    # decision store both see WAL, the same busy timeout and write-locking transactions.
    pytest.importorskip("starlette")
    from specwright._serve._decision_store import DecisionStore

    db = f"sqlite:///{tmp_path / 'one.db'}"
    results, decisions = ResultsStore(db), DecisionStore(db)
    try:
        seen = []
        for engine in (results._engine, decisions._engine):
            with engine.connect() as conn:
                pragmas = tuple(
                    conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "busy_timeout", "synchronous")
                )
                # BEGIN IMMEDIATE holds the write lock: another connection cannot write now.
                other = sqlite3.connect(tmp_path / "one.db", timeout=0)
                with pytest.raises(sqlite3.OperationalError):
                    other.execute("CREATE TABLE probe (x)")
                other.close()
            seen.append(pragmas)
        assert seen[0] == seen[1] == ("wal", 60000, 1)
    finally:
        results.close()
        decisions.close()
