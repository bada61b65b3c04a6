"""The gateway: ``specwright serve`` applies the chain of command to live model traffic.

OpenAI Chat Completions and Anthropic Messages share one pipeline; :mod:`._apis` holds what
differs between them (adapters, upstream path and headers, usage, error shapes).

Pipeline per request::

    client ──POST /v1/chat/completions──► _http (header timeout) → _app (auth, limits, JSON)
        │     or /v1/messages                │
        │                                    │ _work: read, resolve, compile (enforce) —
        │                                    │   on the loop if small, in a process pool if large
        │                                    ▼ observe: the request unchanged
        │                                 _upstream (aiohttp pool, retries before the first byte)
        ◄──── response (streamed chunk by chunk, boundary token removed) ───────┘
              + x-specwright-decision-id
                                             │
                       PendingDecision ──► _writer (batched, off the hot path) ──► decisions table

Needs the ``serve`` extra (Starlette, uvicorn, aiohttp) and SQLAlchemy for the store.
"""
