"""The chain's CPU work for one request, off the event loop when it is large.

Reading a conversation, resolving the chain of command and compiling the prompt is pure
Python CPU work. A small request (the common case) does it on the event loop, where it costs
least (no round trip to another process). A large one goes to a pool of worker processes
(:class:`CpuPool`), so that the event loop keeps answering every other request (``/healthz``,
small chats, streams) while it is processed; the pool's processes run at a lower priority, so
where cores are scarce the large request yields to the small ones.

Why processes and not threads: the work holds the GIL, and the loop waits up to a switch
interval for it at every wake-up. Measured on the shared 2-core VM (load average ~11) while a
1,500-message body was resolved: in a thread, ``/healthz`` took 15 ms p50 / 148 ms p99 and a
small chat 60 / 714 ms; in a worker process 1.1 / 29 ms and 4.0 / 75 ms (idle: 1-7 / 17 ms
and 7-20 ms p50).

The worker process gets the request's raw body (bytes pickle at memory speed) and hands
back the upstream body and the decision trace, both already JSON: nothing large is pickled
either way. A request the pool cannot take (``queue`` requests already waiting or running)
is answered 503 with ``Retry-After``; the pool is bounded, never the loop.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import orjson

from specwright._chain._compiled import CompiledPrompt
from specwright._chain._compiler import compile_prompt
from specwright._chain._resolution import Resolution, resolve
from specwright._chain._spec_index import SpecIndex
from specwright._model import Spec
from specwright._serve._apis import APIS, Api
from specwright._serve._problems import Problem
from specwright._serve._records import BuiltTrace, GatewayMode, build_trace, built_trace

__all__ = ["ChainContext", "CpuPool", "Enforced", "PreparedRequest", "dumps", "enforce"]


@dataclass(frozen=True, slots=True)
class ChainContext:
    """What the chain's work needs besides the request: built once per process."""

    spec: Spec
    index: SpecIndex
    budget: int
    """Token budget for non-root sections (enforce mode)."""
    store_text: bool
    """Whether traces keep span text."""

    @classmethod
    def build(cls, spec: Spec, budget: int, store_text: bool) -> ChainContext:
        """The context for ``spec`` (builds its index)."""
        return cls(spec, SpecIndex.build(spec), budget, store_text)


@dataclass(slots=True)
class Enforced:
    """An enforce-mode request after the chain's work."""

    payload: bytes
    """The compiled request body for the upstream."""
    resolution: Resolution
    compiled: CompiledPrompt


def enforce(api: Api, document: dict[str, Any], context: ChainContext) -> Enforced:
    """Read, resolve and compile ``document``; raises ``ConversationError`` for what the API's
    adapter cannot read or write."""
    conversation = api.read(document)
    resolution = resolve(context.spec, conversation, index=context.index)
    compiled = compile_prompt(
        context.spec, conversation, resolution, budget=context.budget, index=context.index
    )
    return Enforced(dumps(api.write(document, compiled)), resolution, compiled)


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """What the pool hands back for one request."""

    payload: bytes | None
    """The upstream body (enforce); ``None`` sends the client's body unchanged (observe)."""
    trace: BuiltTrace
    """The decision trace, already JSON."""
    boundary: str | None
    """The isolation boundary token (enforce mode)."""


_NICENESS = 10
_CONTEXT: list[ChainContext] = []
"""The worker process's context (set once by :func:`_start_worker`)."""


def _start_worker(spec: Spec, budget: int, store_text: bool) -> None:
    # Below the event loop's process in the scheduler's eyes: where cores are scarce, a
    # large request yields to the small ones rather than sharing a core with them evenly.
    os.nice(_NICENESS)
    _CONTEXT.append(ChainContext.build(spec, budget, store_text))


def _prepare_in_worker(api_name: str, body: bytes, mode: GatewayMode) -> PreparedRequest:
    (context,) = _CONTEXT
    api = APIS[api_name]
    document = orjson.loads(body)
    if mode == "observe":
        resolution = resolve(context.spec, api.read(document), index=context.index)
        trace = build_trace(api.name, resolution, None, context.store_text)
        return PreparedRequest(None, built_trace(trace), None)
    enforced = enforce(api, document, context)
    trace = build_trace(api.name, enforced.resolution, enforced.compiled, context.store_text)
    return PreparedRequest(enforced.payload, built_trace(trace), enforced.compiled.boundary_token)


class CpuPool:
    """Worker processes for large requests, started on first use, bounded in what waits."""

    def __init__(self, context: ChainContext, *, workers: int, queue: int) -> None:
        self._context = context
        self._workers = workers
        self._queue = queue
        self._busy = 0
        self._executor: ProcessPoolExecutor | None = None
        self._starting = asyncio.Lock()

    async def prepare(self, api: Api, body: bytes, mode: GatewayMode) -> PreparedRequest:
        """The chain's work for ``body`` in a worker process (``Problem`` 503 when full)."""
        if self._busy >= self._queue:
            raise Problem(
                503,
                f"the gateway is busy with {self._busy} large requests; retry shortly",
                code="overloaded",
                headers={"retry-after": "1"},
            )
        self._busy += 1
        try:
            executor = await self._started()
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, _prepare_in_worker, api.name, body, mode)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
            self._executor = None
            problem = Problem(503, "the gateway's worker process failed; retry", code="overloaded")
            raise problem from None
        finally:
            self._busy -= 1

    async def _started(self) -> ProcessPoolExecutor:
        async with self._starting:
            if self._executor is None:
                # Starting a process writes its start-up data (the spec) into a pipe, which
                # blocks until the new interpreter reads it: never on the event loop.
                self._executor = await asyncio.to_thread(self._start)
            return self._executor

    def _start(self) -> ProcessPoolExecutor:
        c = self._context
        executor = ProcessPoolExecutor(
            self._workers,
            # spawn, not fork: the gateway process runs threads (the writer, the pool's own)
            # whose locks a forked child could inherit held.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(c.spec, c.budget, c.store_text),
        )
        executor.submit(int).result()  # the processes start on the first submit
        return executor

    def close(self) -> None:
        """Stop the worker processes (running work is abandoned)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def dumps(out: dict[str, Any]) -> bytes:
    """``out`` as JSON bytes (orjson; the json module past orjson's 254 writable levels)."""
    try:
        return orjson.dumps(out)
    except orjson.JSONEncodeError:
        # Reading the conversation refused anything nested past ~255 levels, far below where
        # the json module would run out of recursion.
        return json.dumps(out, ensure_ascii=False).encode("utf-8")
