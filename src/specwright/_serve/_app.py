"""The gateway's ASGI app (Starlette): routes, lifespan, and the per-request pipeline."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from specwright._errors import ConversationError
from specwright._llm._profiles import profile_named
from specwright._model import Spec
from specwright._serve._apis import CHAT_COMPLETIONS, MESSAGES, Api
from specwright._serve._config import ClientKey, GatewayConfig, hash_key
from specwright._serve._decision_store import DecisionStore
from specwright._serve._http import HEADER_TIMEOUT_STATE
from specwright._serve._problems import Problem
from specwright._serve._records import PendingDecision
from specwright._serve._streaming import BoundaryFilter, RecordedStream, redact
from specwright._serve._upstream import StreamOpened, Upstream, UpstreamReply, Wait
from specwright._serve._work import ChainContext, CpuPool, enforce
from specwright._serve._writer import DecisionWriter

__all__ = ["Gateway", "GatewayApp", "app_from_environment", "create_app", "tune_worker_process"]

_LOG = logging.getLogger("specwright.serve")
ID_HEADER = "x-specwright-decision-id"
OVERHEAD_HEADER = "x-specwright-overhead-ms"


class Gateway:
    """Per-worker state: the spec, the client keys, the upstream pool and the writer."""

    def __init__(self, config: GatewayConfig, spec: Spec) -> None:
        self.config = config
        self.spec = spec
        self.spec_hash = spec.content_hash()
        # Candidates, relevance index and section costs of the spec, built once per worker.
        self.context = ChainContext.build(spec, config.budget, config.store_text)
        self.index = self.context.index
        self.pool = CpuPool(self.context, workers=config.cpu_workers, queue=config.cpu_queue)
        self.keys: dict[str, ClientKey] = {k.sha256: k for k in config.keys}
        self.upstream: Upstream | None = None
        self.writer: DecisionWriter | None = None
        self._flusher: asyncio.Task[None] | None = None
        # Seeded from the OS in each worker process; ids need to be unique, not secret.
        self._ids = random.Random()

    async def start(self) -> None:
        """Open the upstream pool and start the writer (lifespan startup)."""
        config = self.config
        self.upstream = Upstream(
            config.upstream,
            config.upstream_key(),
            timeout=config.timeout,
            retries=config.retries,
            retry_timeouts=config.retry_timeouts,
            profile=profile_named(config.profile) if config.profile else None,
        )
        store = DecisionStore(config.store_url, migrate_schema=False)
        self.writer = DecisionWriter(
            store, spec=self.spec, store_text=config.store_text, index=self.index
        )
        self.writer.start()
        self._flusher = asyncio.create_task(_flush_every(self.writer))

    async def stop(self) -> None:
        """Close the pools and write every pending record (lifespan shutdown)."""
        if self.upstream is not None:
            await self.upstream.close()
        self.pool.close()
        if self._flusher is not None:
            self._flusher.cancel()
        if self.writer is not None:
            self.writer.stop()
            _LOG.info("decision records written: %d", self.writer.written)

    def client(self, request: Request) -> ClientKey | None:
        """The client the request's key belongs to; ``Problem`` 401 otherwise.

        The key comes as a bearer token (OpenAI's SDK) or in ``x-api-key`` (Anthropic's).
        """
        if self.config.no_auth:
            return None
        key = request.headers.get("x-api-key", "").strip()
        if not key:
            scheme, _, key = request.headers.get("authorization", "").partition(" ")
            key = key.strip() if scheme.lower() == "bearer" else ""
        if not key:
            raise Problem(401, "missing API key: send 'Authorization: Bearer <key>'")
        found = self.keys.get(hash_key(key))
        if found is None:
            raise Problem(401, "invalid API key", code="invalid_api_key")
        return found

    def new_id(self) -> str:
        """A fresh decision id: 128 random bits (no system call per request)."""
        return f"dec_{self._ids.getrandbits(128):032x}"

    def finish(self, pending: PendingDecision, started: float) -> None:
        """Close the request's record and hand it to the writer."""
        pending.latency_ms = (time.perf_counter() - started) * 1000.0
        assert self.writer is not None
        self.writer.submit(pending)


async def _flush_every(writer: DecisionWriter) -> None:
    """Hand the writer's pending decisions on, once per interval, on the event loop."""
    while True:
        await asyncio.sleep(writer.interval)
        try:
            writer.flush()
        except Exception:  # never let one bad batch stop the records that follow
            _LOG.exception("decision records: flush failed")


