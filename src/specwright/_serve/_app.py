"""The gateway's ASGI app (Starlette): routes, lifespan, and the per-request pipeline."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from specwright._chain._adapters_openai import from_openai
from specwright._chain._compiler import compile_prompt
from specwright._chain._resolution import resolve
from specwright._chain._spec_index import SpecIndex
from specwright._errors import ConversationError
from specwright._model import Spec
from specwright._serve._config import ClientKey, GatewayConfig, hash_key
from specwright._serve._decision_store import DecisionStore
from specwright._serve._problems import Problem, error_body
from specwright._serve._records import PendingDecision
from specwright._serve._streaming import RecordedStream, StreamScan
from specwright._serve._upstream import StreamOpened, Upstream, UpstreamReply, Wait
from specwright._serve._writer import DecisionWriter

__all__ = ["Gateway", "app_from_environment", "create_app"]

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
        self.index = SpecIndex.build(spec)
        self.keys: dict[str, ClientKey] = {k.sha256: k for k in config.keys}
        self.upstream: Upstream | None = None
        self.writer: DecisionWriter | None = None
        self._switch_interval = sys.getswitchinterval()

    async def start(self) -> None:
        """Open the upstream pool and start the writer (lifespan startup)."""
        # The writer thread is CPU-bound; with the default 5 ms GIL switch interval every
        # socket wait of the event loop could cost up to 5 ms behind it (the convoy effect).
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)
        key = os.environ.get(self.config.upstream_key_env) or None
        self.upstream = Upstream(
            self.config.upstream, key, timeout=self.config.timeout, retries=self.config.retries
        )
        store = DecisionStore(self.config.store_url, migrate_schema=False)
        self.writer = DecisionWriter(
            store,
            spec=self.spec,
            store_text=self.config.store_text,
        )
        self.writer.start()

    async def stop(self) -> None:
        """Close the pool and write every pending record (lifespan shutdown)."""
        if self.upstream is not None:
            await self.upstream.close()
        if self.writer is not None:
            self.writer.stop()
            _LOG.info("decision records written: %d", self.writer.written)
        sys.setswitchinterval(self._switch_interval)

    def client(self, request: Request) -> ClientKey | None:
        """The client the request's bearer key belongs to; ``Problem`` 401 otherwise."""
        if self.config.no_auth:
            return None
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Problem(401, "missing API key: send 'Authorization: Bearer <key>'")
        found = self.keys.get(hash_key(key.strip()))
        if found is None:
            raise Problem(401, "invalid API key", code="invalid_api_key")
        return found

    def finish(self, pending: PendingDecision, started: float) -> None:
        """Close the request's record and hand it to the writer."""
        pending.latency_ms = (time.perf_counter() - started) * 1000.0
        assert self.writer is not None
        self.writer.submit(pending)


def _gateway(request: Request) -> Gateway:
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


async def chat_completions(request: Request) -> Response:
    """``POST /v1/chat/completions``: one decision record per request, whatever happens."""
    gateway = _gateway(request)
    started = time.perf_counter()
    pending = PendingDecision(
        id=f"dec_{uuid.uuid4().hex}", created=time.time(), mode=gateway.config.mode, client=None
    )
    try:
        return await _handle_chat(gateway, request, pending, started)
    except Problem as raised:
        problem = raised
        pending.status, pending.error = problem.status, str(problem)
    except asyncio.CancelledError:  # the client left, or shutdown ran out of time
        pending.status, pending.error = 499, "cancelled before the answer was complete"
        gateway.finish(pending, started)
        raise
    except Exception as exc:  # a bug: answer 500 and record it; the worker lives on
        _LOG.exception("decision %s: internal error", pending.id)
        problem = Problem(500, "internal error in the gateway", code="internal_error")
        pending.status, pending.error = 500, f"internal error: {type(exc).__name__}"
    gateway.finish(pending, started)
    return _problem_response(problem, pending, started)


def _problem_response(problem: Problem, pending: PendingDecision, started: float) -> Response:
    headers = {**problem.headers, ID_HEADER: pending.id}
    upstream = pending.upstream_ms or 0.0
    headers[OVERHEAD_HEADER] = f"{(time.perf_counter() - started) * 1000.0 - upstream:.3f}"
    return Response(problem.body(), problem.status, headers, media_type="application/json")


