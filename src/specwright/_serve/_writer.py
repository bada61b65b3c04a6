"""The batched decision writer: a thread that turns pending decisions into stored records.

Requests only append to a queue (no I/O, no serialisation on the hot path). The thread
drains it in batches of up to ``batch_size`` or every ``interval`` seconds, builds the records
and inserts each batch in one transaction. :meth:`DecisionWriter.stop` drains everything
before it returns: uvicorn calls it from the lifespan shutdown after in-flight requests
finished, so a graceful stop (SIGTERM, SIGINT) loses nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from specwright._chain._spec_index import SpecIndex
from specwright._model import Spec
from specwright._serve._decision_store import DecisionStore
from specwright._serve._records import PendingDecision, build_row

__all__ = ["DecisionWriter"]

_LOG = logging.getLogger("specwright.serve")
_STOP = object()


class DecisionWriter:
    """Stores pending decisions in batches, off the request path."""

    def __init__(
        self,
        store: DecisionStore,
        *,
        spec: Spec,
        store_text: bool,
        batch_size: int = 500,
        interval: float = 0.05,
    ) -> None:
        self._store = store
        self._spec = spec
        self._spec_hash = spec.content_hash()
        self._index = SpecIndex.build(spec)  # the writer thread's own (observe mode resolves here)
        self._store_text = store_text
        self._batch_size = batch_size
        self._interval = interval
        self._queue: queue.SimpleQueue[PendingDecision | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="decision-writer", daemon=True)
        self.written = 0
        self.failed = 0

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def submit(self, pending: PendingDecision) -> None:
        """Queue one decision (never blocks)."""
        self._queue.put(pending)

    def stop(self, timeout: float = 60.0) -> None:
        """Write everything queued so far, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = self._next_batch()
            if batch:
                self._write(batch)

    def _next_batch(self) -> tuple[list[PendingDecision], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        assert isinstance(first, PendingDecision)
        batch = [first]
        deadline = time.monotonic() + self._interval
        while len(batch) < self._batch_size:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=max(remaining, 0.0)) if remaining > 0 else None
            except queue.Empty:
                item = None
            if item is None:
                break
            if item is _STOP:
                return batch, True
            assert isinstance(item, PendingDecision)
            batch.append(item)
        return batch, False

    def _write(self, batch: list[PendingDecision]) -> None:
        records: list[dict[str, Any]] = []
        for pending in batch:
            try:
                records.append(
                    build_row(pending, self._spec, self._spec_hash, self._store_text, self._index)
                )
            except Exception:  # a bug in one record must not lose the others
                _LOG.exception("decision %s: cannot build its record", pending.id)
                self.failed += 1
        for attempt in range(5):
            try:
                self._store.add_many(records)
            except SQLAlchemyError as exc:
                _LOG.warning("decision store write failed (attempt %d): %s", attempt + 1, exc)
                time.sleep(0.2 * (attempt + 1))
                continue
            self.written += len(records)
            return
        self.failed += len(records)
        _LOG.error("dropped %d decision records: the store kept failing", len(records))