def _gateway(request: Request) -> Gateway:
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


async def chat_completions(request: Request) -> Response:
    """``POST /v1/chat/completions``: one decision record per request, whatever happens."""
    return await _serve(request, CHAT_COMPLETIONS)


async def messages(request: Request) -> Response:
    """``POST /v1/messages`` (Anthropic): the same pipeline, Anthropic's shapes."""
    return await _serve(request, MESSAGES)


@dataclass
class _Exchange:
    """One request on its way through the pipeline."""

    gateway: Gateway
    api: Api
    pending: PendingDecision
    started: float

    def overhead_ms(self) -> float:
        """Time so far, less the time spent waiting on the upstream."""
        upstream = self.pending.upstream_ms or 0.0
        return (time.perf_counter() - self.started) * 1000.0 - upstream

    def headers(self) -> dict[str, str]:
        """The decision headers every answer carries."""
        return {ID_HEADER: self.pending.id, OVERHEAD_HEADER: f"{self.overhead_ms():.3f}"}

    def finish(self) -> None:
        """Close the record and hand it to the writer."""
        self.gateway.finish(self.pending, self.started)


async def _serve(request: Request, api: Api) -> Response:
    gateway = _gateway(request)
    started = time.perf_counter()
    pending = PendingDecision(
        id=gateway.new_id(), created=time.time(), mode=gateway.config.mode, client=None
    )
    pending.api = api.name
    exchange = _Exchange(gateway, api, pending, started)
    try:
        return await _handle(exchange, request)
    except Problem as raised:
        problem = raised
        pending.status, pending.error = problem.status, str(problem)
    except asyncio.CancelledError:  # the client left, or shutdown ran out of time
        pending.status, pending.error = 499, "cancelled before the answer was complete"
        exchange.finish()
        raise
    except Exception as exc:  # a bug: answer 500 and record it; the worker lives on
        _LOG.exception("decision %s: internal error", pending.id)
        problem = Problem(500, "internal error in the gateway", code="internal_error")
        pending.status, pending.error = 500, f"internal error: {type(exc).__name__}"
    exchange.finish()
    headers = {**problem.headers, **exchange.headers()}
    return Response(api.error_body(problem), problem.status, headers, "application/json")


async def _handle(exchange: _Exchange, request: Request) -> Response:
    gateway, pending = exchange.gateway, exchange.pending
    config = gateway.config
    client = gateway.client(request)
    if client is not None:
        pending.client = client.name
        pending.mode = client.mode or config.mode
    body = await _read_body(request, config.max_body_bytes, config.body_timeout)
    document = _parse(body)
    model = document.get("model")
    pending.request_model = model if isinstance(model, str) else None
    stream = document.get("stream", False)
    if not isinstance(stream, bool) and stream is not None:
        raise Problem(422, "stream: expected a boolean", param="stream")
    pending.stream = bool(stream)
    payload = await _upstream_payload(exchange, document, body)
    upstream = gateway.upstream
    assert upstream is not None
    headers = exchange.api.headers(upstream, request.headers)
    wait = Wait()
    try:
        if pending.stream:
            opened = await upstream.open_stream(payload, wait, exchange.api.path, headers)
            pending.upstream_ms = wait.seconds * 1000.0
            return _streamed(exchange, opened)
        reply = await upstream.complete(payload, wait, exchange.api.path, headers)
    finally:
        pending.upstream_ms = wait.seconds * 1000.0
        pending.adaptations = tuple(wait.adaptations)
    return _completed(exchange, reply)


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"request body over the gateway's limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Problem(413, f"request body over the gateway's limit of {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Problem(408, f"request body not received within {timeout:g} s") from None
    except ClientDisconnect:  # nobody to answer: recorded as 499, no traceback
        raise Problem(499, "client disconnected before sending its whole body") from None
    return b"".join(chunks)


_LONG_NUMBER = re.compile(rb"\d{19}")
"""A run of digits that may be an integer beyond 64 bits (orjson reads those as floats)."""