async def _handle_chat(
    gateway: Gateway, request: Request, pending: PendingDecision, started: float
) -> Response:
    client = gateway.client(request)
    if client is not None:
        pending.client = client.name
        pending.mode = client.mode or gateway.config.mode
    body = await _read_body(request, gateway.config.max_body_bytes)
    document = _parse(body)
    model = document.get("model")
    pending.request_model = model if isinstance(model, str) else None
    stream = document.get("stream", False)
    if not isinstance(stream, bool) and stream is not None:
        raise Problem(422, "stream: expected a boolean", param="stream")
    pending.stream = bool(stream)
    payload = _upstream_payload(gateway, document, body, pending)
    upstream = gateway.upstream
    assert upstream is not None
    wait = Wait()
    try:
        if pending.stream:
            return await _streamed(
                gateway,
                upstream=upstream,
                payload=payload,
                pending=pending,
                started=started,
                wait=wait,
            )
        reply = await upstream.complete(payload, wait)
    finally:
        pending.upstream_ms = wait.seconds * 1000.0
    return _completed(gateway, reply, pending, started)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"request body over the gateway's limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"request body over the gateway's limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> dict[str, object]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise Problem(400, "request body must be a JSON object")
    if "messages" not in document:
        raise Problem(422, "messages: missing required field", param="messages")
    return document


def _upstream_payload(
    gateway: Gateway, document: dict[str, object], body: bytes, pending: PendingDecision
) -> bytes:
    """Resolve the chain of command; in enforce mode, the compiled request."""
    try:
        conversation = from_openai(document)
    except ConversationError as exc:
        if exc.index is None:
            param = exc.field or "messages"
        else:
            param = f"messages[{exc.index}]" + (f".{exc.field}" if exc.field else "")
        raise Problem(422, str(exc), param=param) from None
    if pending.mode == "observe":
        pending.conversation = conversation  # the writer resolves it, off the request's path
        return body
    resolution = resolve(gateway.spec, conversation, index=gateway.index)
    pending.resolution = resolution
    compiled = compile_prompt(
        gateway.spec, conversation, resolution, budget=gateway.config.budget, index=gateway.index
    )
    pending.compiled = compiled
    out = dict(document)
    out["messages"] = compiled.to_openai()
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


def _decision_headers(
    pending: PendingDecision, started: float, upstream_ms: float
) -> dict[str, str]:
    overhead = (time.perf_counter() - started) * 1000.0 - upstream_ms
    return {ID_HEADER: pending.id, OVERHEAD_HEADER: f"{overhead:.3f}"}


def _completed(
    gateway: Gateway, reply: UpstreamReply, pending: PendingDecision, started: float
) -> Response:
    pending.status = reply.status
    data = reply.data
    if data is not None and reply.status < 300:
        _read_usage(data, pending)
    elif reply.status >= 400:
        pending.error = f"upstream answered {reply.status}"
    headers = {**reply.headers, **_decision_headers(pending, started, pending.upstream_ms or 0.0)}
    gateway.finish(pending, started)
    return Response(reply.content, reply.status, headers, media_type="application/json")


def _read_usage(data: dict[str, object], pending: PendingDecision) -> None:
    model = data.get("model")
    pending.upstream_model = model if isinstance(model, str) else None
    usage = data.get("usage")
    if isinstance(usage, dict):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        pending.prompt_tokens = prompt if isinstance(prompt, int) else None
        pending.completion_tokens = completion if isinstance(completion, int) else None


async def _streamed(
    gateway: Gateway,
    *,
    upstream: Upstream,
    payload: bytes,
    pending: PendingDecision,
    started: float,
    wait: Wait,
) -> Response:
    opened = await upstream.open_stream(payload, wait)
    pending.upstream_ms = wait.seconds * 1000.0
    if isinstance(opened, UpstreamReply):
        return _completed(gateway, opened, pending, started)
    assert isinstance(opened, StreamOpened)
    pending.status = 200
    headers = {**opened.headers, **_decision_headers(pending, started, pending.upstream_ms)}
    scan = StreamScan(pending)

    def done() -> None:
        gateway.finish(pending, started)

    return RecordedStream(opened, scan, done, headers)


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
    body = error_body(status, f"{message}: {request.method} {request.url.path}")
    return Response(body, status, media_type="application/json")


def create_app(config: GatewayConfig, spec: Spec) -> Starlette:
    """The gateway for ``config``, enforcing ``spec``."""
    gateway = Gateway(config, spec)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        exception_handlers={404: _http_error, 405: _http_error},
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    return app


def app_from_environment() -> Starlette:
    """The app factory uvicorn workers call (the configuration rides in the environment)."""
    from specwright._reader import read_spec

    config = GatewayConfig.from_env()
    return create_app(config, read_spec(config.spec_path))
