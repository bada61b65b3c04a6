"""Decision records: one per request, in the results store, with what the chain decided."""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any

import openai
import pytest
from sqlalchemy.exc import OperationalError

from specwright import example_spec_path, read_spec
from specwright._serve._decision_store import DecisionFilter, DecisionStore
from specwright._serve._records import DecisionRecord, PendingDecision, sha256_text
from specwright._serve._writer import DecisionWriter
from tests.serve.conftest import CLIENT_KEY, OBSERVER_KEY, gateway_config, running_gateway
from tests.serve.scripted_upstream import Upstream
from tests.serve.test_gateway_sdk import CONVERSATION, TOOL_OUTPUT


def wait_for(store_url: str, ids: list[str], limit: float = 10.0) -> list[DecisionRecord]:
    """The records with ``ids``, once the writer has stored them all."""
    store = DecisionStore(store_url)
    deadline = time.monotonic() + limit
    try:
        while True:
            records = [store.get(i) for i in ids]
            if all(records) or time.monotonic() > deadline:
                return [r for r in records if r is not None]
            time.sleep(0.05)
    finally:
        store.close()


def _ask(url: str, key: str, **extra: object) -> str:
    client = openai.OpenAI(base_url=url, api_key=key, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model="target", messages=CONVERSATION, **extra
    )
    return raw.headers["x-specwright-decision-id"]


def test_enforce_record_points_to_what_was_decided(
    gateway: str, upstream: Upstream, store_url: str
) -> None:
    decision = _ask(gateway, CLIENT_KEY)
    (record,) = wait_for(store_url, [decision])
    spec = read_spec(example_spec_path())
    assert (record.spec_hash, record.spec_version) == (spec.content_hash(), spec.version)
    assert (record.mode, record.client, record.status, record.error) == (
        "enforce", "alpha", 200, None,
    )  # fmt: skip
    assert (record.request_model, record.upstream_model) == ("target", "target-answer")
    assert (record.prompt_tokens, record.completion_tokens) == (77, 3)
    assert record.latency_ms >= record.overhead_ms >= 0 and record.upstream_ms is not None
    roles = {(p.message_index, p.part_index): (p.role, p.authority) for p in record.parts}
    assert roles[(0, 0)] == ("developer", "developer")
    assert roles[(3, 0)] == ("tool", "none")
    tool = next(p for p in record.parts if p.message_index == 3)
    assert tool.status == "no_authority" and tool.spans[0].kind == "tool_output"
    kinds = {(s.message_index, s.kind) for s in record.isolated}
    assert {(1, "block_quote"), (3, "tool_output")} <= kinds
    (tool_block,) = [s for s in record.isolated if s.kind == "tool_output"]
    assert tool_block.text is None and tool_block.text_sha256 == sha256_text(TOOL_OUTPUT)
    assert all(s.text is None for p in record.parts for s in p.spans)  # hashes only by default
    placed = record.placed_sections()
    assert "confirm_before_booking" in placed
    assert all(s.placed == (s.id in placed) for s in record.sections)


def test_observe_record_and_stored_text(
    upstream: Upstream, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_gateway(gateway_config(upstream.url, store_url, store_text=True)) as url:
        observed = _ask(url, OBSERVER_KEY)
        enforced = _ask(url, CLIENT_KEY)
    obs, enf = wait_for(store_url, [observed, enforced])
    assert obs.mode == "observe" and obs.client == "observer"
    assert obs.isolated == () and obs.placed_sections() == ()
    assert len(obs.parts) == len(enf.parts)  # observe still records every part's verdict
    texts = [s.text for p in enf.parts for s in p.spans]
    assert TOOL_OUTPUT in texts
    assert any(s.text == TOOL_OUTPUT for s in enf.isolated)


def test_every_request_is_recorded_and_filterable(
    gateway: str, upstream: Upstream, store_url: str
) -> None:
    ids = [_ask(gateway, CLIENT_KEY) for _ in range(5)]
    client = openai.OpenAI(base_url=gateway, api_key=CLIENT_KEY, max_retries=0)
    with pytest.raises(openai.APIStatusError):
        client.chat.completions.create(model="fault-400", messages=CONVERSATION)
    records = wait_for(store_url, ids)
    assert len(records) == 5
    store = DecisionStore(store_url)
    deadline = time.monotonic() + 10
    while store.count() < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.count() == 6
    assert len(store.find(DecisionFilter(status="4xx"))) == 1
    assert len(store.find(DecisionFilter(status="200", limit=3))) == 3
    assert len(store.find(DecisionFilter(section="confirm_before_booking"))) == 6
    assert store.find(DecisionFilter(section="no_such_section")) == []
    assert len(store.find(DecisionFilter(model="fault-400"))) == 1
    newest = store.find(DecisionFilter(limit=1))[0]
    assert newest.request_model == "fault-400"


class _FlakyStore:
    """A store whose first two writes fail, as a locked or restarting database would."""

    def __init__(self) -> None:
        self.failures = 2
        self.batches: list[list[str]] = []

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        if self.failures:
            self.failures -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        self.batches.append([r["decision_id"] for r in rows])


def test_writer_batches_retries_and_drains_on_stop() -> None:
    store = _FlakyStore()
    spec = read_spec(example_spec_path())
    writer = DecisionWriter(store, spec=spec, store_text=False)  # type: ignore[arg-type]
    writer.start()
    for n in range(1200):
        writer.submit(PendingDecision(id=f"d{n}", created=time.time(), mode="observe", client=None))
    time.sleep(0.1)
    assert store.batches == [] and store.failures == 2  # a request only appends: no hand-off yet
    writer.flush()  # the gateway's loop does this once per interval
    writer.submit(PendingDecision(id="late", created=time.time(), mode="observe", client=None))
    writer.stop()
    written = [i for batch in store.batches for i in batch]
    assert written == [*(f"d{n}" for n in range(1200)), "late"]  # stop flushed the late one
    assert max(len(b) for b in store.batches) <= 500 and writer.written == 1201


@pytest.mark.skipif(
    not os.environ.get("SPECWRIGHT_TEST_POSTGRES_URL"),
    reason="no PostgreSQL server: set SPECWRIGHT_TEST_POSTGRES_URL to a scratch database",
)
def test_postgresql_store(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    pg_url = os.environ["SPECWRIGHT_TEST_POSTGRES_URL"]
    with running_gateway(gateway_config(upstream.url, pg_url)) as url:
        ids = [_ask(url, CLIENT_KEY) for _ in range(3)]
    records = wait_for(pg_url, ids)
    assert [r.id for r in records] == ids
    assert records[0].created.tzinfo is not None and records[0].client == "alpha"


def test_sqlite_store_runs_in_wal_mode(store_url: str) -> None:
    store = DecisionStore(store_url)
    store.count()
    store.close()
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_decisions_table_is_the_migrations_own(store_url: str) -> None:
    """The store reflects the table the migration made (one declaration of its columns)."""
    from specwright._errors import ConfigurationError
    from specwright._results._migrations import MIGRATIONS

    assert "m009_create_decisions" in [name for name, _ in MIGRATIONS]
    with pytest.raises(ConfigurationError, match="no decisions table"):
        DecisionStore(store_url, migrate_schema=False)  # a fresh file: nothing migrated yet
    store = DecisionStore(store_url)
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(decisions)")]
    assert list(store._table.c.keys()) == columns
    store.close()