def _parse(body: bytes) -> dict[str, object]:
    # orjson, not the json module: about 5x faster both ways, and strict where json is lax
    # (NaN, lone surrogates), so every body accepted here can be written back as UTF-8 JSON;
    # a lone surrogate used to end in a 500 and a lost record.
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem(400, f"request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise Problem(400, "request body must be a JSON object")
    if _LONG_NUMBER.search(body) is not None:
        _refuse_wide_integers(body)
    if "messages" not in document:
        raise Problem(422, "messages: missing required field", param="messages")
    return document


def _refuse_wide_integers(body: bytes) -> None:
    """400 for an integer literal beyond 64 bits, which orjson would have read as a float
    (a 30-digit ``seed`` went upstream as ``1e+30``). Only bodies with a long digit run
    (in a string or not) pay for this second, exact reading."""
    wide: list[str] = []

    def checked(literal: str) -> int:
        value = int(literal)
        if not -(2**63) <= value < 2**64:
            wide.append(literal)
        return value

    try:
        json.loads(body, parse_int=checked)
    except ValueError:  # e.g. past the json module's own limit on digits
        wide.append("")
    except RecursionError:  # orjson reads 1,024 levels, the json module fewer
        raise Problem(400, "request body is nested too deeply to check its integers") from None
    if wide:
        digits = f" ({len(wide[0])} digits)" if wide[0] else ""
        raise Problem(400, f"request body has an integer beyond 64 bits{digits}")


def _count(document: dict[str, object], config: GatewayConfig) -> int:
    """Messages plus content parts, refused beyond the configured limits (422)."""
    messages = document.get("messages")
    if not isinstance(messages, list):
        return 0  # the adapter names the field
    if len(messages) > config.max_messages:
        raise Problem(
            422,
            f"{len(messages)} messages, over the gateway's limit of {config.max_messages}",
            param="messages",
        )
    parts = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            parts += len(content)
    if parts > config.max_parts:
        raise Problem(
            422,
            f"{parts} content parts, over the gateway's limit of {config.max_parts}",
            param="messages",
        )
    return len(messages) + parts


async def _upstream_payload(exchange: _Exchange, document: dict[str, object], body: bytes) -> bytes:
    """Resolve the chain of command; in enforce mode, the compiled request.

    Small requests do it on the event loop; large ones in the CPU pool, so that they hold
    no other request up.
    """
    gateway, pending = exchange.gateway, exchange.pending
    config = gateway.config
    items = _count(document, config)
    try:
        if len(body) > config.inline_max_bytes or items > config.inline_max_items:
            prepared = await gateway.pool.prepare(exchange.api, body, pending.mode)
            pending.trace, pending.boundary = prepared.trace, prepared.boundary
            return body if prepared.payload is None else prepared.payload
        if pending.mode == "observe":
            pending.conversation = exchange.api.read(document)  # the writer resolves it
            return body
        enforced = enforce(exchange.api, document, gateway.context)
    except ConversationError as exc:
        raise _unreadable(exc) from None
    pending.resolution, pending.compiled = enforced.resolution, enforced.compiled
    pending.boundary = enforced.compiled.boundary_token
    return enforced.payload


def _unreadable(exc: ConversationError) -> Problem:
    """A 422 naming the field the adapter could not read (or write)."""
    if exc.index is None:
        # A limit on the whole conversation names "content" (its parts): the field is messages.
        param = "messages" if exc.field in ("", "content") else exc.field
    else:
        param = f"messages[{exc.index}]" + (f".{exc.field}" if exc.field else "")
    return Problem(422, str(exc), param=param)


def _completed(exchange: _Exchange, reply: UpstreamReply) -> Response:
    pending = exchange.pending
    pending.status = reply.status
    data = reply.data
    if data is not None and reply.status < 300:
        exchange.api.read_usage(data, pending)
    elif reply.status >= 400:
        pending.error = f"upstream answered {reply.status}"
    headers = {**reply.headers, **exchange.headers()}
    exchange.finish()
    content = redact(reply.content, pending.boundary)
    return Response(content, reply.status, headers, media_type="application/json")


def _streamed(exchange: _Exchange, opened: StreamOpened | UpstreamReply) -> Response:
    if isinstance(opened, UpstreamReply):
        return _completed(exchange, opened)
    pending = exchange.pending
    pending.status = 200
    headers = {**opened.headers, **exchange.headers()}
    scan = exchange.api.scan(pending)
    token = pending.boundary
    boundary = None if token is None else BoundaryFilter(token, exchange.api is MESSAGES)

    def first_byte() -> None:  # a stream's overhead ends where its first byte goes out
        pending.overhead_ms = max(exchange.overhead_ms(), 0.0)

    return RecordedStream(
        opened,
        scan,
        exchange.finish,
        headers,
        exchange.api.error_event,
        first_byte=first_byte,
        boundary=boundary,
    )


async def models(request: Request) -> Response:
    """``GET /v1/models`` passed through to the upstream."""
    gateway = _gateway(request)
    try:
        gateway.client(request)
        assert gateway.upstream is not None
        reply = await gateway.upstream.models(Wait())
    except Problem as problem:
        return Response(problem.body(), problem.status, problem.headers, "application/json")
    return Response(reply.content, reply.status, reply.headers, media_type="application/json")


async def healthz(request: Request) -> Response:
    """``GET /healthz``: the worker is up; says which spec it enforces."""
    gateway = _gateway(request)
    return JSONResponse(
        {"status": "ok", "spec_hash": gateway.spec_hash, "spec_version": gateway.spec.version}
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = {404: "no such route", 405: "method not allowed"}.get(status, "error")
    problem = Problem(status, f"{message}: {request.method} {request.url.path}")
    api = MESSAGES if request.url.path.startswith("/v1/messages") else CHAT_COMPLETIONS
    return Response(api.error_body(problem), status, media_type="application/json")


_PROXIED: dict[str, Callable[[Request], Awaitable[Response]]] = {
    "/v1/chat/completions": chat_completions,
    "/v1/messages": messages,
}
"""The proxied routes (``POST``), served by :class:`_HotRoutes` ahead of Starlette's router."""


class GatewayApp(Starlette):
    """The gateway's Starlette app.

    With ``hot_routes`` (the default) a ``POST`` to a proxied route skips Starlette's
    router and its error-handling layers (the handler answers every error itself; the layers
    cost ~5% of the gateway's CPU per request). Middleware a host adds with
    :meth:`add_middleware` turns the bypass off, so it sees every request.
    """

    def __init__(self, *args: Any, hot_routes: bool = True, **kwargs: Any) -> None:
        self.hot_routes = hot_routes
        super().__init__(*args, **kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, behind the bypass unless a host added middleware."""
        stack = super().build_middleware_stack()
        if not self.hot_routes or self.user_middleware:
            return stack
        return _HotRoutes(stack, _PROXIED)


def create_app(config: GatewayConfig, spec: Spec, *, hot_routes: bool = True) -> GatewayApp:
    """The gateway for ``config``, enforcing ``spec``.

    Changes nothing process-wide (the serve worker's start-up tunes its own process:
    :func:`tune_worker_process`). ``hot_routes=False`` sends every request through
    Starlette's router and middleware (see :class:`GatewayApp`).
    """
    gateway = Gateway(config, spec)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, float]]:
        await gateway.start()
        try:
            yield {HEADER_TIMEOUT_STATE: config.header_timeout}  # for the HTTP protocol
        finally:
            await gateway.stop()

    app = GatewayApp(
        routes=[
            *(Route(path, handler, methods=["POST"]) for path, handler in _PROXIED.items()),
            Route("/v1/models", models, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        exception_handlers={404: _http_error, 405: _http_error},
        lifespan=lifespan,
        hot_routes=hot_routes,
    )
    app.state.gateway = gateway
    return app


class _HotRoutes:
    """``POST`` to a proxied route goes straight to its handler; the rest to Starlette's stack."""

    def __init__(
        self, stack: ASGIApp, hot: Mapping[str, Callable[[Request], Awaitable[Response]]]
    ) -> None:
        self._stack = stack
        self._hot = hot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            handler = self._hot.get(scope["path"])
            if handler is not None:
                response = await handler(Request(scope, receive, send))
                await response(scope, receive, send)
                return
        await self._stack(scope, receive, send)


def tune_worker_process() -> None:
    """Process-wide settings for a process that does nothing but serve the gateway.

    Called by the serve worker's start-up (:func:`app_from_environment`), never by
    :func:`create_app`, so that a host process or a test that builds the app keeps its own.
    """
    # The writer thread runs SQLAlchemy's Python layer for each batch; with the default 5 ms
    # GIL switch interval a socket wait of the event loop could sit up to 5 ms behind it.
    sys.setswitchinterval(0.0005)
    # Everything built so far (modules, the spec, its index) lives as long as the worker: out
    # of the collector's sight, full collections only walk request garbage. At the default
    # threshold (700) a request triggered a collection every ~3 requests, and collections took
    # ~0.3 ms a request (measured); requests make few reference cycles.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def app_from_environment() -> Starlette:
    """The app factory uvicorn workers call (the configuration rides in the environment)."""
    from specwright._layers._read import read_spec
    from specwright._settings import load_settings

    config = GatewayConfig.from_settings(load_settings())
    app = create_app(config, read_spec(config.spec_path))
    tune_worker_process()
    return app
